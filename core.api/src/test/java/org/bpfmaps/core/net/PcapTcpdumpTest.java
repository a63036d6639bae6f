package org.bpfmaps.core.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A capture written by {@code tcpdump} on this machine (on {@code lo} only, a filter on the test's
 * own port, a bounded packet count) read back: every datagram the test sent, with the kernel's
 * headers, which must be the ones {@link EthernetFrames} builds; the UDP checksums {@code tcpdump
 * -vv} computes must be ours; and the file copied through {@link PcapWriter} must be byte-identical
 * to tcpdump's. Skipped, with the reason, where tcpdump is absent or may not capture.
 */
class PcapTcpdumpTest {
    private static final int DATAGRAMS = 40;

    @TempDir
    Path dir;

    private static String tcpdump() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String base : new String[] {d, "/usr/sbin", "/usr/bin"}) {
                File f = new File(base, "tcpdump");
                if (f.canExecute()) {
                    return f.getPath();
                }
            }
        }
        return null;
    }

    @ParameterizedTest
    @EnumSource(Pcap.Precision.class)
    void readsWhatTcpdumpCaptured(Pcap.Precision precision) throws Exception {
        String tcpdump = tcpdump();
        assumeTrue(tcpdump != null, "tcpdump is not installed (apt-get install -y tcpdump): this test is skipped");
        Path file = dir.resolve("lo.pcap");
        Files.createDirectories(dir);
        try (DatagramChannel rx = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                DatagramChannel tx = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.2", 0))) {
            InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
            rx.socket().setSoTimeout(10_000);
            List<String> cmd = new ArrayList<>(List.of(tcpdump, "-i", "lo", "-n", "-U", "-c",
                    Integer.toString(DATAGRAMS), "-w", file.toString(), "--time-stamp-precision="
                            + (precision == Pcap.Precision.NANOS ? "nano" : "micro")));
            if ("root".equals(System.getProperty("user.name"))) {
                cmd.addAll(List.of("-Z", "root")); // keep the right to write into the test's directory
            }
            cmd.addAll(List.of("udp", "and", "dst", "port", Integer.toString(to.getPort())));
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                List<String> stderr = awaitListening(p);
                List<byte[]> sent = new ArrayList<>();
                Random r = new Random(precision.ordinal());
                long before = System.currentTimeMillis() * 1_000_000L;
                for (int i = 0; i < DATAGRAMS; i++) {
                    byte[] payload = new byte[i == 0 ? 0 : i == 1 ? 9000 : r.nextInt(1473)];
                    r.nextBytes(payload);
                    sent.add(payload);
                    tx.send(ByteBuffer.wrap(payload), to);
                    DatagramPacket back = new DatagramPacket(new byte[9001], 9001);
                    rx.socket().receive(back); // the datagram was delivered, so it passed lo (10 s at most)
                    assertEquals(payload.length, back.getLength());
                }
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    fail("tcpdump did not stop after " + DATAGRAMS + " packets within 20 s: " + stderr);
                }
                long after = System.currentTimeMillis() * 1_000_000L + 1_000_000L;
                assertEquals(0, p.exitValue(), "tcpdump: " + stderr);
                check(file, precision, sent, (InetSocketAddress) tx.getLocalAddress(), to, before, after);
                checkTcpdumpChecksums(tcpdump, file, sent, (InetSocketAddress) tx.getLocalAddress(), to);
                checkCopyIsIdentical(file);
            } finally {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Waits for "listening on" (tcpdump prints it once the capture runs); skips when tcpdump cannot capture. */
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

    private static void check(Path file, Pcap.Precision precision, List<byte[]> sent, InetSocketAddress from,
            InetSocketAddress to, long before, long after) throws Exception {
        Errors errs = new Errors();
        boolean subMicro = false;
        try (PcapReader rd = PcapReader.open(file)) {
            assertEquals(precision, rd.precision());
            assertEquals(ByteOrder.nativeOrder(), rd.order(), "libpcap writes in the host's order");
            for (int i = 0; i < sent.size(); i++) {
                assertTrue(rd.next(), "record " + i);
                ByteBuffer f = rd.frame();
                assertEquals(f.remaining(), rd.originalLength(), "not cut by the snaplen");
                assertTrue(rd.timestampNanos() >= before - 1_000_000_000L && rd.timestampNanos() <= after,
                        "timestamp " + rd.timestampNanos() + " within the test's send loop");
                subMicro |= rd.timestampNanos() % 1000 != 0;
                UdpFrame u = UdpFrame.parse(f, errs);
                assertNotNull(u, errs.reasons::toString);
                assertEquals(from, u.source());
                assertEquals(to, u.destination());
                assertEquals(ByteBuffer.wrap(sent.get(i)), u.payload(f));
                int ipId = EthernetFrames.get16(f, 18);

                // our frame for the same datagram, with the id the kernel chose
                ByteBuffer ours = ByteBuffer.allocate(EthernetFrames.MAX_FRAME);
                EthernetFrames.udp(ours, from, to, ByteBuffer.wrap(sent.get(i)), ipId, errs);
                ours.flip();
                assertEquals(ours.remaining(), f.remaining());
                assertArrayEquals(bytes(ours, 14, 20), bytes(f, 14, 20),
                        "IPv4 header (TOS, DF, TTL, checksum): the kernel's, record " + i);
                assertArrayEquals(bytes(ours, 34, 6), bytes(f, 34, 6), "UDP ports and length");
                assertArrayEquals(bytes(ours, 42, sent.get(i).length), bytes(f, 42, sent.get(i).length));
                // lo leaves the UDP checksum partial (CHECKSUM_PARTIAL): the folded pseudo-header sum
                int partial = InetChecksum.fold(EthernetFrames.pseudoHeaderSum(f, 14, false, 8 + sent.get(i).length));
                int kernel = EthernetFrames.get16(f, 40);
                ByteBuffer fixed = ByteBuffer.allocate(f.remaining()).put(f.duplicate()).flip();
                EthernetFrames.put16(fixed, 40, EthernetFrames.get16(ours, 40));
                assertTrue(kernel == partial || kernel == EthernetFrames.get16(ours, 40),
                        String.format("UDP checksum 0x%04x: the partial 0x%04x or ours 0x%04x", kernel, partial,
                                EthernetFrames.get16(ours, 40)));
                assertEquals(0, UdpFrame.parse(fixed, errs).verifyChecksums(fixed, errs), errs.reasons::toString);
            }
            assertFalse(rd.next(), "exactly the datagrams sent");
        }
        if (precision == Pcap.Precision.NANOS) {
            assertTrue(subMicro, "a nanosecond capture has some timestamp below the microsecond");
        }
    }

    private static final Pattern SUM = Pattern.compile("bad udp cksum 0x([0-9a-f]+) -> 0x([0-9a-f]+)!|udp sum ok");

    /** tcpdump's own checksum computation (-vv) for each record must be the one our frame carries. */
    private static void checkTcpdumpChecksums(String tcpdump, Path file, List<byte[]> sent, InetSocketAddress from,
            InetSocketAddress to) throws Exception {
        Process p = new ProcessBuilder(tcpdump, "-r", file.toString(), "-n", "-vv").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "tcpdump -r ended");
        Matcher m = SUM.matcher(out);
        Errors errs = new Errors();
        int compared = 0;
        for (int i = 0; i < sent.size(); i++) {
            assertTrue(m.find(), "tcpdump -vv judged record " + i + ": " + out);
            ByteBuffer ours = ByteBuffer.allocate(EthernetFrames.MAX_FRAME);
            EthernetFrames.udp(ours, from, to, ByteBuffer.wrap(sent.get(i)), 0, errs);
            int our = EthernetFrames.get16(ours, 40);
            if (m.group(2) != null) {
                assertEquals(Integer.parseInt(m.group(2), 16), our, "record " + i + ": " + m.group());
                compared++;
            }
        }
        assertTrue(compared > 0, "lo's partial checksums make tcpdump print the right one: " + out);
    }

    /** Every record copied through PcapWriter, in the file's precision and snaplen: the same file, byte for byte. */
    private static void checkCopyIsIdentical(Path file) throws Exception {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        try (PcapReader rd = PcapReader.open(file);
                PcapWriter w = PcapWriter.of(copy, rd.precision(), rd.snaplen(), rd.order())) {
            while (rd.next()) {
                w.write(rd.timestampNanos(), rd.frame(), rd.originalLength());
            }
        }
        assertArrayEquals(Files.readAllBytes(file), copy.toByteArray(), "tcpdump's file rewritten");
    }

    private static byte[] bytes(ByteBuffer b, int off, int len) {
        byte[] a = new byte[len];
        b.get(b.position() + off, a);
        return a;
    }
}
