package org.bpfmaps.map.xsk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.sock.MapSlot;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.spi.ObjectHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * XSKMAP beyond the corpus's cases, each as measured on 6.18 with python ctypes bpf(2) and
 * {@code socket(AF_XDP, SOCK_RAW, 0)} as root: the order of the update's checks, fds above S32_MAX,
 * memlock as fdinfo shows it, and slots emptied by the socket's close.
 */
class XskMapTest {
    private final XskFixture f = new XskFixture();

    @AfterEach
    void close() {
        f.close();
    }

    /** xsk_map_update_elem checks the flags, then the index, then the fd: each before the next. */
    @Test
    void theUpdateChecksFlagsThenIndexThenFd() throws IOException {
        int m = f.xskmap(8);
        int tcp = f.sock("tcp_established");
        int pipe = f.sock("pipe");
        assertEquals(Errno.EINVAL.ret(), f.update(m, 0, 9999, 3), "flags 3 with a bad fd");
        assertEquals(Errno.EINVAL.ret(), f.update(m, 0, pipe, 3), "flags 3 with a pipe");
        assertEquals(Errno.E2BIG.ret(), f.update(m, 8, 9999, 0), "index 8 of 8 with a bad fd");
        assertEquals(Errno.EBADF.ret(), f.update(m, 0, 9999, 0), f.why);
        assertEquals(Errno.ENOTSOCK.ret(), f.update(m, 0, pipe, 0), f.why);
        assertEquals(Errno.EOPNOTSUPP.ret(), f.update(m, 0, tcp, 0), f.why);
        assertTrue(f.why.contains("TCP"), f.why);
    }

    /** The value is a u32 handed to sockfd_lookup as an int: above S32_MAX it is a bad fd, not EINVAL. */
    @Test
    void anFdAboveS32MaxIsABadFd() {
        int m = f.xskmap(4);
        assertEquals(Errno.EBADF.ret(), f.update(m, 0, 0x8000_0000, 0));
        assertEquals(Errno.EBADF.ret(), f.update(m, 0, -1, 0));
    }

    /**
     * The same socket again is a success whatever the flags; another socket replaces it with ANY
     * or EXIST; deleting an empty slot is a success; lookup is EOPNOTSUPP, occupied or not.
     */
    @Test
    void sameSocketReplaceAndDelete() throws IOException {
        int m = f.xskmap(4);
        int x = f.sock("xdp_unbound");
        int y = f.sock("xdp_bound_lo");
        assertEquals(0, f.update(m, 0, x, BpfFlags.ANY));
        assertEquals(0, f.update(m, 0, x, BpfFlags.NOEXIST));
        assertEquals(0, f.update(m, 0, x, BpfFlags.EXIST));
        assertEquals(Errno.EEXIST.ret(), f.update(m, 0, y, BpfFlags.NOEXIST));
        assertEquals(0, f.update(m, 0, y, BpfFlags.EXIST));
        assertEquals(Errno.EOPNOTSUPP.ret(), f.lookup(m, 0));
        assertEquals(Errno.EOPNOTSUPP.ret(), f.lookup(m, 99));
        assertEquals(0, f.delete(m, 0));
        assertEquals(0, f.delete(m, 0), "an empty slot");
        assertEquals(Errno.EINVAL.ret(), f.delete(m, 4));
        assertEquals(Errno.EINVAL.ret(), f.delete(m, -1));
        assertEquals(Errno.ENOENT.ret(), f.update(m, 0, x, BpfFlags.EXIST), "emptied by the delete");
    }

    /** fdinfo memlock: 304 + 8 per slot, and 32 per element (xsk_map_node), as 6.18 shows it. */
    @Test
    void memlockIsTheKernels() throws IOException {
        assertEquals(312, f.memlock(f.xskmap(1)));
        assertEquals(336, f.memlock(f.xskmap(4)));
        assertEquals(8304, f.memlock(f.xskmap(1000)));
        int m = f.xskmap(8);
        int a = f.sock("xdp_unbound");
        int b = f.sock("xdp_unbound");
        assertEquals(368, f.memlock(m));
        assertEquals(0, f.update(m, 0, a, 0));
        assertEquals(400, f.memlock(m));
        assertEquals(0, f.update(m, 1, a, 0));
        assertEquals(432, f.memlock(m));
        assertEquals(0, f.update(m, 1, a, 0));
        assertEquals(0, f.update(m, 1, b, 0));
        assertEquals(432, f.memlock(m), "the same socket again, or a replacement, adds nothing");
        assertEquals(0, f.bpf.close(a));
        assertEquals(400, f.memlock(m), "a's slot emptied by its close");
        assertEquals(0, f.delete(m, 1));
        assertEquals(368, f.memlock(m));
    }

    /** The create rules of xsk_map_alloc: every failure EINVAL; NUMA and the access flags accepted. */
    @Test
    void createRules() {
        assertEquals(Errno.EINVAL.ret(), f.create(MapType.XSKMAP, 4, 4, 0, 0));
        assertEquals(Errno.EINVAL.ret(), f.create(MapType.XSKMAP, 0, 4, 4, 0));
        assertEquals(Errno.EINVAL.ret(), f.create(MapType.XSKMAP, 4, 8, 4, 0));
        assertEquals(Errno.EINVAL.ret(), f.create(MapType.XSKMAP, 4, 4, 4, BpfFlags.F_NO_PREALLOC));
        assertTrue(f.why.contains("map_flags"), f.why);
        assertTrue(f.create(MapType.XSKMAP, 4, 4, 4, BpfFlags.F_NUMA_NODE) >= 3, f.why);
        assertTrue(f.create(MapType.XSKMAP, 4, 4, 4, BpfFlags.F_WRONLY) >= 3, f.why);
    }

    /**
     * Closing a socket's last fd empties every slot it is in, of every map; the slots show in the
     * socket's links (Sockets.slots) until then.
     */
    @Test
    void closingTheSocketEmptiesItsSlots() throws IOException {
        int m1 = f.xskmap(4);
        int m2 = f.xskmap(4);
        int x = f.sock("xdp_bound_lo");
        int y = f.sock("xdp_unbound");
        assertEquals(0, f.update(m1, 1, x, 0));
        assertEquals(0, f.update(m1, 3, x, 0));
        assertEquals(0, f.update(m2, 0, x, 0));
        assertEquals(0, f.update(m2, 2, y, 0));
        int id1 = ObjectHost.of(f.bpf).orElseThrow().id(m1);
        assertEquals(List.of(new MapSlot(id1, le(1)), new MapSlot(id1, le(3)),
                new MapSlot(ObjectHost.of(f.bpf).orElseThrow().id(m2), le(0))),
                Sockets.slots(f.bpf, Sockets.byFd(f.bpf, x)));
        assertEquals(0, f.bpf.close(x));
        for (int k : new int[] {1, 3}) {
            assertEquals(Errno.ENOENT.ret(), f.update(m1, k, y, BpfFlags.EXIST), "m1 slot " + k);
        }
        assertEquals(Errno.ENOENT.ret(), f.update(m2, 0, y, BpfFlags.EXIST));
        assertEquals(0, f.update(m2, 2, y, BpfFlags.EXIST), "y stays");
    }

    private static byte[] le(int v) {
        byte[] b = new byte[4];
        XskFixture.u32(v).get(0, b);
        return b;
    }
}
