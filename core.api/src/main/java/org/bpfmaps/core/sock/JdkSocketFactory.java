package org.bpfmaps.core.sock;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.spi.HostedObject;
import org.bpfmaps.core.spi.ObjectHost;
import org.bpfmaps.core.spi.ObjectKind;

/**
 * The core's socket kinds: everything {@code java.nio} makes on loopback, each really in the state
 * its name says before its fd is given, reached without a sleep:
 * <ul>
 * <li>{@code tcp_established}, {@code tcp6_established} (on {@code ::1}), {@code tcp_accepted}:
 * a connection through a listener on loopback; the connect returned and the accept took the
 * connection, so both ends are ESTABLISHED. The other end and the listener are the helper ends.</li>
 * <li>{@code tcp_listen}: a listener on 127.0.0.1, LISTEN. {@code tcp_unconnected}: a new TCP
 * socket, CLOSE. {@code tcp_bound}: bound to 127.0.0.1 only, CLOSE (in no hash table).</li>
 * <li>{@code tcp_close_wait}: the peer closed and this side read until EOF: the FIN arrived, so the
 * kernel set CLOSE_WAIT before the read could return -1.</li>
 * <li>{@code tcp_closed_state}: the peer closed with {@code SO_LINGER} 0 and this side's read saw
 * the reset: {@code tcp_reset} ran {@code tcp_done} first, so the socket is CLOSE (out of the
 * kernel's tables), as after FINs both ways, which the kernel answers the same (EOPNOTSUPP).</li>
 * <li>{@code udp_bound} (127.0.0.1), {@code udp_unbound}; {@code unix_stream}: a connected
 * Unix-domain stream socket through a listener on an automatic path, removed at once.</li>
 * <li>{@code pipe} and {@code devnull}: open fds of the instance that are no sockets (objects of
 * kind {@link #FILE}: a pipe's read end, {@code /dev/null} opened for reading), so that a socket
 * map answers ENOTSOCK; {@code badfd}: {@link Integer#MAX_VALUE}, a number no instance can have
 * open (EBADF).</li>
 * </ul>
 */
final class JdkSocketFactory implements SocketFactory {
    /** Open files that are no sockets: no ids, not pinnable (OBJ_PIN answers EINVAL, as for a pipe). */
    static final ObjectKind FILE = ObjectKind.fdOnly("file");
    /** No instance has this fd open: its table would need 2^31 entries. */
    static final int BAD_FD = Integer.MAX_VALUE;

    static final Set<String> KINDS = Set.of("tcp_established", "tcp_accepted", "tcp6_established", "tcp_listen",
            "tcp_unconnected", "tcp_bound", "tcp_close_wait", "tcp_closed_state", "udp_bound", "udp_unbound",
            "unix_stream", "pipe", "devnull", "badfd");

    @Override
    public Set<String> kinds() {
        return KINDS;
    }

    @Override
    public OpenedSocket open(Bpf bpf, String kind) throws IOException {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("the core makes no sockets of kind '" + kind + "'");
        }
        Helpers h = new Helpers();
        try {
            return make(bpf, kind, h);
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
    }

    private static OpenedSocket make(Bpf bpf, String kind, Helpers h) throws IOException {
        InetAddress v4 = InetAddress.getByName("127.0.0.1");
        switch (kind) {
            case "tcp_established":
                return register(bpf, tcp(v4, h).client, h);
            case "tcp6_established":
                return register(bpf, tcp(InetAddress.getByName("::1"), h).client, h);
            case "tcp_accepted":
                return register(bpf, tcp(v4, h).accepted, h);
            case "tcp_listen":
                return register(bpf, ServerSocketChannel.open().bind(new InetSocketAddress(v4, 0)), h);
            case "tcp_unconnected":
                return register(bpf, SocketChannel.open(), h);
            case "tcp_bound":
                return register(bpf, SocketChannel.open().bind(new InetSocketAddress(v4, 0)), h);
            case "tcp_close_wait": {
                Tcp t = tcp(v4, h);
                t.accepted.close();
                readToEof(t.client);
                return register(bpf, t.client, h);
            }
            case "tcp_closed_state": {
                Tcp t = tcp(v4, h);
                t.accepted.setOption(StandardSocketOptions.SO_LINGER, 0);
                t.accepted.close(); // an RST, not a FIN
                try {
                    readToEof(t.client);
                    throw new IOException("tcp_closed_state: the peer's close with SO_LINGER 0 sent no reset");
                } catch (SocketException reset) {
                    // the read saw ECONNRESET: tcp_done ran before it, the socket is CLOSE
                }
                return register(bpf, t.client, h);
            }
            case "udp_bound":
                return register(bpf, DatagramChannel.open(StandardProtocolFamily.INET)
                        .bind(new InetSocketAddress(v4, 0)), h);
            case "udp_unbound":
                return register(bpf, DatagramChannel.open(StandardProtocolFamily.INET), h);
            case "unix_stream":
                return register(bpf, unixStream(h), h);
            case "pipe": {
                Pipe p = Pipe.open();
                h.add(p.sink());
                return file(bpf, p.source(), h);
            }
            case "devnull":
                return file(bpf, FileChannel.open(Path.of("/dev/null"), StandardOpenOption.READ), h);
            case "badfd":
                return OpenedSocket.of(BAD_FD);
            default:
                throw new IllegalArgumentException(kind);
        }
    }

    /** A connection on loopback: the listener and the end not registered are helper ends. */
    private record Tcp(SocketChannel client, SocketChannel accepted) {
    }

    private static Tcp tcp(InetAddress ip, Helpers h) throws IOException {
        ServerSocketChannel server = h.add(ServerSocketChannel.open().bind(new InetSocketAddress(ip, 0)));
        SocketChannel client = h.add(SocketChannel.open(server.getLocalAddress()));
        SocketChannel accepted = h.add(server.accept());
        return new Tcp(client, accepted);
    }

    /** Reads until EOF; the peer sent nothing, so the first read that returns ends it. */
    private static void readToEof(SocketChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64);
        while (ch.read(b) >= 0) {
            b.clear();
        }
    }

    /** A connected Unix stream socket: its listener's automatic path is removed at once. */
    private static SocketChannel unixStream(Helpers h) throws IOException {
        ServerSocketChannel server = h.add(ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(null));
        Path path = ((UnixDomainSocketAddress) server.getLocalAddress()).getPath();
        try {
            SocketChannel client = h.add(SocketChannel.open(StandardProtocolFamily.UNIX));
            client.connect(server.getLocalAddress());
            h.add(server.accept());
            return client;
        } finally {
            Files.deleteIfExists(path);
        }
    }

    /** Registers the channel (taken out of the helper ends: the instance owns it now). */
    private static OpenedSocket register(Bpf bpf, NetworkChannel ch, Helpers h) throws IOException {
        h.remove(ch);
        Reason why = new Reason();
        int fd;
        try {
            fd = Sockets.register(bpf, ch, why);
        } catch (RuntimeException e) {
            ch.close();
            throw e;
        }
        if (fd < 0) {
            ch.close(); // closed already unless the registration itself failed
            throw why.exception(fd);
        }
        return OpenedSocket.of(fd, h.toArray());
    }

    /** An open file that is no socket, as an object of the instance; closing its last fd closes it. */
    private static OpenedSocket file(Bpf bpf, Closeable file, Helpers h) throws IOException {
        ObjectHost host = ObjectHost.of(bpf).orElse(null);
        if (host == null) {
            file.close();
            throw new IllegalArgumentException("files are objects of the core's instances, not of " + bpf);
        }
        Reason why = new Reason();
        int fd = host.install(new FileObject(file), 0, why); // released (closed) on failure
        if (fd < 0) {
            throw why.exception(fd);
        }
        return OpenedSocket.of(fd, h.toArray());
    }

    /** A file the instance holds: an fd that is no socket and no BPF object. */
    private record FileObject(Closeable file) implements HostedObject {
        @Override
        public ObjectKind kind() {
            return FILE;
        }

        @Override
        public void release() {
            try {
                file.close();
            } catch (IOException e) {
                // closed as far as anyone can tell
            }
        }
    }

    /** The reason an fd could not be given, as an exception. */
    private static final class Reason implements ErrorSink {
        private String why = "";

        @Override
        public int fail(Errno errno, String pattern, long a, long b) {
            why = String.format(pattern, a, b);
            return errno.ret();
        }

        IOException exception(int err) {
            return new IOException(Errno.nameOf(err) + ": no fd for the socket: " + why);
        }
    }

    /** The ends opened so far, closed in reverse order when making the socket fails. */
    private static final class Helpers {
        private final Deque<AutoCloseable> ends = new ArrayDeque<>();

        <C extends AutoCloseable> C add(C c) {
            ends.push(c);
            return c;
        }

        void remove(Object c) {
            ends.removeIf(e -> e == c);
        }

        AutoCloseable[] toArray() {
            return ends.toArray(new AutoCloseable[0]);
        }

        void close() {
            for (AutoCloseable c : ends) {
                try {
                    c.close();
                } catch (Exception e) {
                    // cleaning up after a failure: the first exception is the one to report
                }
            }
            ends.clear();
        }
    }
}
