package org.bpfmaps.map.sockmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ProgAttachAttr;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.impl.Instance;
import org.bpfmaps.core.impl.datapath.DataPath;
import org.bpfmaps.core.prog.ProgramCode;
import org.bpfmaps.core.prog.SkAction;
import org.bpfmaps.core.prog.SkMsgProgram;
import org.bpfmaps.core.prog.SkSkbProgram;
import org.bpfmaps.core.sock.SockChannel;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.spi.ObjectHost;
import org.bpfmaps.testsupport.traffic.Await;
import org.bpfmaps.testsupport.traffic.Resources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PROG_ATTACH meets the data path: a TCP socket that takes programs when it is inserted into a
 * map ({@code sock_map_link}, net/core/sock_map.c) has its I/O owned by the instance's data path,
 * and the application reads and writes it through {@link Sockets#channel}. A SOCKMAP with a stream
 * parser ({@code [tag][len][len bytes]}) and a verdict: P passes, E redirects out of the socket at
 * key 1.
 */
class AttachedDataPathTest {
    private static final Duration SHORT = Duration.ofSeconds(10);
    private SockFixture fx;
    private int sockmap;
    private SockFixture.Tcp a;
    private SockFixture.Tcp b;
    private int fdA;
    private int fdB;

    @BeforeEach
    void sockets() throws IOException {
        fx = new SockFixture();
        sockmap = fx.create(MapType.SOCKMAP, 4, 8, 4, 0);
        a = fx.tcp("127.0.0.1");
        b = fx.tcp("127.0.0.1");
        fdA = fx.register(a.accepted());
        fdB = fx.register(b.accepted());
    }

    @AfterEach
    void close() {
        fx.close();
        Await.until(() -> Resources.liveThreads(DataPath.THREAD_PREFIX).isEmpty(), SHORT,
                () -> "data path threads left after the instance closed: " + Resources.liveThreads(DataPath.THREAD_PREFIX));
    }

    private DataPath dataPath() {
        return ((Instance) ObjectHost.of(fx.bpf).orElseThrow()).dataPath(false);
    }

    private int load(ProgType t, ProgramCode code, int... maps) {
        ProgLoadAttr p = new ProgLoadAttr(t, code);
        p.mapFds = maps;
        int fd = fx.bpf.bpf(BpfCmd.PROG_LOAD, p);
        assertTrue(fd > 0, p.errorMessage());
        return fd;
    }

    private void attach(int prog, int type) {
        ProgAttachAttr at = new ProgAttachAttr(sockmap, prog, type);
        assertEquals(0, fx.bpf.bpf(BpfCmd.PROG_ATTACH, at), at.errorMessage());
    }

    private void attachParserAndVerdict() {
        SkSkbProgram parser = ctx -> ctx.len() < 2 ? 0 : 2 + (ctx.data().get(1) & 0xff);
        SkSkbProgram verdict = ctx -> ctx.data().get(0) == 'E' ? ctx.skRedirectMap(0, 1, 0) : SkAction.SK_PASS;
        attach(load(ProgType.SK_SKB, parser), ProgAttachAttr.SK_SKB_STREAM_PARSER);
        attach(load(ProgType.SK_SKB, verdict, sockmap), ProgAttachAttr.SK_SKB_STREAM_VERDICT);
    }

    private static byte[] msg(char tag, String payload) {
        byte[] p = payload.getBytes(StandardCharsets.US_ASCII);
        byte[] m = new byte[2 + p.length];
        m[0] = (byte) tag;
        m[1] = (byte) p.length;
        System.arraycopy(p, 0, m, 2, p.length);
        return m;
    }

    private static String str(byte[] m) {
        return new String(m, StandardCharsets.US_ASCII);
    }

    private static void send(ByteChannel ch, byte[] m) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(m);
        while (bb.hasRemaining()) {
            ch.write(bb);
        }
    }

    private static String read(ByteChannel ch, int n) {
        return assertTimeoutPreemptively(SHORT, () -> {
            ByteBuffer bb = ByteBuffer.allocate(n);
            while (bb.hasRemaining() && ch.read(bb) >= 0) {
                // until n bytes
            }
            return new String(bb.array(), 0, bb.position(), StandardCharsets.US_ASCII);
        });
    }

    /** A map without programs: the socket keeps its own I/O (sock_map_link_no_progs), no data path is made. */
    @Test
    void aSocketThatTookNoProgramKeepsItsOwnIo() throws Exception {
        assertEquals(0, fx.update(sockmap, 0, fdA, 0));
        assertNull(Sockets.channel(fx.bpf, fdA));
        assertNull(dataPath());
        send(a.client(), "plain".getBytes(StandardCharsets.US_ASCII));
        assertTrue(a.accepted().isBlocking(), "the application's channel is untouched");
        assertEquals("plain", read(a.accepted(), 5));
    }

    @Test
    void insertedSocketsRunTheMapsProgramsOnTheirTraffic() throws Exception {
        attachParserAndVerdict();
        assertEquals(0, fx.update(sockmap, 1, fdB, 0));
        assertEquals(0, fx.update(sockmap, 0, fdA, 0));
        SockChannel sa = Sockets.channel(fx.bpf, fdA);
        SockChannel sb = Sockets.channel(fx.bpf, fdB);
        assertNotNull(sa);
        assertNotNull(sb);
        assertSame(sa, Sockets.channel(fx.bpf, fdA), "one channel for the socket's life");
        assertEquals(2, dataPath().ownedSockets());
        send(a.client(), msg('E', "to b's peer"));
        send(a.client(), msg('P', "to a"));
        assertEquals(str(msg('E', "to b's peer")), read(b.client(), msg('E', "to b's peer").length));
        assertEquals(str(msg('P', "to a")), read(sa, msg('P', "to a").length));
        // the application writes through the channel: out of its socket (no SK_MSG program)
        send(sb, "reply".getBytes(StandardCharsets.US_ASCII));
        assertEquals("reply", read(b.client(), 5));
        assertEquals(0, dataPath().dropped());
    }

    /**
     * sock_map_del_link and sk_psock_drop: the last element holding the socket goes and with it
     * every program; the socket's owned I/O goes on with none, as a plain TCP socket: what it
     * receives passes to the same channel, nothing is redirected.
     */
    @Test
    void afterItsLastLinkGoesTheSocketPassesEverything() throws Exception {
        attachParserAndVerdict();
        assertEquals(0, fx.update(sockmap, 1, fdB, 0));
        assertEquals(0, fx.update(sockmap, 0, fdA, 0));
        SockChannel sa = Sockets.channel(fx.bpf, fdA);
        MapElemAttr del = new MapElemAttr().set(sockmap, SockFixture.u32(0), null, 0);
        assertEquals(0, fx.bpf.bpf(BpfCmd.MAP_DELETE_ELEM, del));
        assertEquals(0, fx.sock(fdA).programs().links());
        send(a.client(), msg('E', "now passed"));
        assertEquals(str(msg('E', "now passed")), read(sa, msg('E', "now passed").length));
        assertSame(sa, Sockets.channel(fx.bpf, fdA));
        b.client().configureBlocking(false);
        assertEquals(0, b.client().read(ByteBuffer.allocate(16)), "nothing was redirected to B");
    }

    /** An SK_MSG verdict taken at insert runs on the application's writes through the channel. */
    @Test
    void anSkMsgVerdictRunsOnTheChannelsWrites() throws Exception {
        long[] seen = new long[1];
        attach(load(ProgType.SK_MSG, (SkMsgProgram) ctx -> {
            seen[0] += ctx.size();
            return SkAction.SK_PASS;
        }), ProgAttachAttr.SK_MSG_VERDICT);
        assertEquals(0, fx.update(sockmap, 0, fdA, 0));
        SockChannel sa = Sockets.channel(fx.bpf, fdA);
        assertNotNull(sa);
        send(sa, "counted".getBytes(StandardCharsets.US_ASCII));
        assertEquals("counted", read(a.client(), 7));
        assertEquals(7, seen[0]);
    }

    /**
     * An SK_MSG redirect (bpf_msg_redirect_map, net/core/sock_map.c) through a map whose provider
     * is gone waits for it instead of dropping: the application's blocking write does not return
     * until the map is back, then its bytes go out of the target.
     */
    @Test
    void anSkMsgRedirectWaitsWhileItsMapIsDetached() throws Exception {
        attach(load(ProgType.SK_MSG, (SkMsgProgram) ctx -> ctx.msgRedirectMap(0, 1, 0), sockmap),
                ProgAttachAttr.SK_MSG_VERDICT);
        assertEquals(0, fx.update(sockmap, 1, fdB, 0));
        assertEquals(0, fx.update(sockmap, 0, fdA, 0));
        SockChannel sa = Sockets.channel(fx.bpf, fdA);
        fx.runtime.removeProvider(fx.provider);
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                send(sa, "held".getBytes(StandardCharsets.US_ASCII));
            } catch (Throwable t) {
                failed.set(t);
            }
        }, "test-writer");
        writer.start();
        Await.until(() -> dataPath().pausedRedirects() == 1, SHORT, () -> "the write did not pause");
        assertTrue(writer.isAlive(), "the write waits for the map");
        fx.runtime.addProvider(new SockMapProvider(), 0, "1.0.1");
        assertEquals("held", read(b.client(), 4));
        writer.join(SHORT.toMillis());
        assertFalse(writer.isAlive());
        assertNull(failed.get());
        assertEquals(0, dataPath().dropped());
    }

    /**
     * A non-blocking SK_MSG write whose redirect finds its map detached takes nothing, and keeps
     * the run's decision: the next write, the map back, looks the key up again and sends under it
     * without running the program a second time (one run per message, as in the kernel).
     */
    @Test
    void aNonBlockingSkMsgWriteKeepsItsPausedDecision() throws Exception {
        int[] runs = new int[1];
        attach(load(ProgType.SK_MSG, (SkMsgProgram) ctx -> {
            runs[0]++;
            return ctx.msgRedirectMap(0, 1, 0);
        }, sockmap), ProgAttachAttr.SK_MSG_VERDICT);
        assertEquals(0, fx.update(sockmap, 1, fdB, 0));
        assertEquals(0, fx.update(sockmap, 0, fdA, 0));
        SockChannel sa = Sockets.channel(fx.bpf, fdA);
        sa.configureBlocking(false);
        fx.runtime.removeProvider(fx.provider);
        ByteBuffer held = ByteBuffer.wrap("held".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0, sa.write(held), "nothing taken while the map is detached");
        assertEquals(1, dataPath().pausedRedirects());
        assertEquals(0, sa.write(held), "still detached: nothing taken, no new run");
        fx.runtime.addProvider(new SockMapProvider(), 0, "1.0.1");
        assertEquals(4, sa.write(held));
        assertEquals("held", read(b.client(), 4));
        assertEquals(1, runs[0], "the program ran once for the message");
        assertEquals(0, dataPath().dropped());
    }

    /**
     * bpf_msg_apply_bytes shorter than a completed cork: the verdict applies to apply_bytes only
     * and the program runs again on the rest (tcp_bpf_send_verdict, net/ipv4/tcp_bpf.c). The
     * program corks 10 bytes, redirects the first 4 of them to B and passes the rest.
     */
    @Test
    void applyBytesShorterThanACorkDecidesTheRestAgain() throws Exception {
        java.util.List<Integer> sizes = new java.util.ArrayList<>();
        attach(load(ProgType.SK_MSG, (SkMsgProgram) ctx -> {
            sizes.add(ctx.size());
            if (sizes.size() == 1) {
                ctx.msgCorkBytes(10);
                return SkAction.SK_PASS;
            }
            if (ctx.size() == 10) {
                ctx.msgApplyBytes(4);
                return ctx.msgRedirectMap(0, 1, 0);
            }
            return SkAction.SK_PASS;
        }, sockmap), ProgAttachAttr.SK_MSG_VERDICT);
        assertEquals(0, fx.update(sockmap, 1, fdB, 0));
        assertEquals(0, fx.update(sockmap, 0, fdA, 0));
        SockChannel sa = Sockets.channel(fx.bpf, fdA);
        send(sa, "abc".getBytes(StandardCharsets.US_ASCII));
        send(sa, "defghij".getBytes(StandardCharsets.US_ASCII));
        assertEquals("abcd", read(b.client(), 4));
        assertEquals("efghij", read(a.client(), 6));
        assertEquals(java.util.List.of(3, 10, 6), sizes);
        assertEquals(0, dataPath().dropped());
    }

    /** Closing the socket's fd closes its owned channel and the data path lets it go. */
    @Test
    void closingTheFdEndsTheOwnedSocket() throws Exception {
        attachParserAndVerdict();
        assertEquals(0, fx.update(sockmap, 0, fdA, 0));
        SockChannel sa = Sockets.channel(fx.bpf, fdA);
        assertEquals(1, dataPath().ownedSockets());
        assertEquals(0, fx.bpf.close(fdA));
        Await.until(() -> dataPath().ownedSockets() == 0, SHORT, () -> "the socket is still owned");
        assertFalse(sa.isOpen());
    }
}
