package org.bpfmaps.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleRevision;

/**
 * An XSKMAP holding XSK sockets of the core across an update of map.xsk in Felix: the sockets are
 * the core's ({@code org.bpfmaps.core.xdp}), made through map.xsk's socket kinds; while the bundle
 * is stopped the map answers ENODEV and a socket closed meanwhile leaves it; the updated bundle
 * takes back the others in their slots, and a bound socket keeps the frames its application put in
 * its FILL ring: a packet delivered after the update lands in the first of them.
 */
class XskMapBundleUpdateTest {
    static final String XSK_BUNDLE = "org.bpfmaps.map.xsk";
    private static final String XSK_PROVIDER = "(&" + OsgiFramework.MAP_PROVIDER + "(bpf.map.types=xskmap))";

    private OsgiFramework osgi;
    private Bpf bpf;

    @BeforeEach
    void start() throws Exception {
        osgi = OsgiFramework.start(getClass().getSimpleName(), List.of(XSK_BUNDLE), Map.of());
        osgi.awaitService(XSK_PROVIDER);
        osgi.awaitMapType(MapType.XSKMAP, true);
        bpf = osgi.bpf();
    }

    @AfterEach
    void stop() throws Exception {
        if (osgi != null) {
            osgi.close();
        }
    }

    private int update(int map, int key, int fd, long flags) {
        ByteBuffer v = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, fd);
        return bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(map, Calls.u32(key), v, flags));
    }

    @Test
    void socketsAndTheirRingsSurviveAnUpdate() throws Exception {
        SockLayer sockets = new SockLayer(osgi);
        assertTrue(sockets.kinds().containsAll(List.of("xdp_unbound", "xdp_bound_lo")), sockets.kinds().toString());
        MapCreateAttr a = new MapCreateAttr(MapType.XSKMAP, 4, 4, 4).name("xsks");
        int map = bpf.bpf(BpfCmd.MAP_CREATE, a);
        assertTrue(map >= 3, a.errorMessage());
        int x;
        int y;
        int z;
        try (SockLayer.Opened ox = sockets.open(bpf, "xdp_bound_lo");
                SockLayer.Opened oy = sockets.open(bpf, "xdp_unbound");
                SockLayer.Opened oz = sockets.open(bpf, "xdp_unbound")) {
            x = ox.fd();
            y = oy.fd();
            z = oz.fd();
        }
        assertEquals("XDP", sockets.kind(bpf, x));
        assertEquals(0, update(map, 0, x, 0));
        assertEquals(0, update(map, 1, y, 0));
        assertEquals(0, update(map, 2, z, 0));
        Xsk xsk = new Xsk(osgi, bpf, x);
        xsk.fill(0, 4096);

        Bundle bundle = osgi.bundle(XSK_BUNDLE);
        BundleRevision before = bundle.adapt(BundleRevision.class);
        bundle.stop();
        osgi.awaitMapType(MapType.XSKMAP, false);
        assertEquals(Errno.ENODEV.ret(), update(map, 3, y, 0), "stopped");
        assertEquals(Errno.EINVAL.ret(), update(map, 3, y, 3), "the flags, checked by the core first");
        assertEquals(0, bpf.close(z), "closed while no provider serves the map");
        bundle.update();
        bundle.start();
        osgi.awaitService(XSK_PROVIDER);
        osgi.awaitMapType(MapType.XSKMAP, true);
        assertNotSame(before, bundle.adapt(BundleRevision.class), "a new revision serves");

        // NOEXIST with the socket a slot holds succeeds, with another EEXIST: x at 0, y at 1
        assertEquals(0, update(map, 0, x, BpfFlags.NOEXIST), "x is still at 0");
        assertEquals(Errno.EEXIST.ret(), update(map, 0, y, BpfFlags.NOEXIST), "slot 0 is not empty");
        assertEquals(0, update(map, 1, y, BpfFlags.NOEXIST), "y is still at 1");
        assertEquals(Errno.EEXIST.ret(), update(map, 1, x, BpfFlags.NOEXIST), "slot 1 is not empty");
        assertEquals(Errno.ENOENT.ret(), update(map, 2, y, BpfFlags.EXIST), "z left the map while it was detached");
        assertEquals(304 + 4 * 8 + 2 * 32, bpf.fdinfo(map).memlock(), "two elements");

        byte[] payload = "after the update".getBytes(StandardCharsets.US_ASCII);
        assertEquals("after the update", xsk.receive(payload), "x's FILL ring kept its frames");
        assertEquals(0, bpf.close(y));
        assertEquals(Errno.ENOENT.ret(), update(map, 1, x, BpfFlags.EXIST), "the restored map follows closes");
        osgi.assertNoProblems();
    }

    /** An XSK socket of the framework's core, worked reflectively (org.bpfmaps.core.xdp is not shared with the test). */
    private static final class Xsk {
        private final Object socket;
        private final Class<?> ringType;
        private final Method ring;

        Xsk(OsgiFramework osgi, Bpf bpf, int fd) throws ReflectiveOperationException {
            Bundle core = osgi.bundle(OsgiFramework.CORE);
            Class<?> xdp = core.loadClass("org.bpfmaps.core.xdp.XdpSocket");
            ringType = core.loadClass("org.bpfmaps.core.xdp.RingType");
            ring = xdp.getMethod("ring", ringType);
            socket = xdp.getMethod("byFd", Bpf.class, int.class).invoke(null, bpf, fd);
        }

        private Object ring(String type, String end) throws ReflectiveOperationException {
            @SuppressWarnings({"unchecked", "rawtypes"})
            Object t = Enum.valueOf((Class) ringType, type);
            Object r = ring.invoke(socket, t);
            return r.getClass().getMethod(end).invoke(r);
        }

        private static Object call(Object o, String name, Class<?>[] types, Object... args)
                throws ReflectiveOperationException {
            return o.getClass().getMethod(name, types).invoke(o, args);
        }

        /** Gives the frames at these addresses to the FILL ring, as an application does. */
        void fill(long... addrs) throws ReflectiveOperationException {
            Object p = ring("FILL", "producer");
            assertEquals(addrs.length, call(p, "reserve", new Class<?>[] {int.class}, addrs.length));
            int idx = (Integer) call(p, "index", new Class<?>[0]);
            for (int i = 0; i < addrs.length; i++) {
                call(p, "addr", new Class<?>[] {int.class, long.class}, idx + i, addrs[i]);
            }
            call(p, "submit", new Class<?>[] {int.class}, addrs.length);
        }

        /** Delivers a packet (the device's side) and reads it from the RX ring: its text, from the first frame. */
        String receive(byte[] packet) throws ReflectiveOperationException {
            assertEquals(0, call(socket, "deliver", new Class<?>[] {ByteBuffer.class}, ByteBuffer.wrap(packet)));
            Object c = ring("RX", "consumer");
            assertEquals(1, call(c, "peek", new Class<?>[] {int.class}, 1));
            int idx = (Integer) call(c, "index", new Class<?>[0]);
            long addr = (Long) call(c, "descAddr", new Class<?>[] {int.class}, idx);
            int len = (Integer) call(c, "descLen", new Class<?>[] {int.class}, idx);
            Object umem = call(socket, "umem", new Class<?>[0]);
            assertEquals(0L, addr / (Integer) call(umem, "chunkSize", new Class<?>[0]), "the first frame given");
            ByteBuffer b = (ByteBuffer) call(umem, "buffer", new Class<?>[0]);
            byte[] got = new byte[len];
            b.get((int) addr, got);
            call(c, "release", new Class<?>[] {int.class}, 1);
            return new String(got, StandardCharsets.US_ASCII);
        }
    }
}
