package org.bpfmaps.map.sockmap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.impl.datapath.DataPath;
import org.bpfmaps.core.impl.datapath.SockPrograms;
import org.bpfmaps.core.prog.ProgramCode;
import org.bpfmaps.core.prog.SkAction;
import org.bpfmaps.core.prog.SkMsgProgram;
import org.bpfmaps.core.prog.SkSkbProgram;
import org.bpfmaps.core.sock.SockChannel;
import org.bpfmaps.map.array.ArrayProvider;
import org.bpfmaps.testsupport.traffic.Await;
import org.bpfmaps.testsupport.traffic.Resources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The data path's verdicts on two owned sockets A and B (each the accepted end of a loopback
 * connection; their clients are the peers), with programs wired directly (no PROG_ATTACH yet).
 * A SOCKMAP holds A at 0 and B at 1. The stream parser cuts messages {@code [tag][len][len bytes]};
 * the verdict acts on the tag: P pass, D drop, I redirect into B's read side (BPF_F_INGRESS),
 * E redirect out of B, X redirect to an empty slot, F a redirect with a bad flag, T throw, W wait
 * until the test releases it.
 */
class DataPathTest {
    private static final Duration SHORT = Duration.ofSeconds(10);
    private SockFixture fx;
    private DataPath dp;
    private int sockmap;
    private SockFixture.Tcp a;
    private SockFixture.Tcp b;
    private int fdA;
    private int fdB;
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger waiting = new AtomicInteger();

    @BeforeEach
    void sockets() throws IOException {
        fx = new SockFixture();
        fx.runtime.addProvider(new ArrayProvider());
        sockmap = fx.create(MapType.SOCKMAP, 4, 8, 4, 0);
        a = fx.tcp("127.0.0.1");
        b = fx.tcp("127.0.0.1");
        fdA = fx.register(a.accepted());
        fdB = fx.register(b.accepted());
        assertEquals(0, fx.update(sockmap, 0, fdA, 0));
        assertEquals(0, fx.update(sockmap, 1, fdB, 0));
    }

    @AfterEach
    void close() {
        release.countDown();
        if (dp != null) {
            dp.close();
        }
        fx.close();
        Await.until(() -> Resources.liveThreads(DataPath.THREAD_PREFIX).isEmpty(), SHORT,
                () -> "data path threads left: " + Resources.liveThreads(DataPath.THREAD_PREFIX));
    }

    private int load(ProgType t, ProgramCode code, int... maps) {
        ProgLoadAttr p = new ProgLoadAttr(t, code);
        p.mapFds = maps;
        int fd = fx.bpf.bpf(BpfCmd.PROG_LOAD, p);
        assertTrue(fd > 0, p.errorMessage());
        return fd;
    }

    private static final SkSkbProgram PARSER = ctx -> ctx.len() < 2 ? 0 : 2 + (ctx.data().get(1) & 0xff);

    private SkSkbProgram verdict() {
        return ctx -> switch (ctx.data().get(0)) {
            case 'P' -> SkAction.SK_PASS;
            case 'I' -> ctx.skRedirectMap(0, 1, SkAction.BPF_F_INGRESS);
            case 'E' -> ctx.skRedirectMap(0, 1, 0);
            case 'X' -> ctx.skRedirectMap(0, 3, 0);
            case 'F' -> ctx.skRedirectMap(0, 1, 2);
            case 'T' -> throw new IllegalStateException("a program that throws");
            case 'W' -> {
                waiting.incrementAndGet();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                yield SkAction.SK_PASS;
            }
            default -> SkAction.SK_DROP;
        };
    }

    private static byte[] msg(char tag, String payload) {
        byte[] p = payload.getBytes(StandardCharsets.US_ASCII);
        byte[] m = new byte[2 + p.length];
        m[0] = (byte) tag;
        m[1] = (byte) p.length;
        System.arraycopy(p, 0, m, 2, p.length);
        return m;
    }

    private static void send(ByteChannel ch, byte[]... msgs) throws IOException {
        for (byte[] m : msgs) {
            ByteBuffer bb = ByteBuffer.wrap(m);
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
        }
    }

    /** Reads exactly n bytes (blocking), failing at the deadline. */
    private static String read(ByteChannel ch, int n) {
        return assertTimeoutPreemptively(SHORT, () -> {
            ByteBuffer bb = ByteBuffer.allocate(n);
            while (bb.hasRemaining()) {
                if (ch.read(bb) < 0) {
                    break;
                }
            }
            return new String(bb.array(), 0, bb.position(), StandardCharsets.US_ASCII);
        });
    }

    @Test
    void passDropAndRedirectsByTheVerdict() throws Exception {
        int pfd = load(ProgType.SK_SKB, PARSER);
        int vfd = load(ProgType.SK_SKB, verdict(), sockmap);
        dp = new DataPath(DataPath.Config.defaults());
        SockPrograms progs = SockPrograms.of(fx.bpf, pfd, vfd, 0);
        SockChannel sa = dp.own(fx.bpf, fdA, progs);
        SockChannel sb = dp.own(fx.bpf, fdB, progs);
        send(a.client(), msg('P', "pass1"), msg('D', "drop"), msg('I', "in1"), msg('E', "out1"), msg('X', "none"),
                msg('F', "badflag"), msg('T', "throws"), msg('P', "pass2"), msg('I', "in2"), msg('E', "out2"));
        assertEquals(msg('P', "pass1").length + msg('P', "pass2").length, 14);
        // SK_PASS delivers the whole message (the parser's length) to A's read side, in order
        assertEquals(new String(msg('P', "pass1"), StandardCharsets.US_ASCII) + new String(msg('P', "pass2"),
                StandardCharsets.US_ASCII), read(sa, 14));
        assertEquals(new String(msg('I', "in1"), StandardCharsets.US_ASCII) + new String(msg('I', "in2"),
                StandardCharsets.US_ASCII), read(sb, 10));
        assertEquals(new String(msg('E', "out1"), StandardCharsets.US_ASCII) + new String(msg('E', "out2"),
                StandardCharsets.US_ASCII), read(b.client(), 12));
        // D, X (no socket at 3), F (a flag other than BPF_F_INGRESS), T (aborted): four drops
        Await.until(() -> dp.dropped() == 4, SHORT, () -> "dropped " + dp.dropped());
        assertEquals(1, SockPrograms.of(fx.bpf, 0, vfd, 0).verdict().aborted());
        sa.configureBlocking(false);
        assertEquals(0, sa.read(ByteBuffer.allocate(16)), "nothing else reached A's read side");
        // the application's writes without an SK_MSG program go straight out
        send(sa, "reply".getBytes(StandardCharsets.US_ASCII));
        assertEquals("reply", read(a.client(), 5));
        // end of stream reaches the read side
        a.client().shutdownOutput();
        sa.configureBlocking(true);
        assertEquals(-1, assertTimeoutPreemptively(SHORT, () -> sa.read(ByteBuffer.allocate(1))));
    }

    @Test
    void withoutAParserEachReadIsAMessage() throws Exception {
        int vfd = load(ProgType.SK_SKB, (SkSkbProgram) ctx -> ctx.skRedirectMap(0, 1, 0), sockmap);
        dp = new DataPath(DataPath.Config.defaults());
        dp.own(fx.bpf, fdA, SockPrograms.of(fx.bpf, 0, vfd, 0));
        dp.own(fx.bpf, fdB, SockPrograms.NONE);
        send(a.client(), "through the verdict".getBytes(StandardCharsets.US_ASCII));
        assertEquals("through the verdict", read(b.client(), 19));
    }

    /**
     * A verdict that never returns: the watchdog abandons its run after the deadline, drops its
     * message and a new selector thread goes on with the next one; the old thread ends when its
     * program returns, touching nothing.
     */
    @Test
    void theWatchdogReplacesAThreadStuckInAProgram() throws Exception {
        int pfd = load(ProgType.SK_SKB, PARSER);
        int vfd = load(ProgType.SK_SKB, verdict(), sockmap);
        dp = new DataPath(new DataPath.Config(1 << 20, 64 << 10, 200_000_000L));
        SockChannel sa = dp.own(fx.bpf, fdA, SockPrograms.of(fx.bpf, pfd, vfd, 0));
        send(a.client(), msg('W', "stuck"), msg('P', "after"));
        assertEquals(new String(msg('P', "after"), StandardCharsets.US_ASCII), read(sa, 7));
        assertEquals(1, waiting.get());
        assertEquals(1, dp.abandonedRuns());
        assertEquals(1, dp.dropped());
        assertEquals(2, dp.threadsStarted());
        assertTrue(Resources.liveThreads(DataPath.THREAD_PREFIX + "-1").size() == 1, "the stuck thread is still in its program");
        release.countDown();
        Await.until(() -> Resources.liveThreads(DataPath.THREAD_PREFIX + "-1").isEmpty(), SHORT,
                () -> "the abandoned thread did not end when its program returned");
        // its message stays dropped, and the new thread still serves the socket
        send(a.client(), msg('P', "more"));
        assertEquals(new String(msg('P', "more"), StandardCharsets.US_ASCII), read(sa, 6));
        assertEquals(2, dp.threadsStarted());
    }

    private static ByteBuffer u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, v);
    }

    private long counted(int array, int key) {
        ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        assertEquals(0, fx.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(array, u32(key), v, 0)));
        return v.getLong(0);
    }

    /**
     * An SK_MSG program on A and B counts the bytes each sends in an ARRAY (by socket: A at 0, B at
     * 1) and redirects them: A's out of B (egress), B's into A's read side (BPF_F_INGRESS). The
     * counts and the bytes are checked exactly.
     */
    @Test
    void anSkMsgProgramRedirectsAndCountsBytes() throws Exception {
        int array = fx.bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 2));
        assertTrue(array > 0);
        long cookieA = fx.sock(fdA).cookie();
        SkMsgProgram count = ctx -> {
            int me = ctx.socketCookie() == cookieA ? 0 : 1;
            ByteBuffer k = u32(me);
            ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            ctx.mapLookupElem(1, k, v);
            v.putLong(0, v.getLong(0) + ctx.size());
            ctx.mapUpdateElem(1, k, v, 0);
            return me == 0 ? ctx.msgRedirectMap(0, 1, 0) : ctx.msgRedirectMap(0, 0, SkAction.BPF_F_INGRESS);
        };
        int mfd = load(ProgType.SK_MSG, count, sockmap, array);
        dp = new DataPath(DataPath.Config.defaults());
        SockPrograms progs = SockPrograms.of(fx.bpf, 0, 0, mfd);
        SockChannel sa = dp.own(fx.bpf, fdA, progs);
        SockChannel sb = dp.own(fx.bpf, fdB, progs);
        ByteArrayOutputStream fromA = new ByteArrayOutputStream();
        ByteArrayOutputStream fromB = new ByteArrayOutputStream();
        for (int i = 1; i <= 40; i++) {
            byte[] m = new byte[i * 97];
            java.util.Arrays.fill(m, (byte) ('a' + i % 26));
            send(sa, m);
            fromA.write(m);
            byte[] n = ("b" + i + ";").getBytes(StandardCharsets.US_ASCII);
            send(sb, n);
            fromB.write(n);
        }
        assertEquals(fromA.toString(StandardCharsets.US_ASCII), read(b.client(), fromA.size()));
        assertEquals(fromB.toString(StandardCharsets.US_ASCII), read(sa, fromB.size()));
        assertEquals(fromA.size(), counted(array, 0));
        assertEquals(fromB.size(), counted(array, 1));
        assertEquals(0, dp.dropped());
    }

    /** SK_DROP on the send path: the write fails with EACCES (tcp_bpf_sendmsg) and nothing goes out. */
    @Test
    void anSkMsgDropFailsTheWrite() throws Exception {
        int mfd = load(ProgType.SK_MSG, (SkMsgProgram) ctx -> ctx.data().get(0) == 'x' ? SkAction.SK_DROP : SkAction.SK_PASS);
        dp = new DataPath(DataPath.Config.defaults());
        SockChannel sa = dp.own(fx.bpf, fdA, SockPrograms.of(fx.bpf, 0, 0, mfd));
        IOException e = assertThrows(IOException.class, () -> sa.write(ByteBuffer.wrap("xdrop".getBytes(StandardCharsets.US_ASCII))));
        assertTrue(e.getMessage().startsWith("EACCES"), e.getMessage());
        send(sa, "kept".getBytes(StandardCharsets.US_ASCII));
        assertEquals("kept", read(a.client(), 4));
        assertEquals(1, dp.dropped());
    }

    /**
     * bpf_msg_cork_bytes holds the bytes until that many are there, then the program decides them
     * at once; bpf_msg_apply_bytes makes one verdict cover the next bytes without running again;
     * bpf_msg_pull_data narrows data().
     */
    @Test
    void corkApplyAndPullData() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        StringBuilder seen = new StringBuilder();
        SkMsgProgram p = ctx -> {
            runs.incrementAndGet();
            if (ctx.size() < 8) {
                ctx.msgCorkBytes(8);
                return SkAction.SK_PASS;
            }
            if (ctx.msgPullData(2, 4, 0) == 0) {
                ByteBuffer d = ctx.data();
                seen.append((char) d.get(0)).append((char) d.get(1)).append(d.remaining()).append(';');
            }
            seen.append(ctx.msgPullData(4, 4, 0)).append(';');
            ctx.msgApplyBytes(ctx.size() + 10);
            return SkAction.SK_PASS;
        };
        int mfd = load(ProgType.SK_MSG, p);
        dp = new DataPath(DataPath.Config.defaults());
        SockChannel sa = dp.own(fx.bpf, fdA, SockPrograms.of(fx.bpf, 0, 0, mfd));
        send(sa, "abc".getBytes(StandardCharsets.US_ASCII));   // run 1: corked (3 < 8)
        send(sa, "defgh".getBytes(StandardCharsets.US_ASCII)); // the cork fills: run 2 on "abcdefgh", apply 18
        send(sa, "0123456789".getBytes(StandardCharsets.US_ASCII)); // covered by apply_bytes: no run
        send(sa, "z".repeat(8).getBytes(StandardCharsets.US_ASCII)); // run 3
        assertEquals("abcdefgh0123456789zzzzzzzz", read(a.client(), 26));
        assertEquals(3, runs.get());
        // pull_data(2, 4): data() is bytes 2..3; pull_data(4, 4): an empty range is EINVAL (-22)
        assertEquals("cd2;-22;zz2;-22;", seen.toString());
    }

    /**
     * Backpressure at the unit level: A passes everything to its own read side and B redirects
     * into A's read side, and nobody reads A. A's queue stops at its budget, after which the data
     * path stops reading both sources (their peers' non-blocking writes stall in the kernel's
     * buffers); when the application reads, everything arrives, in order per source, none dropped.
     */
    @Test
    void aTargetNobodyReadsStopsItsSourcesWithinTheBudget() throws Exception {
        int vfd = load(ProgType.SK_SKB, (SkSkbProgram) ctx -> ctx.socketCookie() == fx.sock(fdA).cookie()
                ? SkAction.SK_PASS : ctx.skRedirectMap(0, 0, SkAction.BPF_F_INGRESS), sockmap);
        DataPath.Config config = new DataPath.Config(128 * 1024, 16 * 1024, 1_000_000_000L);
        dp = new DataPath(config);
        SockPrograms progs = SockPrograms.of(fx.bpf, 0, vfd, 0);
        SockChannel sa = dp.own(fx.bpf, fdA, progs);
        dp.own(fx.bpf, fdB, progs);
        long[] sent = new long[2];
        java.nio.channels.SocketChannel[] peers = {a.client(), b.client()};
        for (java.nio.channels.SocketChannel p : peers) {
            p.configureBlocking(false);
        }
        // write from both peers until the kernel takes no more: the data path stopped reading
        ByteBuffer chunk = ByteBuffer.allocate(8192);
        assertTimeoutPreemptively(SHORT, () -> {
            int idle = 0;
            while (idle < 200) { // 200 rounds in a row where neither peer could write
                boolean progress = false;
                for (int i = 0; i < 2; i++) {
                    chunk.clear();
                    for (int k = 0; k < chunk.capacity(); k++) {
                        chunk.put(k, (byte) (sent[i] + k + i * 101));
                    }
                    int n = peers[i].write(chunk);
                    sent[i] += n;
                    progress |= n > 0;
                }
                idle = progress ? 0 : idle + 1;
                Thread.onSpinWait();
            }
        });
        long held = sa.bufferedBytes();
        assertTrue(held > 0 && held <= config.budgetPerSocket(), "A holds " + held);
        assertTrue(dp.peakBufferedPerSocket() <= config.budgetPerSocket(), "peak " + dp.peakBufferedPerSocket());
        assertTrue(sent[0] + sent[1] > config.budgetPerSocket(), "the peers got past the budget only into kernel buffers");
        // the application reads: every byte both peers sent arrives (the two streams interleave
        // at message boundaries). No end of stream is sent: A's own end of stream would end A's
        // reads while B's bytes may still be redirected in (tcp_bpf_recvmsg answers 0 then too)
        long total = sent[0] + sent[1];
        long got = assertTimeoutPreemptively(SHORT, () -> {
            ByteBuffer bb = ByteBuffer.allocate(65536);
            long n = 0;
            while (n < total) {
                int r = sa.read(bb.clear());
                if (r < 0) {
                    break;
                }
                n += r;
            }
            return n;
        });
        assertEquals(total, got);
        assertEquals(0, dp.dropped());
        assertTrue(dp.peakBufferedPerSocket() <= config.budgetPerSocket(), "peak " + dp.peakBufferedPerSocket());
    }

    /** A stream parser that fails, or asks for more than the receive buffer holds: the socket's error, read by the application. */
    @Test
    void aFailingParserIsTheSocketsError() throws Exception {
        int pfd = load(ProgType.SK_SKB, (SkSkbProgram) ctx -> ctx.data().get(0) == 'T'
                ? Integer.parseInt("not a number") : 1 << 20);
        dp = new DataPath(DataPath.Config.defaults());
        SockChannel sa = dp.own(fx.bpf, fdA, SockPrograms.of(fx.bpf, pfd, 0, 0));
        SockChannel sb = dp.own(fx.bpf, fdB, SockPrograms.of(fx.bpf, pfd, 0, 0));
        send(a.client(), "T".getBytes(StandardCharsets.US_ASCII));
        send(b.client(), "big".getBytes(StandardCharsets.US_ASCII));
        IOException ea = assertThrows(IOException.class, () -> assertTimeoutPreemptively(SHORT, () -> sa.read(ByteBuffer.allocate(8))));
        assertTrue(ea.getMessage().contains("stream parser failed"), ea.getMessage());
        IOException eb = assertThrows(IOException.class, () -> assertTimeoutPreemptively(SHORT, () -> sb.read(ByteBuffer.allocate(8))));
        assertTrue(eb.getMessage().startsWith("EMSGSIZE"), eb.getMessage());
    }

    /**
     * Programs loaded by name lose their code when its bundle goes: the data path then runs as if
     * no program were attached (the parser takes what was received, the verdict passes); when the
     * code comes back, it decides again. Traffic flows throughout.
     */
    @Test
    void trafficPassesWhileTheProgramsCodeIsGone() throws Exception {
        org.bpfmaps.core.prog.ProgramProvider code = new org.bpfmaps.core.prog.ProgramProvider() {
            @Override
            public String name() {
                return "to_b";
            }

            @Override
            public ProgramCode code() {
                return (SkSkbProgram) ctx -> ctx.skRedirectMap(0, 1, 0);
            }
        };
        fx.runtime.addProgram(code);
        ProgLoadAttr p = new ProgLoadAttr(ProgType.SK_SKB, "to_b");
        p.mapFds = new int[] {sockmap};
        int vfd = fx.bpf.bpf(BpfCmd.PROG_LOAD, p);
        assertTrue(vfd > 0, p.errorMessage());
        int pfd = load(ProgType.SK_SKB, PARSER);
        dp = new DataPath(DataPath.Config.defaults());
        SockChannel sa = dp.own(fx.bpf, fdA, SockPrograms.of(fx.bpf, pfd, vfd, 0));
        dp.own(fx.bpf, fdB, SockPrograms.NONE);
        send(a.client(), msg('E', "bound"));
        assertEquals(new String(msg('E', "bound"), StandardCharsets.US_ASCII), read(b.client(), 7));
        fx.runtime.removeProgram(code);
        send(a.client(), msg('E', "unbound"));
        assertEquals(new String(msg('E', "unbound"), StandardCharsets.US_ASCII), read(sa, 9));
        fx.runtime.addProgram(code);
        send(a.client(), msg('E', "again"));
        assertEquals(new String(msg('E', "again"), StandardCharsets.US_ASCII), read(b.client(), 7));
        assertEquals(0, dp.dropped());
    }
}
