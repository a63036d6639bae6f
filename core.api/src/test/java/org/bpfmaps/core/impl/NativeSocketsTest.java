package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.NativeSocket;
import org.bpfmaps.core.sock.OpenedSocket;
import org.bpfmaps.core.sock.SocketFactories;
import org.bpfmaps.core.sock.SocketFactory;
import org.bpfmaps.core.sock.SocketKind;
import org.bpfmaps.core.sock.SocketState;
import org.bpfmaps.core.sock.Sockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sockets that are no JDK channel, as a bundle registers them ({@link NativeSocket}), are sockets
 * of the table as channels are: a cookie, the cookie table, the close listeners, closed by their
 * last fd; and socket kinds a bundle's {@link SocketFactory} service adds.
 */
class NativeSocketsTest {
    private final StandaloneRuntime runtime = new StandaloneRuntime();
    private final BpfInstance bpf = runtime.newInstance(BpfSettings.defaults());

    @AfterEach
    void close() {
        bpf.close();
    }

    /** A socket whose state the test sets, as the kernel would change it. */
    static final class FakeSocket implements NativeSocket {
        volatile boolean open = true;
        volatile SocketState state = SocketState.ESTABLISHED;
        final AtomicInteger closes = new AtomicInteger();

        @Override
        public SocketKind kind() {
            return SocketKind.UNIX_DGRAM;
        }

        @Override
        public SocketState state() {
            return open ? state : SocketState.CLOSED;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public SocketAddress localAddress() {
            return null;
        }

        @Override
        public SocketAddress remoteAddress() {
            return null;
        }

        @Override
        public void close() {
            closes.incrementAndGet();
            open = false;
        }
    }

    @Test
    void aNativeSocketIsASocketOfTheTable() {
        FakeSocket f = new FakeSocket();
        int fd = Sockets.register(bpf, f, null);
        assertTrue(fd >= 3, Errno.nameOf(fd));
        BpfSocket s = Sockets.byFd(bpf, fd);
        assertNotNull(s);
        assertEquals(SocketKind.UNIX_DGRAM, s.kind());
        assertNull(s.channel(), "no JDK channel");
        assertTrue(s.cookie() > 0);
        assertSame(s, Sockets.byCookie(s.cookie()));
        assertEquals(SocketState.ESTABLISHED, s.state());
        f.state = SocketState.CLOSE;
        assertEquals(SocketState.CLOSE, s.state(), "read from the socket every time");
        assertFalse(s.bound());
        AtomicInteger left = new AtomicInteger();
        assertTrue(s.onClose(left::incrementAndGet));
        assertEquals(0, left.get(), "a CLOSE that is no TCP reset leaves no map");
        assertEquals(0, bpf.close(fd));
        assertEquals(1, f.closes.get(), "its last fd closed it");
        assertEquals(1, left.get(), "and it left its maps");
        assertEquals(SocketState.CLOSED, s.state());
        assertNull(Sockets.byCookie(s.cookie()));
        assertEquals(1, left.get(), "once");
    }

    @Test
    void registeredOnceAndOpenOnly() {
        FakeSocket f = new FakeSocket();
        int fd = Sockets.register(bpf, f, null);
        assertEquals(Errno.EEXIST.ret(), Sockets.register(bpf, f, null), "one socket, one registration");
        assertEquals(0, bpf.close(fd));
        FakeSocket closed = new FakeSocket();
        closed.open = false;
        String[] why = new String[1];
        assertEquals(Errno.EBADF.ret(), Sockets.register(bpf, closed, (e, p, a, b) -> {
            why[0] = p;
            return e.ret();
        }));
        assertEquals("the socket is closed", why[0]);
        assertEquals(0, closed.closes.get(), "not the instance's: not closed by it");
    }

    @Test
    void theBundleClosingItsSocketIsTheSocketsClose() {
        FakeSocket f = new FakeSocket();
        int fd = Sockets.register(bpf, f, null);
        BpfSocket s = Sockets.byFd(bpf, fd);
        AtomicInteger left = new AtomicInteger();
        s.onClose(left::incrementAndGet);
        f.open = false;
        assertEquals(SocketState.CLOSED, s.state());
        assertEquals(1, left.get());
        assertSame(s, Sockets.byFd(bpf, fd), "the fd stays until closed");
        assertEquals(0, bpf.close(fd));
        assertEquals(1, left.get());
    }

    @Test
    void theInstanceClosingClosesItsNativeSockets() {
        BpfInstance other = runtime.newInstance(BpfSettings.defaults());
        FakeSocket f = new FakeSocket();
        Sockets.register(other, f, null);
        other.close();
        assertEquals(1, f.closes.get());
    }

    @Test
    void noFreeFdClosesTheSocket() {
        BpfInstance tiny = runtime.newInstance(new BpfSettings(2, 1 << 20, 1, 16));
        try {
            FakeSocket last = null;
            for (int i = 0; i < 20; i++) {
                last = new FakeSocket();
                if (Sockets.register(tiny, last, null) == Errno.EMFILE.ret()) {
                    break;
                }
            }
            assertEquals(1, last.closes.get(), "released as the kernel releases a socket it could not give an fd for");
        } finally {
            tiny.close();
        }
    }

    /** A bundle's factory of one kind, as a service of the framework. */
    private static final class OneKind implements SocketFactory {
        @Override
        public Set<String> kinds() {
            return Set.of("test_kind");
        }

        @Override
        public OpenedSocket open(Bpf b, String kind) {
            return OpenedSocket.of(Sockets.register(b, new FakeSocket(), null));
        }
    }

    @Test
    void aServiceAddsItsKindsWhileItIsRegistered() throws IOException {
        SocketFactory f = new OneKind();
        assertFalse(SocketFactories.kinds().contains("test_kind"));
        new CoreComponent().addSocketFactory(f);
        try {
            assertTrue(SocketFactories.kinds().contains("test_kind"));
            try (OpenedSocket o = SocketFactories.open(bpf, "test_kind")) {
                assertEquals(SocketKind.UNIX_DGRAM, Sockets.byFd(bpf, o.fd()).kind());
            }
        } finally {
            new CoreComponent().removeSocketFactory(f);
        }
        assertFalse(SocketFactories.kinds().contains("test_kind"), "gone with its service");
    }
}
