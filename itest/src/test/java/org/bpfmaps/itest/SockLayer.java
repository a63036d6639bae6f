package org.bpfmaps.itest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.Errno;
import org.osgi.framework.Bundle;

/**
 * The core's socket layer ({@code org.bpfmaps.core.sock}: sockets, their kinds and the socket-kind
 * extension point) as the framework's core.api bundle has it, called reflectively: like the SPI, the package lives only inside the framework (only
 * {@code org.bpfmaps.core.api} is shared from the class path, see {@link OsgiFramework}), and the
 * sockets must be registered in the framework's core, whose map bundles look them up.
 */
final class SockLayer {
    private final Method register;
    private final Method byFd;
    private final Method cookie;
    private final Method kind;
    private final Method state;
    private final Method kinds;
    private final Method open;
    private final Method openedFd;
    private final Method channel;

    SockLayer(OsgiFramework osgi) throws ReflectiveOperationException {
        Bundle core = osgi.bundle(OsgiFramework.CORE);
        Class<?> sockets = core.loadClass("org.bpfmaps.core.sock.Sockets");
        register = sockets.getMethod("register", Bpf.class, NetworkChannel.class);
        byFd = sockets.getMethod("byFd", Bpf.class, int.class);
        Class<?> socket = core.loadClass("org.bpfmaps.core.sock.BpfSocket");
        cookie = socket.getMethod("cookie");
        kind = socket.getMethod("kind");
        state = socket.getMethod("state");
        Class<?> factories = core.loadClass("org.bpfmaps.core.sock.SocketFactories");
        kinds = factories.getMethod("kinds");
        open = factories.getMethod("open", Bpf.class, String.class);
        openedFd = core.loadClass("org.bpfmaps.core.sock.OpenedSocket").getMethod("fd");
        channel = sockets.getMethod("channel", Bpf.class, int.class);
    }

    /**
     * {@code Sockets.channel(bpf, fd)}: the application's channel of a socket whose I/O the core's
     * data path owns (it took a program from a map), asserted present. A {@code SockChannel},
     * blocking; its reads and writes are {@link ByteChannel}'s.
     */
    ByteChannel channel(Bpf bpf, int fd) {
        Object c = call(channel, null, bpf, fd);
        assertTrue(c != null, "fd " + fd + " has no data path channel");
        return (ByteChannel) c;
    }

    /** {@code SocketFactories.kinds()}: the socket kinds the installed parts make now. */
    @SuppressWarnings("unchecked")
    Set<String> kinds() {
        return (Set<String>) call(kinds, null);
    }

    /**
     * {@code SocketFactories.open(bpf, kind)}: a socket of that kind in the instance. The caller
     * closes the result (the helper ends, such as a socketpair's peer); the fd is the instance's.
     */
    Opened open(Bpf bpf, String socketKind) {
        Object o = call(open, null, bpf, socketKind);
        return new Opened((Integer) call(openedFd, o), (AutoCloseable) o);
    }

    /** What {@link #open} made: the socket's fd in the instance, and the helper ends to release. */
    record Opened(int fd, AutoCloseable helpers) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            helpers.close();
        }
    }

    /** The kind ({@code SocketKind} name) of the socket behind an open socket fd. */
    String kind(Bpf bpf, int fd) {
        return String.valueOf(call(kind, socket(bpf, fd)));
    }

    /** The state ({@code SocketState} name), read from the socket now. */
    String state(Bpf bpf, int fd) {
        return String.valueOf(call(state, socket(bpf, fd)));
    }

    private Object socket(Bpf bpf, int fd) {
        Object s = call(byFd, null, bpf, fd);
        assertTrue(s != null, "fd " + fd + " is no socket");
        return s;
    }

    /** {@code Sockets.register}: the channel handed to the instance; the fd, asserted valid. */
    int register(Bpf bpf, NetworkChannel channel) {
        int fd = (Integer) call(register, null, bpf, channel);
        assertTrue(fd >= 3, () -> "Sockets.register: " + Errno.nameOf(fd));
        return fd;
    }

    /** The cookie of the socket behind an open socket fd. */
    long cookie(Bpf bpf, int fd) {
        return (Long) call(cookie, socket(bpf, fd));
    }

    /** The exception the call threw (its cause, unwrapped), or an AssertionError if it returned. */
    Throwable openFails(Bpf bpf, String socketKind) {
        try {
            open.invoke(null, bpf, socketKind);
        } catch (InvocationTargetException e) {
            return e.getCause();
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("SocketFactories.open made a socket of kind " + socketKind);
    }

    private static Object call(Method m, Object target, Object... args) {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw new AssertionError(m.getName() + " threw", e.getCause());
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    /** A connected loopback TCP pair: the client end and the end the listener accepted. */
    record Pair(SocketChannel client, SocketChannel accepted) implements AutoCloseable {
        static Pair open() throws IOException {
            try (ServerSocketChannel server = ServerSocketChannel.open()) {
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel client = SocketChannel.open(server.getLocalAddress());
                SocketChannel accepted = server.accept();
                // bounded reads: a socket that no longer works fails the test instead of hanging it
                client.socket().setSoTimeout((int) OsgiFramework.TIMEOUT_MS);
                accepted.socket().setSoTimeout((int) OsgiFramework.TIMEOUT_MS);
                return new Pair(client, accepted);
            }
        }

        /** Bytes both ways between the two ends, read back as they were sent. */
        void assertTalks(String what) throws IOException {
            send(client, accepted, "to the accepted end: " + what);
            send(accepted, client, "to the client: " + what);
        }

        private static void send(SocketChannel from, SocketChannel to, String text) throws IOException {
            byte[] sent = text.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.wrap(sent);
            while (b.hasRemaining()) {
                from.write(b);
            }
            assertArrayEquals(sent, readN(to, sent.length), text);
        }

        /** Reads exactly n bytes (a read waits at most TIMEOUT_MS, then throws). */
        static byte[] readN(SocketChannel ch, int n) throws IOException {
            InputStream in = ch.socket().getInputStream();
            byte[] got = in.readNBytes(n);
            assertEquals(n, got.length, "the stream ended early");
            return got;
        }

        @Override
        public void close() throws IOException {
            try (client; accepted) {
                // both closed, the first failure thrown
            }
        }
    }
}
