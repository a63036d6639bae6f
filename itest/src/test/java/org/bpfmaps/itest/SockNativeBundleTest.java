package org.bpfmaps.itest;

import static org.bpfmaps.itest.Calls.lookup;
import static org.bpfmaps.itest.Calls.lookupRet;
import static org.bpfmaps.itest.Calls.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.itest.SockLayer.Opened;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleWiring;

/**
 * sock.native in Felix: JNA's own bundle ({@code com.sun.jna}, its native part from
 * Bundle-NativeCode) wires to sock.native's optional import, sock.native's SocketFactory service
 * reaches the core's socket-kind extension point, and the {@code unix_dgram} kind exists exactly
 * while the bundle is active. A socket of that kind made through it is a socket of the core that
 * a SOCKMAP and a SOCKHASH hold (lookup gives its cookie) until its fd is closed.
 */
class SockNativeBundleTest {
    static final String SOCK_NATIVE = "org.bpfmaps.sock.native";
    static final String JNA = "com.sun.jna";
    private static final String UNIX_DGRAM = "unix_dgram";
    private static final String FACTORY = "(objectClass=org.bpfmaps.core.sock.SocketFactory)";

    private OsgiFramework osgi;
    private Bpf bpf;
    private SockLayer sockets;

    @BeforeEach
    void start() throws Exception {
        osgi = OsgiFramework.start(getClass().getSimpleName(),
                List.of(SockMapBundleUpdateTest.SOCKMAP_BUNDLE, JNA, SOCK_NATIVE), Map.of());
        osgi.awaitMapType(MapType.SOCKMAP, true);
        bpf = osgi.bpf();
        sockets = new SockLayer(osgi);
    }

    @AfterEach
    void stop() throws Exception {
        if (osgi != null) {
            osgi.close();
        }
    }

    private int create(MapType type, String name) {
        MapCreateAttr a = new MapCreateAttr(type, 4, 8, 4).name(name);
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, a);
        assertTrue(fd >= 3, () -> type + ": " + Errno.nameOf(fd) + " " + a.errorMessage());
        return fd;
    }

    private void awaitKind(boolean made) {
        OsgiFramework.await(() -> sockets.kinds().contains(UNIX_DGRAM) == made,
                UNIX_DGRAM + (made ? " made" : " no longer made") + "; kinds: " + sockets.kinds());
    }

    @Test
    void theUnixDatagramKindComesAndGoesWithTheBundleAndItsSocketsGoIntoMaps() throws Exception {
        Bundle bundle = osgi.bundle(SOCK_NATIVE);
        ServiceReference<?> factory = osgi.awaitService(FACTORY);
        assertEquals(bundle, factory.getBundle(), "sock.native registers the SocketFactory service");
        assertTrue(bundle.adapt(BundleWiring.class).getRequiredWires("osgi.wiring.package").stream()
                .anyMatch(w -> w.getProvider().getBundle().getSymbolicName().equals(JNA)),
                "the optional import of com.sun.jna is wired to JNA's bundle");
        awaitKind(true);

        int sockmap = create(MapType.SOCKMAP, "sm");
        int sockhash = create(MapType.SOCKHASH, "sh");
        int fd;
        long cookie;
        try (Opened s = sockets.open(bpf, UNIX_DGRAM)) {
            fd = s.fd();
            assertEquals("UNIX_DGRAM", sockets.kind(bpf, fd));
            assertEquals("ESTABLISHED", sockets.state(bpf, fd), "a socketpair end is connected");
            cookie = sockets.cookie(bpf, fd);
            assertEquals(0, update(bpf, sockmap, 1, fd), "SOCKMAP update with the unix_dgram fd");
            assertEquals(0, update(bpf, sockhash, 7, fd), "SOCKHASH update with the unix_dgram fd");
            assertEquals(cookie, lookup(bpf, sockmap, 1));
            assertEquals(cookie, lookup(bpf, sockhash, 7));

            // stopped: the kind is no longer made, and asking for it names the kind
            bundle.stop();
            osgi.awaitNoService(FACTORY);
            awaitKind(false);
            Throwable refused = sockets.openFails(bpf, UNIX_DGRAM);
            assertInstanceOf(IllegalArgumentException.class, refused);
            assertTrue(refused.getMessage().contains("'" + UNIX_DGRAM + "'"), refused.getMessage());
            // the socket it made is the instance's, not the bundle's: still in both maps
            assertEquals(cookie, lookup(bpf, sockmap, 1), "the socket outlives its factory's bundle");
            assertEquals(cookie, lookup(bpf, sockhash, 7));
        }
        assertEquals(0, bpf.close(fd), "its only fd");
        assertEquals(Errno.ENOENT.ret(), lookupRet(bpf, sockmap, 1), "closed: out of the SOCKMAP");
        assertEquals(Errno.ENOENT.ret(), lookupRet(bpf, sockhash, 7), "and of the SOCKHASH");

        bundle.start();
        osgi.awaitService(FACTORY);
        awaitKind(true);
        try (Opened again = sockets.open(bpf, UNIX_DGRAM)) {
            long second = sockets.cookie(bpf, again.fd());
            assertTrue(second > cookie, "a new socket, a new cookie");
            assertEquals(0, update(bpf, sockmap, 2, again.fd()), "a socket of the restarted bundle");
            assertEquals(second, lookup(bpf, sockmap, 2));
            assertEquals(0, bpf.close(again.fd()));
        }
        assertEquals(Errno.ENOENT.ret(), lookupRet(bpf, sockmap, 2));
        osgi.assertNoProblems();
    }
}
