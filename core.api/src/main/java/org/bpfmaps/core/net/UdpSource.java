package org.bpfmaps.core.net;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.xdp.NetDevices;

/**
 * A UDP listener on a loopback address whose every datagram becomes an Ethernet frame handed to a
 * {@link FrameSink}: the headers of {@link EthernetFrames} with the datagram's real source address
 * and port and the listener's address and port as destination, on the RX queue that the {@link
 * Toeplitz} hash of that 4-tuple picks, as RSS would on a NIC.
 *
 * <p>One thread per source receives straight into the payload area of a single frame buffer and
 * writes the headers around it, so memory stays at one frame (64 KiB and the headers) whatever the
 * traffic; the kernel's socket buffer is the only queue, and datagrams it cannot hold are dropped
 * there, as a NIC drops on a full ring. The IPv4 identification counts the datagrams from 0.
 *
 * <p>A sink that throws is counted in {@link #sinkErrors()} (its last exception kept) and the
 * source goes on. A receive error other than closing ends the thread and is kept in {@link
 * #failure()}. {@link #close()} stops the thread and waits for it: none is left behind.
 */
public final class UdpSource implements Closeable {
    private static final String THREAD_PREFIX = "bpfmaps-udp-source-";

    private final DatagramChannel channel;
    private final InetSocketAddress local;
    private final int queues;
    private final Toeplitz rss;
    private final FrameSink sink;
    private final Thread thread;
    private final AtomicLong datagrams = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong sinkErrors = new AtomicLong();
    private final AtomicLongArray perQueue;
    private volatile RuntimeException lastSinkError;
    private volatile IOException failure;

    private UdpSource(DatagramChannel channel, int queues, Toeplitz rss, FrameSink sink) throws IOException {
        this.channel = channel;
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.queues = queues;
        this.rss = rss;
        this.sink = sink;
        this.perQueue = new AtomicLongArray(queues);
        this.thread = new Thread(this::run, THREAD_PREFIX + local.getPort());
        thread.setDaemon(true);
    }

    /** A source with the Microsoft RSS key; see {@link #open(InetSocketAddress, int, Toeplitz, FrameSink)}. */
    public static UdpSource open(InetSocketAddress bind, int queues, FrameSink sink) throws IOException {
        return open(bind, queues, Toeplitz.microsoft(), sink);
    }

    /**
     * Binds a UDP socket to {@code bind} (port 0 for any free one) and starts receiving.
     *
     * @param queues the device's RX queue count, 1 to {@link NetDevices#MAX_QUEUES}
     * @throws BpfException EINVAL for an address outside 127.0.0.0/8 and ::1 or a queue count out of range
     * @throws IOException when the socket cannot be bound (the port is taken)
     */
    public static UdpSource open(InetSocketAddress bind, int queues, Toeplitz rss, FrameSink sink)
            throws IOException {
        Loopback.require("bind address", bind);
        if (queues < 1 || queues > NetDevices.MAX_QUEUES) {
            throw new BpfException(Errno.EINVAL, "queues " + queues + ": from 1 to " + NetDevices.MAX_QUEUES);
        }
        Objects.requireNonNull(rss, "rss");
        Objects.requireNonNull(sink, "sink");
        boolean v6 = bind.getAddress() instanceof Inet6Address;
        DatagramChannel ch = DatagramChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        UdpSource s;
        try {
            ch.bind(bind);
            s = new UdpSource(ch, queues, rss, sink);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        s.thread.start();
        return s;
    }

    private void run() {
        boolean v6 = local.getAddress() instanceof Inet6Address;
        int hdr = EthernetFrames.headerLength(v6);
        ByteBuffer frame = ByteBuffer.allocateDirect(hdr + (v6 ? EthernetFrames.MAX_UDP6_PAYLOAD
                : EthernetFrames.MAX_UDP4_PAYLOAD) + 1);
        // receive() truncates silently; the one spare byte tells an oversized datagram (none fits loopback's MTU)
        ByteBuffer payload = frame.slice(hdr, frame.capacity() - hdr);
        byte[] dstAddr = local.getAddress().getAddress();
        int dstPort = local.getPort();
        int ipId = 0;
        while (true) {
            InetSocketAddress from;
            payload.clear();
            try {
                from = (InetSocketAddress) channel.receive(payload);
            } catch (ClosedChannelException e) {
                return; // close(), also when it interrupted a blocked receive
            } catch (IOException e) {
                failure = e;
                return;
            }
            int len = payload.position();
            if (len == payload.capacity()) {
                sinkErrors.incrementAndGet(); // cannot happen over loopback; never deliver a cut datagram
                continue;
            }
            byte[] srcAddr = from.getAddress().getAddress();
            EthernetFrames.writeHeaders(frame, 0, srcAddr, from.getPort(), dstAddr, dstPort, len, ipId++);
            int q = Toeplitz.queue(rss.hash(srcAddr, dstAddr, from.getPort(), dstPort), queues);
            datagrams.incrementAndGet();
            bytes.addAndGet(len);
            perQueue.incrementAndGet(q);
            frame.limit(hdr + len).position(0);
            try {
                sink.frame(q, frame);
            } catch (RuntimeException e) {
                lastSinkError = e;
                sinkErrors.incrementAndGet();
            }
            frame.clear();
        }
    }

    /** The bound address and port (the port chosen when 0 was asked). */
    public InetSocketAddress localAddress() {
        return local;
    }

    /** The RX queue count frames are spread over. */
    public int queues() {
        return queues;
    }

    /** Datagrams received and handed to the sink. */
    public long datagrams() {
        return datagrams.get();
    }

    /** Payload bytes of those datagrams. */
    public long bytes() {
        return bytes.get();
    }

    /** Frames handed to queue {@code q}. */
    public long frames(int q) {
        return perQueue.get(q);
    }

    /** Calls of the sink that threw (and datagrams too long to frame, which loopback never carries). */
    public long sinkErrors() {
        return sinkErrors.get();
    }

    /** The last exception the sink threw, or null. */
    public RuntimeException lastSinkError() {
        return lastSinkError;
    }

    /** The receive error that stopped the source, or null while it runs or after a plain close. */
    public IOException failure() {
        return failure;
    }

    /** True while the receiving thread runs. */
    public boolean running() {
        return thread.isAlive();
    }

    /**
     * Closes the socket and waits for the thread to end, including a sink call in progress (from
     * within the sink, it does not wait for itself). Idempotent.
     */
    @Override
    public void close() throws IOException {
        channel.close();
        if (Thread.currentThread() == thread) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
