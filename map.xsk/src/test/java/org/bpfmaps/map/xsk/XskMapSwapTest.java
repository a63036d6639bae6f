package org.bpfmaps.map.xsk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.sock.MapSlot;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.spi.ObjectHost;
import org.bpfmaps.core.xdp.RingType;
import org.bpfmaps.core.xdp.XdpRing;
import org.bpfmaps.core.xdp.XdpSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An XSKMAP surviving the removal and return of its provider, as the bundle's update does it:
 * the flags' EINVAL and ENODEV while detached, the same sockets (by cookie) in the same slots
 * afterwards minus those closed meanwhile, and the sockets' rings untouched: frames put in the
 * FILL ring before the update receive a packet after it.
 */
class XskMapSwapTest {
    private final XskFixture f = new XskFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private List<MapSlot> slots(int fd) {
        return Sockets.slots(f.bpf, Sockets.byFd(f.bpf, fd));
    }

    private MapSlot slot(int map, int key) {
        byte[] k = new byte[4];
        XskFixture.u32(key).get(0, k);
        return new MapSlot(ObjectHost.of(f.bpf).orElseThrow().id(map), k);
    }

    @Test
    void sameSocketsAfterASwapAndClosedOnesDropped() throws IOException {
        int m = f.xskmap(4);
        int x = f.sock("xdp_bound_lo");
        int y = f.sock("xdp_unbound");
        int z = f.sock("xdp_unbound");
        assertEquals(0, f.update(m, 0, x, 0));
        assertEquals(0, f.update(m, 1, y, 0));
        assertEquals(0, f.update(m, 2, z, 0));
        assertEquals(0, f.update(m, 3, x, 0));
        XdpSocket xs = f.xsk(x);
        XdpRing.Producer fill = xs.ring(RingType.FILL).producer();
        assertEquals(2, fill.reserve(2));
        fill.addr(fill.index(), 0);
        fill.addr(fill.index() + 1, 4096);
        fill.submit(2);

        f.runtime.removeProvider(f.provider);
        assertEquals(Errno.EINVAL.ret(), f.update(m, 0, x, 3), "the core checks the flags first, as the kernel");
        assertEquals(Errno.ENODEV.ret(), f.update(m, 0, x, 0), "detached");
        assertEquals(Errno.ENODEV.ret(), f.delete(m, 0), "detached");
        assertEquals(0, f.bpf.close(z), "closed while no provider serves the map");
        f.runtime.addProvider(new XskMapProvider(), 0, "1.0.1");

        assertEquals(List.of(slot(m, 0), slot(m, 3)), slots(x));
        assertEquals(List.of(slot(m, 1)), slots(y));
        assertEquals(Errno.ENOENT.ret(), f.update(m, 2, y, BpfFlags.EXIST), "z's slot is empty");
        assertEquals(304 + 4 * 8 + 3 * 32, f.memlock(m), "three elements (x twice, y)");
        assertEquals(0, f.delete(m, 2));

        // the restored map follows its sockets' closes, and takes new ones by fd
        assertEquals(0, f.bpf.close(y));
        assertEquals(Errno.ENOENT.ret(), f.update(m, 1, x, BpfFlags.EXIST));
        assertEquals(0, f.update(m, 1, x, BpfFlags.NOEXIST));
        assertEquals(List.of(slot(m, 0), slot(m, 3), slot(m, 1)), slots(x));

        // x's rings kept their frames: a packet received now lands in the first one
        byte[] payload = "after the update".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0, xs.deliver(ByteBuffer.wrap(payload)));
        XdpRing.Consumer rx = xs.ring(RingType.RX).consumer();
        assertEquals(1, rx.peek(1));
        long addr = rx.descAddr(rx.index());
        assertEquals(payload.length, rx.descLen(rx.index()));
        byte[] got = new byte[payload.length];
        xs.umem().buffer().get((int) addr, got);
        assertEquals("after the update", new String(got, StandardCharsets.US_ASCII));
        assertEquals(0, addr / xs.umem().chunkSize(), "the first frame given before the update");
        rx.release(1);
    }
}
