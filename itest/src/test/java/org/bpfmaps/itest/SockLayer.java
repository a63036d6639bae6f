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
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.Errno;
import org.osgi.framework.Bundle;

/**
 * The core's socket layer ({@code org.bpfmaps.core.sock}) as the framework's core.api bundle has
 * it, called reflectively: like the SPI, the package lives only inside the framework (only
 * {@code org.bpfmaps.core.api} is shared from the class path, see {@link OsgiFramework}), and the
 * sockets must be registered in the framework's core, whose map bundles look them up.
 */
final class SockLayer {
    private final Method register;
    private final Method byFd;
    private final Method cookie;

    SockLayer(OsgiFramework osgi) throws ReflectiveOperationException {
        Bundle core = osgi.bundle(OsgiFramework.CORE);
        Class<?> sockets = core.loadClass("org.bpfmaps.core.sock.Sockets");
        register = sockets.getMethod("register", Bpf.class, NetworkChannel.class);
        byFd = sockets.getMethod("byFd", Bpf.class, int.class);
        cookie = core.loadClass("org.bpfmaps.core.sock.BpfSocket").getMethod("cookie");
    }

    /** {@code Sockets.register}: the channel handed to the instance; the fd, asserted valid. */
    int register(Bpf bpf, NetworkChannel channel) {
        int fd = (Integer) call(register, null, bpf, channel);
        assertTrue(fd >= 3, () -> "Sockets.register: " + Errno.nameOf(fd));
        return fd;
    }

    /** The cookie of the socket behind an open socket fd. */
    long cookie(Bpf bpf, int fd) {
        Object s = call(byFd, null, bpf, fd);
        assertTrue(s != null, "fd " + fd + " is no socket");
        return (Long) call(cookie, s);
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
