package org.bpfmaps.map.sockmap;

import static org.bpfmaps.map.sockmap.SockFixture.err;
import static org.bpfmaps.map.sockmap.SockFixture.u32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapBatchAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.sock.SocketState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SOCKMAP and SOCKHASH over real loopback sockets, row by row as the kernel 6.18 corpus recorded
 * them (corpus/kernel-6.18.json, cases sockmap_* and sockhash_*) and net/core/sock_map.c decides.
 */
class SockMapTest {
    private final SockFixture f = new SockFixture();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        f.close();
    }

    private int sockmap(int vs) {
        int m = f.create(MapType.SOCKMAP, 4, vs, 4, 0);
        assertTrue(m >= 3, f.why);
        return m;
    }

    private int sockhash(int max) {
        int m = f.create(MapType.SOCKHASH, 4, 8, max, 0);
        assertTrue(m >= 3, f.why);
        return m;
    }

    @Test
    void createRules() {
        assertTrue(f.create(MapType.SOCKMAP, 4, 4, 4, 0) >= 3);
        assertTrue(f.create(MapType.SOCKMAP, 4, 8, 4, BpfFlags.F_RDONLY) >= 3);
        assertTrue(f.create(MapType.SOCKMAP, 4, 4, 4, BpfFlags.F_NUMA_NODE) >= 3);
        assertEquals(Errno.EINVAL.ret(), f.create(MapType.SOCKMAP, 8, 4, 4, 0));
        assertTrue(f.why.contains("key_size 8"), f.why);
        for (int vs : new int[] {0, 2, 16}) {
            assertEquals(Errno.EINVAL.ret(), f.create(MapType.SOCKMAP, 4, vs, 4, 0));
            assertTrue(f.why.contains("value_size " + vs), f.why);
        }
        assertEquals(Errno.EINVAL.ret(), f.create(MapType.SOCKMAP, 4, 4, 0, 0));
        assertTrue(f.why.contains("max_entries 0"), f.why);
        for (int flag : new int[] {BpfFlags.F_NO_PREALLOC, BpfFlags.F_ZERO_SEED, BpfFlags.F_MMAPABLE}) {
            assertEquals(Errno.EINVAL.ret(), f.create(MapType.SOCKMAP, 4, 4, 4, flag), "flag " + flag);
            assertEquals(Errno.EINVAL.ret(), f.create(MapType.SOCKHASH, 4, 8, 4, flag), "flag " + flag);
        }
        assertTrue(f.create(MapType.SOCKHASH, 1, 8, 4, 0) >= 3);
        assertTrue(f.create(MapType.SOCKHASH, 512, 8, 4, 0) >= 3);
        assertEquals(Errno.E2BIG.ret(), f.create(MapType.SOCKHASH, 513, 8, 4, 0), "MAX_BPF_STACK");
        assertTrue(f.why.contains("key_size 513"), f.why);
        assertEquals(Errno.EINVAL.ret(), f.create(MapType.SOCKHASH, 0, 8, 4, 0));
        assertEquals(Errno.EINVAL.ret(), f.create(MapType.SOCKHASH, 4, 0, 4, 0));
        assertEquals(Errno.EINVAL.ret(), f.create(MapType.SOCKHASH, 4, 8, 0, 0));
    }

    /**
     * memlock as fdinfo shows it on 6.18 (measured there with python and real sockets): a SOCKMAP is
     * 376 + 8 per slot; a SOCKHASH is 384 + 16 per bucket (max_entries rounded up to a power of
     * two) and grows by 48 + key_size rounded up to 8 per socket it holds.
     */
    @Test
    void memlockIsTheKernels() throws IOException {
        assertEquals(408, memlock(f.create(MapType.SOCKMAP, 4, 8, 4, 0)));
        assertEquals(8568, memlock(f.create(MapType.SOCKMAP, 4, 4, 1024, 0)));
        assertEquals(16768, memlock(f.create(MapType.SOCKHASH, 4, 8, 1000, 0)));
        int h4 = f.create(MapType.SOCKHASH, 4, 8, 4, 0);
        int h16 = f.create(MapType.SOCKHASH, 16, 8, 5, 0);
        assertEquals(448, memlock(h4));
        assertEquals(512, memlock(h16));
        int a = f.established();
        int b = f.established();
        assertEquals(0, f.update(h4, u32(0), 8, a, 0), f.why);
        assertEquals(504, memlock(h4));
        assertEquals(0, f.update(h4, u32(1), 8, b, 0), f.why);
        assertEquals(0, f.update(h4, u32(1), 8, a, 0), f.why);
        assertEquals(560, memlock(h4), "a replace adds nothing");
        assertEquals(0, f.update(h16, ByteBuffer.allocate(16), 8, a, 0), f.why);
        assertEquals(576, memlock(h16));
        assertEquals(0, f.delete(h4, u32(0)), f.why);
        assertEquals(504, memlock(h4), "a delete gives back");
        f.bpf.close(a);
        assertEquals(448, memlock(h4), "the close took the socket out of both keys");
    }

    private long memlock(int fd) {
        assertTrue(fd >= 3, f.why);
        return f.bpf.fdinfo(fd).memlock();
    }

    @Test
    void acceptedSocketsAndTheirCookies() throws IOException {
        int m = f.create(MapType.SOCKMAP, 4, 8, 8, 0);
        SockFixture.Tcp v4 = f.tcp("127.0.0.1");
        SockFixture.Tcp v6 = f.tcp("::1");
        DatagramChannel udp = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ServerSocketChannel us = f.keep(ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(dir.resolve("s"))));
        SocketChannel uc = SocketChannel.open(us.getLocalAddress());
        int[] fds = {f.register(v4.client()), f.register(v4.accepted()), f.register(v4.server()),
            f.register(v6.client()), f.register(udp), f.register(uc)};
        for (int i = 0; i < fds.length; i++) {
            assertEquals(0, f.update(m, i, fds[i], 0), i + ": " + f.why);
            assertEquals(f.sock(fds[i]).cookie(), f.lookup(m, i), "the cookie, host order");
        }
    }

    @Test
    void unacceptableSocketsAreEopnotsuppNamingTheState() throws IOException {
        int m = sockmap(8);
        int unconnected = f.register(SocketChannel.open());
        int boundOnly = f.register(SocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        int unboundUdp = f.register(DatagramChannel.open());
        SockFixture.Tcp t = f.tcp("127.0.0.1");
        int closeWait = f.register(t.client());
        t.accepted().close();
        assertEquals(-1, t.client().read(ByteBuffer.allocate(4)), "the FIN arrived");
        SockFixture.Tcp t2 = f.tcp("127.0.0.1");
        int closed = f.register(t2.client());
        t2.client().shutdownOutput();
        assertEquals(-1, t2.accepted().read(ByteBuffer.allocate(4)));
        t2.accepted().shutdownOutput();
        assertEquals(-1, t2.client().read(ByteBuffer.allocate(4)), "FINs both ways");
        String[][] rows = {{"" + unconnected, "state CLOSE"}, {"" + boundOnly, "state CLOSE"},
            {"" + unboundUdp, "not bound"}, {"" + closeWait, "state CLOSE_WAIT"}, {"" + closed, "state CLOSE"}};
        for (String[] row : rows) {
            assertEquals(Errno.EOPNOTSUPP.ret(), f.update(m, 1, Integer.parseInt(row[0]), 0), row[1]);
            assertTrue(f.why.contains(row[1]), f.why);
            assertEquals(err(Errno.ENOENT), f.lookup(m, 1), "the map is unchanged");
        }
    }

    @Test
    void fdsThatAreNoSocket() throws IOException {
        int m = sockmap(8);
        int m4 = sockmap(4);
        assertEquals(Errno.ENOTSOCK.ret(), f.update(m, 1, m4, 0), "a map fd");
        assertTrue(f.why.contains("not a socket"), f.why);
        assertEquals(Errno.EBADF.ret(), f.update(m, 1, 999, 0));
        assertTrue(f.why.contains("fd 999"), f.why);
        assertEquals(Errno.EINVAL.ret(), f.update(m, 0, 1L << 31, 0), "u64 > S32_MAX");
        assertEquals(Errno.EINVAL.ret(), f.update(m, 0, 0xffff_ffffL, 0));
        assertEquals(Errno.EINVAL.ret(), f.update(m4, u32(0), 4, 0xffff_ffffL, 0), "u32 -1");
        assertTrue(f.why.contains("S32_MAX"), f.why);
        // the fd is checked before the index and the flags, as sock_map_update_elem_sys does (recorded
        // on 6.18: bad fd + index 9 EBADF, bad fd + flags 3 EBADF, fd > S32_MAX + flags 3 EINVAL,
        // non-socket + flags 3 ENOTSOCK, unbound UDP + index 9 EOPNOTSUPP; BPF_F_LOCK first: EINVAL)
        assertEquals(Errno.EBADF.ret(), f.update(m, 9, 999, 0));
        assertEquals(Errno.EBADF.ret(), f.update(m, 0, 999, 3));
        assertEquals(Errno.ENOTSOCK.ret(), f.update(m, 0, m4, 3));
        assertEquals(Errno.EOPNOTSUPP.ret(), f.update(m, 9, f.register(DatagramChannel.open()), 0));
        assertEquals(Errno.EINVAL.ret(), f.update(m, 0, 999, BpfFlags.F_LOCK), "BPF_F_LOCK without a spin lock");
        assertEquals(Errno.EINVAL.ret(), f.update(m, 0, f.established(), -1L), "u64 flags");
        assertEquals(err(Errno.ENOENT), f.lookup(m, 1));
    }

    /** A reason describes its own failure: a miss after a failed update is not explained by the update. */
    @Test
    void aReasonIsGivenOnlyForTheFailureItDescribes() throws IOException {
        int m = sockmap(8);
        assertEquals(Errno.EBADF.ret(), f.update(m, 1, 999, 0));
        assertTrue(f.why.contains("fd 999"), f.why);
        assertEquals(err(Errno.ENOENT), f.lookup(m, 1));
        assertFalse(f.why.contains("fd 999"), f.why);
    }

    @Test
    void sockmapIndexesFlagsAndDelete() throws IOException {
        int m = sockmap(8);
        int a = f.established();
        int b = f.established();
        assertEquals(Errno.E2BIG.ret(), f.update(m, 4, a, 0));
        assertTrue(f.why.contains("max_entries 4"), f.why);
        assertEquals(err(Errno.ENOENT), f.lookup(m, 4));
        assertEquals(Errno.EINVAL.ret(), f.delete(m, u32(4)));
        assertEquals(Errno.EINVAL.ret(), f.delete(m, u32(0)), "an empty slot");
        assertEquals(Errno.ENOENT.ret(), f.update(m, 0, a, BpfFlags.EXIST));
        assertEquals(0, f.update(m, 0, a, BpfFlags.NOEXIST));
        assertEquals(Errno.EEXIST.ret(), f.update(m, 0, a, BpfFlags.NOEXIST), "even the same socket");
        assertEquals(0, f.update(m, 0, b, BpfFlags.EXIST));
        assertEquals(f.sock(b).cookie(), f.lookup(m, 0));
        assertEquals(Errno.EINVAL.ret(), f.update(m, 0, a, 3));
        assertEquals(f.sock(b).cookie(), f.lookup(m, 0));
        assertEquals(0, f.update(m, 3, b, 0), "a socket in two slots");
        assertEquals(0L, f.next(m, null));
        assertEquals(1L, f.next(m, 0));
        assertEquals(err(Errno.ENOENT), f.next(m, 3));
        assertEquals(0L, f.next(m, 9), "out of range restarts");
        assertEquals(0, f.delete(m, u32(0)));
        assertEquals(err(Errno.ENOENT), f.lookup(m, 0));
        assertEquals(f.sock(b).cookie(), f.lookup(m, 3));
    }

    @Test
    void valueSize4LookupsAreEnospcEvenEmpty() throws IOException {
        int m = sockmap(4);
        assertEquals(err(Errno.ENOSPC), f.lookup(m, 1));
        assertEquals(0, f.update(m, u32(0), 4, f.established(), 0));
        assertEquals(err(Errno.ENOSPC), f.lookup(m, 0));
        assertTrue(f.why.contains("value_size"), f.why);
        assertEquals(0, f.delete(m, u32(0)));
    }

    @Test
    void sockhashFullReplaceDeleteAndWalk() throws IOException {
        int m = sockhash(2);
        int a = f.established();
        int b = f.established();
        int c = f.established();
        assertEquals(err(Errno.ENOENT), f.next(m, null));
        assertEquals(0, f.update(m, 1, a, 0));
        assertEquals(0, f.update(m, 2, b, 0));
        assertEquals(Errno.E2BIG.ret(), f.update(m, 3, c, 0));
        assertEquals(0, f.update(m, 1, c, 0), "replace in a full map");
        assertEquals(f.sock(c).cookie(), f.lookup(m, 1));
        assertEquals(Errno.EEXIST.ret(), f.update(m, 1, c, BpfFlags.NOEXIST));
        assertEquals(Errno.ENOENT.ret(), f.update(m, 7, c, BpfFlags.EXIST));
        long first = f.next(m, null);
        long second = f.next(m, (int) first);
        assertEquals(java.util.Set.of(1L, 2L), java.util.Set.of(first, second));
        assertEquals(err(Errno.ENOENT), f.next(m, (int) second));
        assertEquals(0, f.delete(m, u32(2)));
        assertEquals(Errno.ENOENT.ret(), f.delete(m, u32(2)));
        // the replaced socket left this map: its close does not touch key 1
        f.sock(a).channel().close();
        assertEquals(f.sock(c).cookie(), f.lookup(m, 1));
    }

    @Test
    void aSocketClosedUnnoticedDoesNotFillTheHash() throws IOException {
        int m = sockhash(1);
        SockFixture.Tcp t = f.tcp("127.0.0.1");
        assertEquals(0, f.update(m, 1, f.register(t.client()), 0));
        int b = f.established();
        t.client().close(); // nobody reads the map before the next insert
        assertEquals(0, f.update(m, 2, b, 0), f.why);
        assertEquals(f.sock(b).cookie(), f.lookup(m, 2));
        assertEquals(Errno.EBADF.ret(), f.update(m, 3, 999, 0), "the fd before the room");
    }

    @Test
    void noBatchNoLookupAndDelete() throws IOException {
        int m = sockhash(4);
        assertEquals(0, f.update(m, 1, f.established(), 0));
        assertEquals(Errno.ENOTSUPP.ret(), f.bpf.bpf(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM,
                new MapElemAttr().set(m, u32(1), SockFixture.u64(0), 0)));
        MapBatchAttr batch = new MapBatchAttr(m);
        int r = f.bpf.bpf(BpfCmd.MAP_LOOKUP_BATCH, batch);
        assertEquals(Errno.ENOTSUPP.ret(), r);
    }

    @Test
    void aCloseTakesTheSocketOutOfEveryMapAndSlot() throws IOException {
        int sm = sockmap(8);
        int sh = sockhash(4);
        SockFixture.Tcp t = f.tcp("127.0.0.1");
        int a = f.register(t.client());
        int keep = f.established();
        assertEquals(0, f.update(sm, 0, a, 0));
        assertEquals(0, f.update(sm, 2, a, 0));
        assertEquals(0, f.update(sm, 1, keep, 0));
        assertEquals(0, f.update(sh, 5, a, 0));
        assertEquals(0, f.update(sh, 6, a, 0));
        t.client().close(); // sock_close
        assertEquals(err(Errno.ENOENT), f.lookup(sm, 0));
        assertEquals(err(Errno.ENOENT), f.lookup(sm, 2));
        assertEquals(err(Errno.ENOENT), f.lookup(sh, 5));
        assertEquals(err(Errno.ENOENT), f.lookup(sh, 6));
        assertEquals(err(Errno.ENOENT), f.next(sh, null), "a walk sees no closed socket");
        assertEquals(f.sock(keep).cookie(), f.lookup(sm, 1));
        assertEquals(Errno.EINVAL.ret(), f.delete(sm, u32(0)), "the slot is empty");
    }

    @Test
    void theLastFdClosingTakesItOut() throws IOException {
        int sh = sockhash(4);
        int a = f.established();
        assertEquals(0, f.update(sh, 1, a, 0));
        assertEquals(0, f.bpf.close(a));
        assertEquals(err(Errno.ENOENT), f.lookup(sh, 1));
    }

    /**
     * Recorded on 6.18 (Python, real sockets): a socket in a SOCKMAP or SOCKHASH that is reset, or
     * whose FINs went both ways, reaches TCP_CLOSE and stays in the map (lookup gives its cookie,
     * delete finds it once, a new insert of it is EOPNOTSUPP) until it is closed.
     */
    @Test
    void aResetOrFinsBothWaysLeaveItInItsMapsUntilClosedAndCloseWaitStays() throws IOException {
        int sh = sockhash(4);
        int sm = sockmap(8);
        SockFixture.Tcp reset = f.tcp("::1");
        SockFixture.Tcp fins = f.tcp("127.0.0.1");
        SockFixture.Tcp fin = f.tcp("127.0.0.1");
        int rs = f.register(reset.client());
        int fb = f.register(fins.client());
        int cw = f.register(fin.client());
        assertEquals(0, f.update(sh, 1, rs, 0));
        assertEquals(0, f.update(sm, 1, rs, 0));
        assertEquals(0, f.update(sh, 2, cw, 0));
        assertEquals(0, f.update(sh, 3, fb, 0));
        reset.accepted().setOption(StandardSocketOptions.SO_LINGER, 0);
        reset.accepted().close();
        assertThrows(SocketException.class, () -> reset.client().read(ByteBuffer.allocate(4)), "the RST arrived");
        fins.client().shutdownOutput();
        assertEquals(-1, fins.accepted().read(ByteBuffer.allocate(4)));
        fins.accepted().close();
        assertEquals(-1, fins.client().read(ByteBuffer.allocate(4)), "FINs both ways");
        fin.accepted().close();
        assertEquals(-1, fin.client().read(ByteBuffer.allocate(4)), "the FIN arrived");
        assertEquals(SocketState.CLOSE, f.sock(rs).state());
        assertEquals(SocketState.CLOSE, f.sock(fb).state());
        assertEquals(f.sock(rs).cookie(), f.lookup(sh, 1), "reset: CLOSE, still in the hash");
        assertEquals(f.sock(rs).cookie(), f.lookup(sm, 1), "and in the array");
        assertEquals(f.sock(fb).cookie(), f.lookup(sh, 3), "FINs both ways: CLOSE, still there");
        assertEquals(SocketState.CLOSE_WAIT, f.sock(cw).state());
        assertEquals(f.sock(cw).cookie(), f.lookup(sh, 2), "CLOSE_WAIT stays");
        assertEquals(Errno.EOPNOTSUPP.ret(), f.update(sh, 4, rs, 0), "but no map takes it again");
        assertEquals(0, f.delete(sh, u32(3)), "delete finds it");
        assertEquals(err(Errno.ENOENT), f.lookup(sh, 3));
        assertEquals(0, f.bpf.close(rs), "its close");
        assertEquals(err(Errno.ENOENT), f.lookup(sh, 1), "takes it out of the hash");
        assertEquals(err(Errno.ENOENT), f.lookup(sm, 1), "and of the array");
    }
}
