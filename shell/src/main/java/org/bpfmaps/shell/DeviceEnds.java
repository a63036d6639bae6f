package org.bpfmaps.shell;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.net.Pcap;
import org.bpfmaps.core.net.PcapWriter;
import org.bpfmaps.core.net.UdpSink;
import org.bpfmaps.core.net.UdpSource;
import org.bpfmaps.core.xdp.FrameListener;
import org.bpfmaps.core.xdp.NetDevices;

/**
 * The real ends the shell plugs onto an instance's devices ({@code dev add ... udp ADDR:PORT pass
 * OUT tx OUT}): a {@link UdpSource} whose datagrams the device receives on the queue RSS picks, and
 * where the frames go that leave the XDP path: the XDP_PASS frames (the network stack) and those
 * the device sends (XDP_TX and the XSK sockets' TX rings), each into a pcap file or out as UDP
 * datagrams to a loopback address. The ends belong to the instance, not to the command that made
 * them: they live until the device's end is replaced or switched off, or {@link #closeAll}.
 * Thread-safe: one lock per instance's ends; the outputs are called on the queues' threads.
 */
final class DeviceEnds {
    private static final Map<Bpf, DeviceEnds> BY_BPF = new WeakHashMap<>();

    private final Bpf bpf;
    private final Map<Integer, Ends> byIfindex = new TreeMap<>();

    /** A device's ends: its feed and its two outputs, each null when off. */
    static final class Ends {
        UdpSource udp;
        /** The device's capture, which {@code dev replay NAME} replays, and the frames replayed from it. */
        volatile Path pcap;
        final AtomicLong replayed = new AtomicLong();
        Out pass;
        Out tx;
    }

    /** Where frames leaving a device go: a pcap file or a UDP target. */
    abstract static class Out implements FrameListener, AutoCloseable {
        final AtomicLong frames = new AtomicLong();
        final AtomicLong errors = new AtomicLong();

        /** {@code pcap FILE} or {@code udp ADDR:PORT}, as the command takes it back. */
        abstract String describe();

        abstract void write(ByteBuffer frame) throws IOException;

        @Override
        public final synchronized void frame(int ifindex, int queue, ByteBuffer frame) {
            try {
                write(frame);
                frames.incrementAndGet();
            } catch (IOException | RuntimeException e) {
                errors.incrementAndGet(); // the frame is lost, the device goes on
            }
        }

        @Override
        public abstract void close() throws IOException;
    }

    /** Frames into a pcap file (nanosecond timestamps of the time each left), flushed at once for readers. */
    static final class PcapOut extends Out {
        private final Path file;
        private final PcapWriter w;

        PcapOut(Path file) throws IOException {
            this.file = file;
            this.w = PcapWriter.create(file, Pcap.Precision.NANOS, Pcap.MAX_SNAPLEN);
            w.flush();
        }

        @Override
        String describe() {
            return "pcap " + file;
        }

        @Override
        void write(ByteBuffer frame) throws IOException {
            java.time.Instant now = java.time.Instant.now();
            w.write(now.getEpochSecond() * 1_000_000_000L + now.getNano(), frame);
            w.flush();
        }

        @Override
        public synchronized void close() throws IOException {
            w.close();
        }
    }

    /** Each frame's UDP payload as a datagram to one loopback target ({@link UdpSink}); other frames are counted as errors. */
    static final class UdpOut extends Out {
        private final InetSocketAddress target;
        private final UdpSink sink;
        private static final ErrorSink QUIET = (e, why, a, b) -> e.ret();

        UdpOut(InetSocketAddress target) throws IOException {
            this.target = target;
            this.sink = UdpSink.open(target);
        }

        @Override
        String describe() {
            return "udp " + address(target);
        }

        @Override
        void write(ByteBuffer frame) throws IOException {
            if (sink.send(frame, QUIET) < 0) {
                throw new IOException("not a UDP frame");
            }
        }

        @Override
        public synchronized void close() throws IOException {
            sink.close();
        }
    }

    private DeviceEnds(Bpf bpf) {
        this.bpf = bpf;
    }

    static DeviceEnds of(Bpf bpf) {
        synchronized (BY_BPF) {
            return BY_BPF.computeIfAbsent(bpf, DeviceEnds::new);
        }
    }

    /** A device's ends now (a copy's worth of references), or null when it has none. */
    synchronized Ends get(int ifindex) {
        return byIfindex.get(ifindex);
    }

    private Ends ends(int ifindex) {
        return byIfindex.computeIfAbsent(ifindex, i -> new Ends());
    }

    /** Sets the device's feed (null: off), closing the one it replaces; the device receives from the new one at once. */
    synchronized void feed(int ifindex, UdpSource udp) throws IOException {
        Ends e = ends(ifindex);
        UdpSource old = e.udp;
        e.udp = udp;
        if (old != null) {
            old.close();
        }
    }

    /** Sets the device's capture (null: none), which {@code dev replay NAME} replays. */
    synchronized void capture(int ifindex, Path pcap) {
        Ends e = ends(ifindex);
        e.pcap = pcap;
        e.replayed.set(0);
    }

    /** Sets where the device's XDP_PASS frames go (null: nowhere), closing the output it replaces. */
    synchronized void pass(int ifindex, Out out) throws IOException {
        Ends e = ends(ifindex);
        Out old = e.pass;
        e.pass = out;
        NetDevices.of(bpf).onPass(ifindex, out);
        closeReplaced(old);
    }

    /** Sets where the device's sent frames go (null: nowhere), closing the output it replaces. */
    synchronized void tx(int ifindex, Out out) throws IOException {
        Ends e = ends(ifindex);
        Out old = e.tx;
        e.tx = out;
        NetDevices.of(bpf).onTransmit(ifindex, out);
        closeReplaced(old);
    }

    private static void closeReplaced(Out old) throws IOException {
        if (old != null) {
            old.close();
        }
    }

    /** Closes every end of the instance's devices (the sources' threads end before this returns). */
    static void closeAll(Bpf bpf) {
        DeviceEnds d;
        synchronized (BY_BPF) {
            d = BY_BPF.remove(bpf);
        }
        if (d == null) {
            return;
        }
        List<AutoCloseable> all = new ArrayList<>();
        synchronized (d) {
            d.byIfindex.forEach((ifindex, e) -> {
                NetDevices.of(bpf).onPass(ifindex, null);
                NetDevices.of(bpf).onTransmit(ifindex, null);
                for (AutoCloseable c : new AutoCloseable[] {e.udp, e.pass, e.tx}) {
                    if (c != null) {
                        all.add(c);
                    }
                }
            });
            d.byIfindex.clear();
        }
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                // closing: nothing more to do with it
            }
        }
    }

    /**
     * {@code ADDR:PORT} with a numeric loopback address: {@code 127.0.0.1:9000}, {@code [::1]:9000};
     * null when the word is none (no name is looked up).
     */
    static InetSocketAddress parseAddress(String word) {
        String host;
        String port;
        if (word.startsWith("[")) {
            int close = word.indexOf("]:");
            if (close < 0) {
                return null;
            }
            host = word.substring(1, close);
            port = word.substring(close + 2);
        } else {
            int colon = word.lastIndexOf(':');
            if (colon < 0 || word.indexOf(':') != colon || !word.substring(0, colon).matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                return null;
            }
            host = word.substring(0, colon);
            port = word.substring(colon + 1);
        }
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535 || !host.matches("[0-9a-fA-F.:]+")) {
            return null;
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(port));
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** {@code 127.0.0.1:9000}, {@code [::1]:9000}. */
    static String address(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        if (h.contains(":")) {
            h = "[" + (h.equals("0:0:0:0:0:0:0:1") ? "::1" : h) + "]";
        }
        return h + ":" + a.getPort();
    }
}
