package org.bpfmaps.map.xsk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.core.net.EthernetFrames;
import org.bpfmaps.core.net.Pcap;
import org.bpfmaps.core.net.PcapReader;
import org.bpfmaps.core.net.PcapReplay;
import org.bpfmaps.core.net.PcapWriter;
import org.bpfmaps.core.net.Toeplitz;
import org.bpfmaps.core.prog.XdpAction;
import org.bpfmaps.core.xdp.NetDevices;
import org.bpfmaps.core.xdp.RingType;
import org.bpfmaps.core.xdp.RxQueueStatistics;
import org.bpfmaps.core.xdp.XdpRing;
import org.bpfmaps.core.xdp.XdpSocket;
import org.bpfmaps.core.xdp.XdpStatistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 21's pcap round trip: a capture replayed into a device ({@link PcapReplay}), every frame
 * redirected by its XDP program into the XSK socket of the queue, forwarded by the application
 * from the RX ring to the TX ring without a copy (the same UMEM address), sent by {@code sendto}
 * ({@link XdpSocket#kick}) through the device's TX listener into a new file ({@link PcapWriter})
 * with the record's timestamp, the frame recycled from the COMPLETION ring into the FILL ring. The
 * new file is byte-identical to the capture: for a file the test writes (3000 frames of sizes from
 * 14 to 3800 bytes, both precisions and byte orders) and for one {@code tcpdump} writes on {@code lo}.
 */
class PcapRoundTripTest {
    static final int FRAMES = 32;
    static final int CHUNK = 4096;

    @TempDir
    Path dir;

    private final XskFixture f = new XskFixture();
    private final NetDevices devs = NetDevices.of(f.bpf);

    @AfterEach
    void close() {
        f.close();
    }

    enum Kind {
        NANOS_LITTLE(Pcap.Precision.NANOS, ByteOrder.LITTLE_ENDIAN),
        MICROS_BIG(Pcap.Precision.MICROS, ByteOrder.BIG_ENDIAN);

        final Pcap.Precision precision;
        final ByteOrder order;

        Kind(Pcap.Precision precision, ByteOrder order) {
            this.precision = precision;
            this.order = order;
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCaptureOfMixedFramesComesOutOfTheTxRingByteIdentical(Kind kind) throws IOException {
        Path in = dir.resolve("in.pcap");
        int records = 3000;
        Random r = new Random(kind.ordinal());
        try (PcapWriter w = PcapWriter.of(Files.newOutputStream(in), kind.precision, Pcap.MAX_SNAPLEN, kind.order)) {
            long t = 1_700_000_000_000_000_000L;
            ByteBuffer frame = ByteBuffer.allocate(EthernetFrames.MAX_FRAME);
            for (int i = 0; i < records; i++) {
                frame.clear();
                if (i % 10 == 9) {
                    // not UDP: an ARP-sized frame, or the shortest one the program may see (ETH_HLEN)
                    byte[] b = new byte[i % 20 == 9 ? 60 : 14];
                    r.nextBytes(b);
                    b[12] = 0x08;
                    b[13] = 0x06;
                    frame.put(b);
                } else {
                    byte[] payload = new byte[i == 0 ? 0 : i == 1 ? 3800 - 42 : r.nextInt(3800 - 42)];
                    r.nextBytes(payload);
                    InetSocketAddress src = new InetSocketAddress("127.0.0." + (1 + r.nextInt(200)), 1 + r.nextInt(65535));
                    EthernetFrames.udp(frame, src, new InetSocketAddress("127.0.0.1", 4242), ByteBuffer.wrap(payload),
                            i, XdpTraffic.FAIL);
                }
                frame.flip();
                t += 1 + r.nextInt(2_000_000);
                w.write(t, frame);
            }
        }
        assertEquals(records, roundTrip(in, dir.resolve("out.pcap"), 2));
        assertArrayEquals(Files.readAllBytes(in), Files.readAllBytes(dir.resolve("out.pcap")));
    }

    /**
     * Replays {@code in} through a device of {@code queues} queues, each with its XSK socket, and
     * writes what leaves the TX rings to {@code out}, each record with its timestamp.
     *
     * @return the frames written
     */
    private long roundTrip(Path in, Path out, int queues) throws IOException {
        int eth = devs.add("eth2", queues, XdpTraffic.FAIL);
        int map = f.xskmap(queues);
        XdpSocket[] xsk = f.socketsPerQueue(eth, queues, map, FRAMES, CHUNK);
        XdpTraffic.attach(f.bpf, eth, "to_xsk", ctx -> ctx.redirectMap(0, ctx.rxQueueIndex(), 0), map);
        long written;
        try (PcapReader rd = PcapReader.open(in);
                PcapWriter w = PcapWriter.of(Files.newOutputStream(out), rd.precision(), rd.declaredSnaplen(), rd.order())) {
            // one frame in flight at a time, so the timestamp of the record replayed is the one sent
            ArrayDeque<Long> stamps = new ArrayDeque<>();
            IOException[] failed = {null};
            devs.onTransmit(eth, (ifindex, queue, frame) -> {
                try {
                    w.write(stamps.remove(), frame);
                } catch (IOException e) {
                    failed[0] = e;
                }
            });
            long replayed = PcapReplay.replay(rd, queues, Toeplitz.microsoft(), (q, frame) -> {
                stamps.add(rd.timestampNanos());
                int v = devs.rxQueue(eth, q).receive(frame);
                assertEquals(XdpAction.XDP_REDIRECT, v, "record " + rd.records());
                forward(xsk[q]);
                assertTrue(stamps.isEmpty(), "the frame went out at once");
            });
            assertNull(failed[0]);
            written = w.records();
            assertEquals(replayed, written);
        }
        long redirected = 0;
        for (int q = 0; q < queues; q++) {
            RxQueueStatistics st = devs.rxQueue(eth, q).statistics();
            assertEquals(0, XdpTraffic.drops(st), st.toString());
            assertEquals(st.packets(), st.redirect());
            redirected += st.redirect();
            XdpStatistics x = xsk[q].statistics();
            // each sendto found the TX ring empty once it had sent the frame (tx_ring_empty_descs)
            assertEquals(new XdpStatistics(0, 0, 0, 0, 0, st.redirect()), x, "socket " + q);
            assertEquals(FRAMES, xsk[q].ring(RingType.FILL).filled(), "every frame back in the FILL ring");
        }
        assertEquals(written, redirected);
        return written;
    }

    /** The application's forwarding loop: RX → TX at the same address, sendto, COMPLETION → FILL. */
    private static void forward(XdpSocket s) {
        XdpRing.Consumer rx = s.ring(RingType.RX).consumer();
        int n = rx.peek(FRAMES);
        assertEquals(1, n, "the redirected frame is in the RX ring");
        XdpRing.Producer tx = s.ring(RingType.TX).producer();
        assertEquals(1, tx.reserve(1));
        tx.desc(tx.index(), rx.descAddr(rx.index()), rx.descLen(rx.index()), 0);
        tx.submit(1);
        rx.release(1);
        assertEquals(1, s.kick(), "sendto sent the frame");
        XdpRing.Consumer comp = s.ring(RingType.COMPLETION).consumer();
        assertEquals(1, comp.peek(FRAMES));
        long addr = comp.addr(comp.index());
        comp.release(1);
        XdpTraffic.recycle(s, addr);
    }

    // ---- a capture tcpdump writes ----

    private static String tcpdump() {
        for (String d : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/bin").split(File.pathSeparator)) {
            File t = new File(d, "tcpdump");
            if (t.canExecute()) {
                return t.getPath();
            }
        }
        return null;
    }

    @Test
    void aCaptureTcpdumpWroteOnLoComesOutByteIdentical() throws Exception {
        String tcpdump = tcpdump();
        assumeTrue(tcpdump != null, "tcpdump is not installed (apt-get install -y tcpdump): this test is skipped");
        Path in = dir.resolve("lo.pcap");
        int datagrams = 200;
        try (DatagramChannel rx = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                DatagramChannel tx = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.3", 0))) {
            InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
            rx.socket().setSoTimeout(10_000);
            List<String> cmd = new ArrayList<>(List.of(tcpdump, "-i", "lo", "-n", "-U", "-c",
                    Integer.toString(datagrams), "-w", in.toString(), "--time-stamp-precision=nano"));
            if ("root".equals(System.getProperty("user.name"))) {
                cmd.addAll(List.of("-Z", "root")); // keep the right to write into the test's directory
            }
            cmd.addAll(List.of("udp", "and", "dst", "port", Integer.toString(to.getPort())));
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                List<String> said = awaitListening(p);
                Random r = new Random(7);
                for (int i = 0; i < datagrams; i++) {
                    byte[] payload = new byte[r.nextInt(3700)];
                    r.nextBytes(payload);
                    tx.send(ByteBuffer.wrap(payload), to);
                    DatagramPacket back = new DatagramPacket(new byte[4000], 4000);
                    rx.socket().receive(back); // delivered, so it passed lo and tcpdump (10 s at most)
                }
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    fail("tcpdump did not stop after " + datagrams + " packets within 20 s: " + said);
                }
                assertEquals(0, p.exitValue(), "tcpdump: " + said);
            } finally {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        Path out = dir.resolve("out.pcap");
        assertEquals(datagrams, roundTrip(in, out, 3));
        assertArrayEquals(Files.readAllBytes(in), Files.readAllBytes(out), "tcpdump's file, rewritten from the TX rings");
    }

    /** Waits for tcpdump's "listening on"; skips when it cannot capture here. */
    private static List<String> awaitListening(Process p) throws Exception {
        BlockingQueue<String> lines = new ArrayBlockingQueue<>(100);
        List<String> seen = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader br = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = br.readLine()) != null; ) {
                    lines.offer(l);
                }
            } catch (IOException e) {
                // the process ended
            }
            lines.offer("<end>");
        }, "tcpdump-stderr");
        reader.setDaemon(true);
        reader.start();
        while (true) {
            String l = lines.poll(20, TimeUnit.SECONDS);
            assertNotNull(l, "tcpdump said nothing within 20 s: " + seen);
            seen.add(l);
            if (l.contains("listening on")) {
                return seen;
            }
            if (l.equals("<end>")) {
                assumeTrue(false, "tcpdump cannot capture on lo here: " + seen);
            }
        }
    }
}
