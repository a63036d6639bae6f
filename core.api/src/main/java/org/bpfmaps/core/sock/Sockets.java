package org.bpfmaps.core.sock;

import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.spi.HostedObject;
import org.bpfmaps.core.spi.ObjectHost;
import org.bpfmaps.core.spi.ObjectKind;

/**
 * Sockets as objects of an instance: registering a {@code java.nio} channel gives an fd in the
 * instance's table, beside its maps, as {@code socket(2)} gives one; {@link #byFd} gives the
 * {@link BpfSocket} behind an fd.
 *
 * <p>Accepted channels: TCP {@link SocketChannel} and {@link ServerSocketChannel} (IPv4 and IPv6),
 * {@link DatagramChannel} (UDP), Unix-domain {@link SocketChannel} and {@link ServerSocketChannel}.
 * Sockets the JDK has no channel for are registered as a bundle's {@link NativeSocket} (since 1.2),
 * and become sockets of the table in the same way. {@link SocketFactories} makes sockets of the
 * named kinds of the kernel corpus.
 *
 * <p><b>Ownership.</b> Registering hands the channel to the instance, as the kernel's file owns its
 * socket: closing the socket's last fd (or the instance) closes the channel. The application may
 * keep using the channel, and closing it is the socket's {@code sock_close}: the socket reports
 * {@link SocketState#CLOSED} from then on and leaves every map (its {@link BpfSocket#onClose}
 * listeners run, at the first state read that sees it), while its fds stay in the table until
 * closed, as an fd stays open on a socket that was shut down. A socket registered on a failed call
 * (the instance's fd limit) is closed, as the kernel releases a socket it could not give an fd for.
 *
 * <p><b>TCP states</b> are read from the kernel again on every {@link BpfSocket#state()}, found by
 * the socket's local and remote addresses (an IPv4 socket of the JDK is usually a dual-stack IPv6
 * one, found by its IPv4-mapped addresses), which needs no descriptor of the channel, hence no
 * {@code --add-opens java.base/sun.nio.ch} on any command line (tests, JMH forks, Karaf, embedders),
 * unlike {@code getsockopt(TCP_INFO)}. Two ways, the first that can tell:
 * <ul>
 * <li>a {@link TcpStateSource} when one is installed: the bundle {@code sock.native} (JNA) asks the
 * kernel with {@code NETLINK_SOCK_DIAG} for the one socket of the exact four-tuple (the listener
 * for a server socket), a hash lookup of a few microseconds whatever the number of sockets. It
 * tells nothing (and the next way answers) without JNA, on a kernel without TCP socket diagnostics,
 * for a connect still under way (no local address yet), or for an answer about a socket on other
 * addresses. A socket bound to a device by native code ({@code SO_BINDTODEVICE}, which Java cannot
 * set) is not found by it and reads as {@link SocketState#CLOSE}.
 * <li>otherwise the kernel's tables {@code /proc/net/tcp} and {@code /proc/net/tcp6}, read whole:
 * exact, but linear in the TCP sockets of the network namespace, TIME_WAIT ones included
 * (milliseconds with a thousand of them).
 * </ul>
 * Either way, sockets no program holds (TIME_WAIT, connections not accepted yet) never answer for
 * a socket of the JVM, and a socket in none of the kernel's tables is {@link SocketState#CLOSE}.
 */
public final class Sockets {
    /** The object kind of sockets: no ids, not pinnable (OBJ_PIN and OBJ_GET_INFO_BY_FD answer EINVAL). */
    public static final ObjectKind KIND = ObjectKind.fdOnly("socket");

    private Sockets() {
    }

    /** As {@link #register(Bpf, NetworkChannel, ErrorSink)} without a reason for a failure. */
    public static int register(Bpf bpf, NetworkChannel channel) {
        return register(bpf, channel, null);
    }

    /**
     * Hands {@code channel} to the instance as a socket with a new cookie and opens an fd on it,
     * the lowest free number of the instance's table.
     *
     * @param err where the reason of a failure goes (may be null)
     * @return the fd, or a negated errno: EBADF when the channel is closed, EEXIST when it is
     *     registered already (in this or another instance, until its last fd closes), EMFILE when
     *     the instance has no free fd (the channel is then closed)
     * @throws IllegalArgumentException for a channel that is no socket this layer knows (an
     *     asynchronous channel), or a {@link Bpf} that is not one of the core's instances
     */
    public static int register(Bpf bpf, NetworkChannel channel, ErrorSink err) {
        Objects.requireNonNull(channel, "channel");
        ObjectHost host = host(bpf);
        SocketKind kind = kindOf(channel);
        if (!channel.isOpen()) {
            return fail(err, Errno.EBADF, "the channel is closed");
        }
        if (!SocketObject.REGISTERED.add(channel)) {
            return fail(err, Errno.EEXIST, "the channel is registered already: one channel is one socket");
        }
        ChannelSocket s = new ChannelSocket(channel, kind);
        s.host = host;
        return host.install(s.handle, 0, err);
    }

    /**
     * Hands a socket that is no JDK channel to the instance (a bundle's native socket: a Unix
     * datagram socket, an AF_XDP socket) as a socket with a new cookie, and opens an fd on it, as
     * {@link #register(Bpf, NetworkChannel, ErrorSink)} does for a channel: the instance owns it
     * from then on, closing its last fd calls {@link NativeSocket#close}, and its
     * {@link BpfSocket#channel()} is null.
     *
     * @param err where the reason of a failure goes (may be null)
     * @return the fd, or a negated errno: EBADF when the socket is closed, EEXIST when it is
     *     registered already (until its last fd closes), EMFILE when the instance has no free fd
     *     (the socket is then closed)
     * @throws IllegalArgumentException for a {@link Bpf} that is not one of the core's instances
     * @since 1.2
     */
    public static int register(Bpf bpf, NativeSocket socket, ErrorSink err) {
        Objects.requireNonNull(socket, "socket");
        ObjectHost host = host(bpf);
        SocketKind kind = Objects.requireNonNull(socket.kind(), "the socket's kind");
        if (!socket.isOpen()) {
            return fail(err, Errno.EBADF, "the socket is closed");
        }
        if (!SocketObject.REGISTERED.add(socket)) {
            return fail(err, Errno.EEXIST, "the socket is registered already: it is one socket");
        }
        NativeSocketObject s = new NativeSocketObject(socket, kind);
        s.host = host;
        return host.install(s.handle, 0, err);
    }

    private static ObjectHost host(Bpf bpf) {
        return ObjectHost.of(Objects.requireNonNull(bpf, "bpf")).orElseThrow(
                () -> new IllegalArgumentException("sockets are objects of the core's instances, not of " + bpf));
    }

    /**
     * The socket behind an open fd of the instance, or null when the fd is not open or names
     * something else (a map). A map tells a bad fd (EBADF) from a non-socket (ENOTSOCK) with
     * {@link ObjectHost#id}, which answers -EBADF for an fd that is not open.
     */
    public static BpfSocket byFd(Bpf bpf, int fd) {
        return byFd(ObjectHost.of(bpf).orElse(null), fd);
    }

    /** As {@link #byFd(Bpf, int)}, for a provider that knows its map's instance as an {@link ObjectHost}. */
    public static BpfSocket byFd(ObjectHost host, int fd) {
        HostedObject o = host == null ? null : host.object(fd, KIND);
        return o instanceof SocketObject.Handle h ? h.socket() : null;
    }

    /**
     * The socket with this cookie, in any instance, while it has not left every map (until its
     * channel or its last fd is closed; a reset or FINs both ways do not take it out); null
     * otherwise. How a map that holds sockets finds
     * them again after its provider was replaced: its state keeps cookies, as fds are the caller's.
     * The caller still reads {@link BpfSocket#state()}, which may find it closed meanwhile.
     *
     * @since 1.1
     */
    public static BpfSocket byCookie(long cookie) {
        return SocketObject.LIVE.get(cookie);
    }

    /**
     * The sockets of the instance by fd, lowest first: every open fd on a socket, whatever its
     * state (a socket whose channel was closed keeps its fd until the fd is closed, as in the
     * kernel, and reads {@link SocketState#CLOSED}). Empty for a {@link Bpf} that is not one of the
     * core's instances.
     *
     * @since 1.2
     */
    public static SortedMap<Integer, BpfSocket> list(Bpf bpf) {
        SortedMap<Integer, BpfSocket> out = new TreeMap<>();
        ObjectHost.of(bpf).ifPresent(host -> host.objects(KIND).forEach((fd, o) -> {
            if (o instanceof ChannelSocket.Handle h) {
                out.put(fd, h.socket());
            }
        }));
        return out;
    }

    /**
     * The elements of the instance's maps that hold the socket now, as map ids and keys, in the
     * order they were inserted: the socket's {@link BpfSocket#links}, each map found by its ops
     * ({@link ObjectHost#mapId}). Elements of maps of another instance, and of a map detached from
     * its provider while its bundle is updated, are not listed; the state is not read, so a socket
     * that closed since its last read still shows its elements until a read notices it.
     *
     * @since 1.2
     */
    public static List<MapSlot> slots(Bpf bpf, BpfSocket socket) {
        List<MapSlot> out = new ArrayList<>();
        ObjectHost host = ObjectHost.of(bpf).orElse(null);
        if (host == null) {
            return out;
        }
        for (SocketLink l : socket.links()) {
            int id = host.mapId(l.map());
            if (id != 0) {
                out.add(new MapSlot(id, l.key()));
            }
        }
        return out;
    }

    /**
     * The application's channel of the TCP socket behind {@code fd} once the core's data path owns
     * its I/O: from the moment the socket took a program from a map it was inserted into (a stream
     * parser with a verdict, a verdict, or an SK_MSG verdict: {@code sock_map_link} starting its
     * psock), the data path's selector thread reads the socket and runs the programs on what it
     * receives, and the application reads and writes only through this channel (the registered
     * {@code SocketChannel} is non-blocking from then on and must not be used). The same channel for
     * the socket's life, also after its programs went: when the last map element holding it goes
     * (a delete, its map closed) the socket runs no program, and what it receives passes to this
     * channel ({@code SK_PASS}) and what is written goes out, as the kernel's socket goes back to
     * plain TCP. One data path per instance, made at the instance's first such socket.
     *
     * @return the channel, or null when {@code fd} is not a socket of the instance or the core does
     *     not own its I/O (it took no program; it is no connected {@code SocketChannel}: a
     *     {@link NativeSocket} keeps its own I/O)
     * @since 1.2
     */
    public static SockChannel channel(Bpf bpf, int fd) {
        BpfSocket s = byFd(bpf, fd);
        return s instanceof SocketObject o ? OwnedIo.channel(o) : null;
    }

    /** The kind of a channel; IP channels have SO_REUSEADDR, Unix-domain ones have not (JDK 16+). */
    private static SocketKind kindOf(NetworkChannel ch) {
        boolean ip = ch.supportedOptions().contains(StandardSocketOptions.SO_REUSEADDR);
        if (ch instanceof SocketChannel || ch instanceof ServerSocketChannel) {
            return ip ? SocketKind.TCP : SocketKind.UNIX_STREAM;
        }
        if (ch instanceof DatagramChannel && ip) {
            return SocketKind.UDP;
        }
        throw new IllegalArgumentException("a " + ch.getClass().getName() + " is not a socket channel this "
                + "layer registers (SocketChannel, ServerSocketChannel, DatagramChannel)");
    }

    private static int fail(ErrorSink err, Errno errno, String why) {
        return err == null ? errno.ret() : err.fail(errno, why);
    }
}
