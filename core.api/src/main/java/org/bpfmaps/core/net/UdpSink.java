package org.bpfmaps.core.net;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;

/**
 * Sends frames (from a TX ring, or returned with XDP_TX) back out as UDP datagrams: the UDP payload
 * of each frame goes to the frame's destination address and port, or to one fixed target. Loopback
 * only: a frame for another destination is refused and counted. The datagrams leave from this
 * sink's own socket (an ephemeral port on loopback): a user-space socket cannot claim the frame's
 * source address and port.
 *
 * <p>One thread at a time may call {@link #send}; the counters may be read from any.
 */
public final class UdpSink implements Closeable {
    private final DatagramChannel channel;
    private final InetSocketAddress fixed;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    /** The last destination, kept so that a stream of frames to one place allocates no address. */
    private byte[] lastAddr = new byte[0];
    private int lastPort = -1;
    private InetSocketAddress lastTarget;

    private UdpSink(DatagramChannel channel, InetSocketAddress fixed) {
        this.channel = channel;
        this.fixed = fixed;
    }

    /** A sink sending each frame's payload to the frame's own destination. */
    public static UdpSink open() throws IOException {
        return new UdpSink(DatagramChannel.open(), null);
    }

    /**
     * A sink sending every frame's payload to {@code target}, whatever the frame's destination.
     *
     * @throws org.bpfmaps.core.api.BpfException EINVAL for a target outside 127.0.0.0/8 and ::1
     */
    public static UdpSink open(InetSocketAddress target) throws IOException {
        return new UdpSink(DatagramChannel.open(), Loopback.require("target", target));
    }

    /**
     * Sends the UDP payload of the frame between {@code frame}'s position and limit (neither moves).
     *
     * @return the payload bytes sent, or a negated errno, the frame counted as dropped: the errors
     *     of {@link UdpFrame#parse} for a frame that is not Ethernet / IP / UDP, EINVAL for a
     *     destination outside loopback (without a fixed target)
     * @throws IOException when the socket fails (closed included)
     */
    public int send(ByteBuffer frame, ErrorSink err) throws IOException {
        caller = err;
        UdpFrame f = UdpFrame.parse(frame, parseErr);
        if (f == null) {
            dropped.incrementAndGet();
            return parseRet;
        }
        InetSocketAddress to = fixed != null ? fixed : target(f);
        if (to == null) {
            dropped.incrementAndGet();
            return err.fail(Errno.EINVAL, "destination port %d: the address is not loopback (127.0.0.0/8 or ::1)",
                    f.dstPort());
        }
        int pos = frame.position();
        int lim = frame.limit();
        try {
            frame.limit(pos + f.length()).position(pos + f.payloadOffset());
            channel.send(frame, to);
        } finally {
            frame.limit(lim).position(pos);
        }
        sent.incrementAndGet();
        return f.payloadLength();
    }

    /** The sink of the {@link #send} in progress, and what parse reported to it. */
    private ErrorSink caller;
    private int parseRet;
    private final ErrorSink parseErr = (e, why, a, b) -> parseRet = caller.fail(e, why, a, b);

    private InetSocketAddress target(UdpFrame f) throws IOException {
        byte[] a = f.dstAddr();
        if (f.dstPort() != lastPort || !Arrays.equals(a, lastAddr)) {
            InetAddress addr = InetAddress.getByAddress(a);
            if (!Loopback.is(addr)) {
                return null;
            }
            lastAddr = a;
            lastPort = f.dstPort();
            lastTarget = new InetSocketAddress(addr, lastPort);
        }
        return lastTarget;
    }

    /** Datagrams sent. */
    public long sent() {
        return sent.get();
    }

    /** Frames refused (not UDP, not for loopback). */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
