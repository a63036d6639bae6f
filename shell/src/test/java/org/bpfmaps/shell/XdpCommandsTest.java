package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bpfmaps.core.api.BpfLink;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.net.EthernetFrames;
import org.bpfmaps.core.net.Pcap;
import org.bpfmaps.core.net.PcapReader;
import org.bpfmaps.core.net.PcapWriter;
import org.bpfmaps.core.net.UdpFrame;
import org.bpfmaps.core.prog.ProgramCode;
import org.bpfmaps.core.prog.ProgramProvider;
import org.bpfmaps.core.prog.XdpAction;
import org.bpfmaps.core.prog.XdpProgram;
import org.bpfmaps.core.xdp.NetDevices;
import org.bpfmaps.core.xdp.RxQueueStatistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The XDP commands of the shell over real packets: a device fed by a UDP port ({@code dev add ...
 * udp}), libxdp's {@code xsk_def_prog} loaded by name with its XSKMAP ({@code prog load ... map idx
 * 0}) and attached without a link ({@code net attach xdp}), an XSK socket filled ({@code xsk fill})
 * and read ({@code xsk read}); the queue counters of {@code dev show} and the socket's of {@code xsk
 * show}; the XDP_PASS and XDP_TX frames into a pcap file and out as UDP datagrams; a pcap replayed
 * ({@code dev replay}); {@code net show} and {@code link show|pin|detach} in bpftool's layout and
 * JSON, with bpftool's Error lines and exit codes.
 */
class XdpCommandsTest {
    private static final ErrorSink FAIL = (e, why, a, b) -> {
        throw new AssertionError(e + ": " + String.format(why, a, b));
    };

    @TempDir
    Path dir;

    private final XdpShell sh = new XdpShell();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        sh.close();
    }

    private static final Pattern UDP = Pattern.compile("(?m)^\tudp 127\\.0\\.0\\.1:(\\d+)  datagrams (\\d+)  bytes (\\d+)$");

    /** The port a device's feed listens on, from {@code dev show}. */
    private int feedPort(String dev) {
        Matcher m = UDP.matcher(sh.ok("dev show " + dev));
        assertTrue(m.find(), sh.ok("dev show " + dev));
        return Integer.parseInt(m.group(1));
    }

    private DatagramChannel sender() throws Exception {
        DatagramChannel c = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        open.add(c);
        return c;
    }

    /** Waits until the device has finished with {@code n} frames (its feed runs on a thread of its own). */
    private void awaitDone(String dev, long n) {
        NetDevices devs = NetDevices.of(sh.bpf);
        int ifindex = devs.byName(dev).ifindex();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            long done = 0;
            for (int q = 0; q < devs.byIndex(ifindex).queues(); q++) {
                RxQueueStatistics s = devs.rxQueue(ifindex, q).statistics();
                done += s.pass() + s.drop() + s.tx() + s.redirect() + s.aborted() + s.redirectErrors() + s.noBuffer()
                        + s.oversize();
            }
            if (done >= n) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail(dev + " finished " + done + " of " + n + " frames within 10 s");
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void datagramsToTheFeedLandInTheXskSocketAndShowInTheCounters() throws Exception {
        assertEquals("2: eth1  queues 1\n\tudp 127.0.0.1:" + feedPortAfterAdd() + "  datagrams 0  bytes 0\n",
                sh.ok("dev show eth1"));
        int port = feedPort("eth1");
        sh.ok("map create /sys/fs/bpf/xsks type xskmap key 4 value 4 entries 1 name xsks");
        String id = sh.ok("prog load xsk_def_prog xdp map idx 0 name xsks pinned /sys/fs/bpf/xsk_def_prog");
        assertTrue(id.matches("id \\d+\n"), id);
        String progId = id.substring(3).trim();
        assertEquals("", sh.ok("net attach xdp name xsk_def_prog dev eth1"));
        assertEquals("xdp:\neth1(2) driver id " + progId + "\n\ntc:\n\nflow_dissector:\n\n", sh.ok("net show"));
        assertEquals("[{\"xdp\":[{\"devname\":\"eth1\",\"ifindex\":2,\"mode\":\"driver\",\"id\":" + progId
                + "}],\"tc\":[],\"flow_dissector\":[]}]\n", sh.ok("net -j show"));
        assertEquals("xdp:\n\ntc:\n\nflow_dissector:\n\n", sh.ok("net show dev lo"));

        assertTrue(sh.ok("xsk create frames 16 frame-size 2048 rx 16 tx 16 fill 16 comp 16").startsWith("3: xsk"));
        sh.ok("xsk bind 3 dev eth1 queue 0");
        sh.ok("map update name xsks key 0 0 0 0 value 3 0 0 0");
        assertEquals("3: fill  16 frames  (the application holds 0)\n", sh.ok("xsk fill 3"));

        DatagramChannel tx = sender();
        InetSocketAddress from = (InetSocketAddress) tx.getLocalAddress();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 40; i++) { // more than the 16 frames: reading gives them back
            byte[] p = ("datagram " + i + " " + "x".repeat(i * 7)).getBytes(StandardCharsets.US_ASCII);
            sent.add(p);
            tx.send(ByteBuffer.wrap(p), new InetSocketAddress("127.0.0.1", port));
            if (i % 8 == 7) {
                String read = sh.ok("xsk read 3 count 8 wait 10000");
                assertTrue(read.endsWith("Found 8 frames\n"), read);
                for (int k = i - 7; k <= i; k++) {
                    byte[] want = sent.get(k);
                    assertTrue(read.contains("  udp 127.0.0.1:" + from.getPort() + " > 127.0.0.1:" + port + "  payload "
                            + want.length + "\n\t" + Entries.hex(want, 0, want.length).replace("\n", "\n\t") + "\n"),
                            read);
                }
            }
        }
        long bytes = sent.stream().mapToLong(p -> 42 + p.length).sum();
        awaitDone("eth1", 40); // the device counts a redirect just after the RX ring has the frame
        String show = sh.ok("dev show eth1");
        assertEquals("2: eth1  queues 1\n\txdp driver id " + progId + "\n\tudp 127.0.0.1:" + port + "  datagrams 40  bytes "
                + (bytes - 40 * 42) + "\n\tqueue 0  xsk 3  packets 40  bytes " + bytes + "  pass 0  drop 0  tx 0  redirect 40"
                + "  aborted 0  redirect_errors 0  no_buffer 0  oversize 0\n", show);
        Map<?, ?> j = (Map<?, ?>) Json.documents(sh.ok("dev -j show eth1")).get(0);
        assertEquals(Map.of("mode", "driver", "id", Long.parseLong(progId), "link", 0L), j.get("xdp"));
        assertEquals(40L, ((Map<?, ?>) ((List<?>) j.get("rx")).get(0)).get("redirect"));
        String xsk = sh.ok("xsk show 3");
        assertTrue(xsk.contains("\trx_dropped 0  rx_invalid_descs 0  tx_invalid_descs 0\n"
                + "\trx_ring_full 0  rx_fill_ring_empty_descs 0  tx_ring_empty_descs 0\n"), xsk);
        assertTrue(xsk.contains("\tfill  size 16  producer 56  consumer 40  filled 16  free 0\n"), xsk);

        // JSON of read: the frame's addresses and payload as bpftool's hex strings
        tx.send(ByteBuffer.wrap(new byte[] {1, 2}), new InetSocketAddress("127.0.0.1", port));
        List<?> frames = (List<?>) Json.documents(sh.ok("xsk -j read 3 wait 10000")).get(0);
        assertEquals(1, frames.size());
        Map<?, ?> f = (Map<?, ?>) frames.get(0);
        assertEquals(Map.of("src", "127.0.0.1:" + from.getPort(), "dst", "127.0.0.1:" + port), f.get("udp"));
        assertEquals(List.of("0x01", "0x02"), f.get("payload"));
        assertEquals(44L, f.get("len"));
        assertEquals("Found 0 frames\n", sh.ok("xsk read 3"), "nothing more: no wait");

        // an empty FILL ring drops what arrives, and both sides count it
        sh.ok("xsk close 3");
        assertEquals("", sh.ok("xsk list"));
        tx.send(ByteBuffer.wrap(new byte[] {3}), new InetSocketAddress("127.0.0.1", port));
        awaitDone("eth1", 42);
        assertTrue(sh.ok("dev show eth1").contains("\tqueue 0  packets 42  bytes " + (bytes + 44 + 43)
                + "  pass 1  drop 0  tx 0  redirect 41"), "the slot went with the socket: XDP_PASS, no pass output");
    }

    /** {@code xsk read ... forward}: each frame read goes out of the TX ring, to the device's tx output, then back to FILL. */
    @Test
    void forwardedFramesLeaveThroughTheTxRingIntoTheTxOutput() throws Exception {
        Path sentFile = dir.resolve("sent.pcap");
        sh.ok("dev add eth1 udp 127.0.0.1:0 tx pcap " + sentFile);
        int port = feedPort("eth1");
        sh.ok("map create /sys/fs/bpf/xsks type xskmap key 4 value 4 entries 1 name xsks");
        sh.ok("prog load xsk_def_prog xdp map idx 0 name xsks pinned /sys/fs/bpf/xsk_def_prog");
        sh.ok("net attach xdp pinned /sys/fs/bpf/xsk_def_prog dev eth1");
        sh.ok("xsk create frames 4 frame-size 2048 rx 4 tx 4 fill 4 comp 4");
        sh.ok("xsk bind 3 dev eth1 queue 0");
        sh.ok("map update name xsks key 0 0 0 0 value 3 0 0 0");
        sh.ok("xsk fill 3");
        DatagramChannel tx = sender();
        List<byte[]> sent = new ArrayList<>();
        for (int round = 0; round < 5; round++) { // 15 frames through a UMEM of 4: each comes back
            for (int i = 0; i < 3; i++) {
                byte[] p = ("round " + round + " frame " + i).getBytes(StandardCharsets.US_ASCII);
                sent.add(p);
                tx.send(ByteBuffer.wrap(p), new InetSocketAddress("127.0.0.1", port));
            }
            String read = sh.ok("xsk read 3 count 3 wait 10000 forward");
            assertTrue(read.endsWith("Found 3 frames\nSent 3 frames\n"), read);
        }
        try (PcapReader rd = PcapReader.open(sentFile)) {
            for (byte[] want : sent) {
                assertTrue(rd.next());
                ByteBuffer f = rd.frame();
                UdpFrame u = UdpFrame.parse(f, FAIL);
                assertEquals(0, u.verifyChecksums(f, FAIL), "the frame went out as it came in");
                assertEquals(ByteBuffer.wrap(want), u.payload(f));
                assertEquals(port, u.dstPort());
            }
            assertFalse(rd.next());
        }
        String xsk = sh.ok("xsk show 3");
        assertTrue(xsk.contains("\tcomp  size 4  producer 15  consumer 15  filled 0  free 4\n"), xsk);
        assertTrue(xsk.contains("\ttx    size 4  producer 15  consumer 15  filled 0  free 4\n"), xsk);
        // each sendto ends at an empty TX ring: once a read, or more when a read took its 3 frames in two looks
        Matcher empty = Pattern.compile("\trx_ring_full 0  rx_fill_ring_empty_descs 0  tx_ring_empty_descs (\\d+)\n")
                .matcher(xsk);
        assertTrue(empty.find() && Integer.parseInt(empty.group(1)) >= 5 && Integer.parseInt(empty.group(1)) <= 15, xsk);
        assertTrue(sh.ok("dev show eth1").contains("\ttx pcap " + sentFile + "  frames 15\n"));
        assertEquals("3: fill  0 frames  (the application holds 0)\n", sh.ok("xsk fill 3"), "every frame with the device");
    }

    private Emulator.Result bpftool(String line) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int exit = new Bpftool(sh.bpf).run(List.of(line.split(" ")), new java.io.PrintStream(out, true,
                StandardCharsets.UTF_8), new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        return new Emulator.Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private int feedPortAfterAdd() {
        String added = sh.ok("dev add eth1 udp 127.0.0.1:0");
        Matcher m = UDP.matcher(added);
        assertTrue(m.find(), added);
        return Integer.parseInt(m.group(1));
    }

    @Test
    void passedAndSentFramesGoToPcapFilesAndUdpTargets() throws Exception {
        // a program of the test's: UDP to port 7 is sent back out (XDP_TX), anything else passes
        sh.host.addProgram(new ProgramProvider() {
            @Override
            public String name() {
                return "echo_or_pass";
            }

            @Override
            public ProgramCode code() {
                return (XdpProgram) ctx -> {
                    ByteBuffer b = ctx.frame();
                    int port = (b.get(ctx.data() + 36) & 0xff) << 8 | b.get(ctx.data() + 37) & 0xff;
                    return port == 7 ? XdpAction.XDP_TX : XdpAction.XDP_PASS;
                };
            }
        });
        Path passed = dir.resolve("passed.pcap");
        DatagramChannel target = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        open.add(target);
        int targetPort = ((InetSocketAddress) target.getLocalAddress()).getPort();
        String added = sh.ok("dev add eth2 queues 2 pass pcap " + passed + " tx udp 127.0.0.1:" + targetPort);
        assertTrue(added.contains("\tpass pcap " + passed + "  frames 0\n\ttx udp 127.0.0.1:" + targetPort
                + "  frames 0\n"), added);
        sh.ok("prog load echo_or_pass xdp pinned /sys/fs/bpf/echo");
        sh.ok("net attach xdpdrv pinned /sys/fs/bpf/echo dev eth2");

        // a capture of the test's, replayed: two datagrams to port 7 (sent), three to 53 (passed)
        Path in = dir.resolve("in.pcap");
        List<byte[]> frames = new ArrayList<>();
        try (PcapWriter w = PcapWriter.create(in, Pcap.Precision.MICROS, 65535)) {
            for (int i = 0; i < 5; i++) {
                ByteBuffer b = ByteBuffer.allocate(200);
                EthernetFrames.udp(b, new InetSocketAddress("127.0.0.9", 4000 + i),
                        new InetSocketAddress("127.0.0.1", i < 2 ? 7 : 53), ByteBuffer.wrap(("p" + i).getBytes()), i, FAIL);
                b.flip();
                byte[] bytes = new byte[b.remaining()];
                b.duplicate().get(bytes);
                frames.add(bytes);
                w.write(1_000_000_000L * (i + 1), b);
            }
        }
        assertEquals(new Emulator.Result(255, "", "Error: device 'eth2' has no capture to replay\n"
                + "  dev replay eth2 pcap FILE, or give it one: dev set eth2 pcap FILE\n"), sh.run("dev replay eth2"));
        assertTrue(sh.ok("dev set eth2 pcap " + in).contains("\tpcap " + in + "  replayed 0\n"));
        assertEquals("eth2  replayed 5 frames\n", sh.ok("dev replay eth2"));
        assertTrue(sh.ok("dev show eth2").contains("\tpcap " + in + "  replayed 5\n"));
        assertEquals("{\"dev\":\"eth2\",\"frames\":0}\n", sh.ok("dev -j replay eth2 pcap " + emptyPcap()));

        // XDP_TX: each frame's payload as a datagram to the target
        target.configureBlocking(true);
        target.socket().setSoTimeout(10_000);
        for (int i = 0; i < 2; i++) {
            java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[100], 100);
            target.socket().receive(p);
            assertEquals("p" + i, new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
        }
        // XDP_PASS: the frames, byte for byte, in the pass capture, their checksums right
        try (PcapReader rd = PcapReader.open(passed)) {
            for (int i = 2; i < 5; i++) {
                assertTrue(rd.next());
                byte[] got = new byte[rd.frame().remaining()];
                rd.frame().duplicate().get(got);
                assertArrayEquals(frames.get(i), got);
                ByteBuffer f = ByteBuffer.wrap(got);
                assertEquals(0, UdpFrame.parse(f, FAIL).verifyChecksums(f, FAIL));
            }
            assertFalse(rd.next());
        }
        String show = sh.ok("dev show eth2");
        assertTrue(show.contains("\tpass pcap " + passed + "  frames 3\n\ttx udp 127.0.0.1:" + targetPort + "  frames 2\n"),
                show);
        long tx = 0;
        long pass = 0;
        for (int q = 0; q < 2; q++) {
            RxQueueStatistics s = NetDevices.of(sh.bpf).rxQueue(NetDevices.of(sh.bpf).byName("eth2").ifindex(), q)
                    .statistics();
            tx += s.tx();
            pass += s.pass();
        }
        assertEquals(List.of(2L, 3L), List.of(tx, pass));

        // set: the pass output off, the sent frames to a pcap file now
        Path sentFile = dir.resolve("sent.pcap");
        String set = sh.ok("dev set eth2 pass off tx pcap " + sentFile);
        assertTrue(set.contains("\ttx pcap " + sentFile + "  frames 0\n") && !set.contains("\tpass "), set);
        sh.ok("dev replay eth2 pcap " + in);
        try (PcapReader rd = PcapReader.open(sentFile)) {
            for (int i = 0; i < 2; i++) {
                assertTrue(rd.next());
                byte[] got = new byte[rd.frame().remaining()];
                rd.frame().duplicate().get(got);
                assertArrayEquals(frames.get(i), got, "XDP_TX sends the frame as the program left it");
            }
            assertFalse(rd.next());
        }
    }

    private Path emptyPcap() throws Exception {
        Path p = dir.resolve("empty.pcap");
        PcapWriter.create(p, Pcap.Precision.NANOS, 100).close();
        return p;
    }

    @Test
    void badInputGetsAnErrorLineAndChangesNothing() throws Exception {
        sh.ok("dev add eth1 udp 127.0.0.1:0");
        int port = feedPort("eth1");
        Emulator.Result taken = sh.run("dev add eth2 udp 127.0.0.1:" + port);
        assertEquals(255, taken.exit());
        assertTrue(taken.stderr().startsWith("Error: can't open udp 127.0.0.1:" + port + " for device 'eth2': "
                + "Address already in use (EADDRINUSE)\n"), taken.stderr());
        assertEquals(null, NetDevices.of(sh.bpf).byName("eth2"), "no device added");
        Emulator.Result remote = sh.run("dev add eth2 udp 10.0.0.1:9");
        assertEquals(new Emulator.Result(255, "", "Error: invalid udp address '10.0.0.1:9'\n  ADDR:PORT on loopback: "
                + "127.0.0.0/8 or [::1], a port from 0 to 65535 (0: any free one for a feed)\n"), remote);
        Emulator.Result noDir = sh.run("dev add eth2 pass pcap " + dir.resolve("no/such/dir/p.pcap"));
        assertEquals(255, noDir.exit());
        assertTrue(noDir.stderr().startsWith("Error: can't open pass pcap "), noDir.stderr());
        assertEquals(null, NetDevices.of(sh.bpf).byName("eth2"));
        assertTrue(sh.run("dev add eth2 queues 2 queues 3").stderr().startsWith("Usage: dev"));
        assertTrue(sh.run("dev set eth1").stderr().startsWith("Usage: dev"));
        assertEquals(new Emulator.Result(255, "", "Error: no device 'nope'\n  dev list shows the instance's devices\n"),
                sh.run("dev set nope udp off"));

        Path bad = dir.resolve("bad.pcap");
        Files.write(bad, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Emulator.Result r = sh.run("dev replay eth1 pcap " + bad);
        assertEquals(255, r.exit());
        assertTrue(r.stderr().startsWith("Error: can't replay " + bad + ": malformed at byte offset 0 after 0 frames\n"),
                r.stderr());
        assertTrue(sh.run("dev replay eth1 pcap " + dir.resolve("none.pcap")).stderr().startsWith("Error: can't replay "));
        assertEquals(new Emulator.Result(255, "", "Error: can't open pcap " + bad + " for device 'eth3': magic "
                + "0x01020304: not a classic pcap file (0xa1b2c3d4 or 0xa1b23c4d in either byte order) (byte offset 0)\n"), sh.run("dev add eth3 pcap " + bad));
        assertEquals(new Emulator.Result(255, "", "Error: can't open pcap " + dir.resolve("none.pcap") + " for device "
                + "'eth3': No such file or directory (ENOENT)\n"), sh.run("dev add eth3 pcap " + dir.resolve("none.pcap")));
        assertEquals(null, NetDevices.of(sh.bpf).byName("eth3"));

        // net: bpftool's lines and exit codes
        assertAll(
                () -> assertEquals(new Emulator.Result(234, "", "Error: 'attach' needs at least 5 arguments, 3 found\n"),
                        sh.run("net attach xdp id 1")),
                () -> assertEquals(new Emulator.Result(234, "", "Error: invalid net attach/detach type: bogus\n"),
                        sh.run("net attach bogus id 1 dev lo")),
                () -> assertEquals(new Emulator.Result(234, "", "Error: get by id (1): No such file or directory\n"
                        + "  no prog has id 1\n"), sh.run("net attach xdp id 1 dev nosuchdev")),
                () -> assertEquals(new Emulator.Result(255, "", "Error: invalid devname nosuch\n"
                        + "  dev list shows the instance's devices\n"), sh.run("net show dev nosuch")),
                () -> assertEquals(0, sh.run("net help").exit()),
                () -> assertEquals(NetCommand.USAGE, sh.run("net help").stderr()),
                () -> assertEquals(new Emulator.Result(254, "", "Error: failed to get link with ID 99999: No such file or "
                        + "directory\n  no link has id 99999\n"), sh.run("link show id 99999")),
                () -> assertEquals(new Emulator.Result(1, "", "Error: failed to get link with ID 99999: No such file or "
                        + "directory\n  no link has id 99999\n"), sh.run("link detach id 99999")),
                () -> assertEquals(254, sh.run("link pin id 99999 /sys/fs/bpf/x").exit()),
                () -> assertEquals(new Emulator.Result(0, "", ""), sh.run("link show")),
                () -> assertEquals(new Emulator.Result(0, "[]\n", ""), sh.run("link -j show")));

        // xsk fill / read on what cannot take them
        sh.ok("xsk create frames 4 frame-size 2048 rx 4 tx 4 fill 4 comp 4");
        assertEquals("3: fill  4 frames  (the application holds 0)\n", sh.ok("xsk fill 3 9"));
        assertEquals("3: fill  0 frames  (the application holds 0)\n", sh.ok("xsk fill 3"));
        assertTrue(sh.run("xsk read 3 count").stderr().startsWith("Usage: xsk"));
        assertEquals(new Emulator.Result(255, "", "Error: invalid wait '3600001'\n  wait: milliseconds from 0 to 3600000\n"),
                sh.run("xsk read 3 wait 3600001"));
        assertEquals("Found 0 frames\n", sh.ok("xsk read 3 wait 1"));
    }

    @Test
    void attachRulesAndLinksAsBpftoolShowsThem() throws Exception {
        sh.ok("dev add eth1 queues 2");
        sh.ok("map create /sys/fs/bpf/xsks type xskmap key 4 value 4 entries 2 name xsks");
        String a = sh.ok("prog load xsk_def_prog xdp map idx 0 pinned /sys/fs/bpf/xsks pinned /sys/fs/bpf/p1")
                .substring(3).trim();
        String b = sh.ok("prog load xsk_def_prog xdp map idx 0 name xsks pinned /sys/fs/bpf/p2").substring(3).trim();
        assertTrue(sh.ok("prog show pinned /sys/fs/bpf/p2").startsWith(b + ": xdp  name xsk_def_prog  tag "));

        sh.ok("net attach xdp pinned /sys/fs/bpf/p1 dev eth1");
        Emulator.Result busy = sh.run("net attach xdp pinned /sys/fs/bpf/p2 dev eth1");
        assertEquals(240, busy.exit(), busy.toString());
        assertTrue(busy.stderr().startsWith("Error: interface xdp attach failed: Device or resource busy\n"), busy.stderr());
        sh.ok("net attach xdp pinned /sys/fs/bpf/p2 dev eth1 overwrite");
        assertEquals("xdp:\neth1(2) driver id " + b + "\n\ntc:\n\nflow_dissector:\n\n", sh.ok("net list"));
        Emulator.Result generic = sh.run("net attach xdpgeneric pinned /sys/fs/bpf/p1 dev eth1 overwrite");
        assertEquals(239, generic.exit(), "native and generic exclude each other: EEXIST");
        assertEquals(new Emulator.Result(234, "", "Error: expected 'overwrite', got: 'please'?\n"),
                sh.run("net attach xdp pinned /sys/fs/bpf/p1 dev eth1 please"));
        assertEquals("", sh.ok("net detach xdp dev eth1"));
        assertEquals("xdp:\n\ntc:\n\nflow_dissector:\n\n", sh.ok("net show"));
        assertEquals("null\n", sh.ok("net -j detach xdp dev eth1"), "nothing attached: detach does nothing");

        // a link (LINK_CREATE) as bpftool 7.1 shows it; net show sees its program
        int prog = sh.bpf.bpf(org.bpfmaps.core.api.BpfCmd.OBJ_GET, new org.bpfmaps.core.api.ObjAttr("/sys/fs/bpf/p1", 0));
        BpfLink link = BpfLink.attachXdp(sh.bpf, prog, 2, 0);
        open.add(link);
        int linkId = link.id();
        assertEquals(linkId + ": xdp  prog " + a + "  \n", sh.ok("link show"));
        assertEquals("[{\"id\":" + linkId + ",\"type\":\"xdp\",\"prog_id\":" + a + "}]\n", sh.ok("link -j list"));
        assertEquals("xdp:\neth1(2) driver id " + a + "\n\ntc:\n\nflow_dissector:\n\n", sh.ok("net show dev eth1"));
        assertTrue(sh.ok("dev show eth1").contains("\txdp driver id " + a + "  link " + linkId + "\n"));
        Emulator.Result overLink = sh.run("net attach xdp pinned /sys/fs/bpf/p2 dev eth1 overwrite");
        assertEquals(240, overLink.exit(), "a link holds the device: EBUSY");
        assertEquals(240, sh.run("net detach xdp dev eth1").exit(), "and refuses link-less detach");

        assertEquals("", sh.ok("link pin id " + linkId + " /sys/fs/bpf/l"));
        assertEquals(linkId + ": xdp  prog " + a + "  \n", sh.ok("link show pinned /sys/fs/bpf/l"));
        assertEquals(new Emulator.Result(255, "", "Error: incorrect object type: prog\n"),
                sh.run("link show pinned /sys/fs/bpf/p1"));
        assertEquals(new Emulator.Result(255, "", "Error: incorrect object type: map\n"),
                sh.run("link show pinned /sys/fs/bpf/xsks"));
        assertEquals("", sh.ok("link detach pinned /sys/fs/bpf/l"));
        assertEquals("xdp:\n\ntc:\n\nflow_dissector:\n\n", sh.ok("net show"), "detached: the device runs nothing");
        assertEquals(linkId + ": xdp  prog " + a + "  \n", sh.ok("link show id " + linkId), "the link stays");

        // the same objects through the bpftool command (and so batch files): bpftool's options, its usage
        assertEquals(new Emulator.Result(0, "[{\"id\":" + linkId + ",\"type\":\"xdp\",\"prog_id\":" + a + "}]\n", ""),
                bpftool("-j link show"));
        assertEquals(new Emulator.Result(0, "xdp:\n\ntc:\n\nflow_dissector:\n\n", ""), bpftool("net show"));
        Emulator.Result usage = bpftool("net help");
        assertTrue(usage.stderr().startsWith("Usage: bpftool net { show | list } [dev <devname>]\n"
                + "       bpftool net attach ATTACH_TYPE PROG dev <devname> [ overwrite ]\n"), usage.stderr());
        assertEquals(new Emulator.Result(255, "", usage.stderr()), bpftool("net bogus"), "an unknown command: the usage");
        assertTrue(bpftool("link help").stderr().startsWith("Usage: bpftool link { show | list }   [LINK]\n"
                + "       bpftool link pin        LINK  FILE\n"));
        link.close();
        sh.bpf.close(prog);

        Completion c = new Completion(sh.bpf, List::of, List::of);
        assertAll(
                () -> assertEquals(List.of("attach", "detach", "help", "list", "show"), c.candidates("net ", 4)),
                () -> assertEquals(List.of("xdp", "xdpdrv", "xdpgeneric", "xdpoffload"), c.candidates("net attach x", 12)),
                () -> assertEquals(List.of("eth1"), c.candidates("net detach xdp dev e", 20)),
                () -> assertEquals(List.of("overwrite"), c.candidates("net attach xdp id 1 dev eth1 ", 29)),
                () -> assertEquals(List.of("detach", "help", "list", "pin", "show"), c.candidates("link ", 5)),
                () -> assertEquals(List.of("idx"), c.candidates("prog load xsk_def_prog xdp map ", 31)),
                () -> assertEquals(List.of("pass", "pcap", "tx", "udp"), c.candidates("dev add e queues 2 ", 19)),
                () -> assertEquals(List.of("off", "pcap", "udp"), c.candidates("dev set eth1 tx ", 16)));
        assertNotNull(link);
    }
}
