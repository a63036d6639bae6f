package org.bpfmaps.core.net;

import java.nio.ByteBuffer;

/**
 * Where a packet source delivers its frames: a device's RX queue, a test's collector.
 *
 * <p>Ownership: {@code frame} holds one whole Ethernet frame from its position to its limit and is
 * valid only during the call. The source reuses the buffer for the next frame, so a sink that keeps
 * the bytes copies them before it returns. The sink may move the buffer's position and limit.
 */
@FunctionalInterface
public interface FrameSink {
    /**
     * Takes one frame.
     *
     * @param rxQueue the RX queue the frame arrives on, from 0 to the source's queue count - 1
     * @param frame the frame, from position to limit, valid during the call
     */
    void frame(int rxQueue, ByteBuffer frame);
}
