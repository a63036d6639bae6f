package org.bpfmaps.sock.jna;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.OpenedSocket;
import org.bpfmaps.core.sock.SocketFactories;
import org.bpfmaps.core.sock.SocketFactory;
import org.bpfmaps.core.sock.SocketKind;
import org.bpfmaps.core.sock.SocketState;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.standalone.Standalone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The native Unix datagram kind: a real socket of the kernel (its line in /proc/net/unix), a socket
 * of the core like a channel, its descriptors closed with its last fd and the caller's close, and
 * simply missing when JNA is.
 */
class UnixDgramFactoryTest {
    private final BpfInstance bpf = Standalone.create().newInstance(BpfSettings.defaults());

    @AfterEach
    void close() {
        bpf.close();
    }

    /**
     * The process's open socket descriptors: what these tests make and must close. Other fds are not
     * counted: the JVM opens and closes files of its own (jars, as classes load) on other threads,
     * and under a loaded build a count of every fd once saw one fewer, once one more.
     */
    private static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException gone) {
                    return false; // closed while listed (the listing's own fd among them)
                }
            }).count();
        }
    }

    @Test
    void theKindIsFoundOnThePlainClassPath() {
        assertNull(NativeCalls.UNAVAILABLE, "JNA loads on this machine");
        assertTrue(SocketFactories.kinds().contains("unix_dgram"), SocketFactories.kinds().toString());
    }

    @Test
    void aUnixDatagramSocketOfTheCore() throws IOException {
        try (OpenedSocket o = SocketFactories.open(bpf, "unix_dgram")) {
            BpfSocket s = Sockets.byFd(bpf, o.fd());
            assertNotNull(s);
            assertEquals(SocketKind.UNIX_DGRAM, s.kind());
            assertEquals(SocketState.ESTABLISHED, s.state(), "a socketpair's end is connected");
            assertNull(s.channel(), "no JDK channel");
            assertNull(s.localAddress(), "unnamed");
            assertTrue(s.cookie() > 0);
            assertEquals(s, Sockets.byCookie(s.cookie()));
            AtomicInteger left = new AtomicInteger();
            assertTrue(s.onClose(left::incrementAndGet));
            o.close(); // the peer closes
            assertEquals(SocketState.ESTABLISHED, s.state(), "the kernel keeps a datagram socket's sk_state when its peer goes");
            assertEquals(0, left.get());
            assertEquals(0, bpf.close(o.fd()));
            assertEquals(SocketState.CLOSED, s.state());
            assertEquals(1, left.get(), "its last fd closed it: it left its maps");
        }
    }

    @Test
    void theEndsAreRealKernelSockets() throws IOException {
        UnixDgramSocket[] pair = UnixDgramSocket.pair();
        try {
            for (UnixDgramSocket end : pair) {
                assertEquals("socket:[" + end.inode() + "]",
                        Files.readSymbolicLink(Path.of("/proc/self/fd/" + end.fd())).toString());
                assertEquals(3, UnixDgramSocket.st(end.inode()), "SS_CONNECTED in /proc/net/unix");
            }
        } finally {
            pair[0].close();
            pair[1].close();
        }
        assertFalse(Files.exists(Path.of("/proc/self/fd/" + pair[0].fd())) && UnixDgramSocket.st(pair[0].inode()) >= 0,
                "closed: no descriptor of it is left");
        assertEquals(-1, UnixDgramSocket.st(pair[0].inode()), "the kernel freed it");
        assertEquals(SocketState.CLOSED, pair[0].state());
    }

    @Test
    void everyDescriptorIsClosed() throws IOException {
        try (OpenedSocket o = SocketFactories.open(bpf, "unix_dgram")) {
            bpf.close(o.fd()); // what loads lazily the first time
        }
        long before = openFds();
        for (int i = 0; i < 200; i++) {
            try (OpenedSocket o = SocketFactories.open(bpf, "unix_dgram")) {
                assertEquals(0, bpf.close(o.fd()));
            }
        }
        assertEquals(before, openFds(), "200 sockets made and closed: as many fds as before");
        List<OpenedSocket> kept = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            kept.add(SocketFactories.open(bpf, "unix_dgram"));
        }
        assertEquals(before + 20, openFds(), "two descriptors a socket while open");
        bpf.close(); // the instance closes the registered ends
        kept.forEach(OpenedSocket::close);
        assertEquals(before, openFds(), "the instance's close and the callers' close release both ends");
    }

    @Test
    void noFreeFdLeavesNothingOpen() throws IOException {
        BpfInstance tiny = Standalone.create().newInstance(new BpfSettings(2, 1 << 20, 1, 16));
        List<OpenedSocket> kept = new ArrayList<>();
        try {
            IOException full = null;
            for (int i = 0; i < 20 && full == null; i++) {
                long before = openFds();
                try {
                    kept.add(SocketFactories.open(tiny, "unix_dgram"));
                } catch (IOException e) {
                    full = e;
                    assertEquals(before, openFds(), "both ends closed");
                }
            }
            assertNotNull(full);
            assertTrue(full.getMessage().startsWith(Errno.EMFILE.name()), full.getMessage());
        } finally {
            tiny.close();
            kept.forEach(OpenedSocket::close);
        }
    }

    @Test
    void withoutNativeCallsTheKindIsMissing() {
        SocketFactory f = new UnixDgramFactory(new UnsatisfiedLinkError("no jnidispatch"));
        assertEquals(Set.of(), f.kinds());
        IOException e = assertThrows(IOException.class, () -> f.open(bpf, "unix_dgram"));
        assertTrue(e.getMessage().contains("no jnidispatch"), e.getMessage());
    }

    /** The factory loaded where JNA is not: it loads, and makes no kind. */
    @Test
    void withoutJnaOnTheClassPathTheFactoryLoadsAndMakesNothing() throws Exception {
        URL mine = UnixDgramFactory.class.getProtectionDomain().getCodeSource().getLocation();
        URL core = SocketFactory.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader noJna = new URLClassLoader(new URL[] {mine, core}, ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class, () -> noJna.loadClass("com.sun.jna.Native"));
            Object f = noJna.loadClass(UnixDgramFactory.class.getName()).getConstructor().newInstance();
            assertEquals(Set.of(), f.getClass().getMethod("kinds").invoke(f));
        }
    }
}
