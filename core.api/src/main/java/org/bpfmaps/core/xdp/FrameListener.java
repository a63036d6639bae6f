package org.bpfmaps.core.xdp;

import java.nio.ByteBuffer;

/**
 * Where a device's frames go that leave the XDP path: the network stack of the emulation
 * (XDP_PASS) or the wire (XDP_TX, and what an XSK socket's TX ring sends), registered per device
 * with {@link NetDevices#onPass} and {@link NetDevices#onTransmit}.
 *
 * @since 1.1
 */
@FunctionalInterface
public interface FrameListener {
    /**
     * One frame: its bytes from {@code frame}'s position to its limit. The buffer is the device's
     * and valid during the call only (copy what is kept); it is reused for the next frame. Called
     * on the thread that runs the queue; an exception is caught and the frame is gone.
     *
     * @param ifindex the device
     * @param queue the queue the frame came in on (XDP_PASS, XDP_TX) or goes out of (a TX ring)
     */
    void frame(int ifindex, int queue, ByteBuffer frame);
}
