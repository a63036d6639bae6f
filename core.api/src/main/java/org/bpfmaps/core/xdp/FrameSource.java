package org.bpfmaps.core.xdp;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where a device's RX queue takes the frames of one poll from ({@link RxQueue#receive(FrameSource,
 * int)}): the driver's view of its hardware ring. A frame is taken only when the queue has a buffer
 * for it; a frame not taken stays with the source (the NIC holds it), as a zero-copy driver stops
 * its poll when the FILL ring runs dry.
 *
 * @since 1.1
 */
@ConsumerType
@FunctionalInterface
public interface FrameSource {
    /**
     * The next received frame, its bytes from position to limit, or null when none is waiting. The
     * queue copies the bytes before the next call: the source may reuse the buffer.
     */
    ByteBuffer next();
}
