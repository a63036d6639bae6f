package org.bpfmaps.core.sock;

import java.net.SocketAddress;
import java.util.List;
import java.nio.channels.NetworkChannel;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A socket of the core's object table, as a map that holds sockets sees it: what the kernel's
 * {@code struct sock} gives sockmap. Got with {@link Sockets#byFd}; the same object for every fd
 * on the socket, for as long as the socket lives.
 *
 * <p>Everything but the cookie and the kind is read from the real socket when asked, never from
 * what the application said when it registered it, so ask again at every insert, lookup and walk.
 * Methods may be called from any thread.
 */
@ProviderType
public interface BpfSocket {
    /**
     * The socket's cookie, as {@code SO_COOKIE} gives it: unique among all the sockets of the JVM,
     * never changed and never reused, and never 0 (the first socket's is 1).
     */
    long cookie();

    SocketKind kind();

    /**
     * The socket's state now. A TCP socket's comes from the kernel ({@code /proc/net/tcp} and
     * {@code tcp6}, found by the socket's addresses: see {@link Sockets}); the others' from their
     * channel. A socket whose channel is closed is {@link SocketState#CLOSED}; that read runs the
     * {@link #onClose} listeners. A TCP socket found in {@link SocketState#CLOSE} after a reset or
     * FINs both ways runs none: the kernel keeps it in its maps until it is closed.
     *
     * @throws java.io.UncheckedIOException when the kernel's table cannot be read (not Linux)
     */
    SocketState state();

    /**
     * Whether the socket is closed (its channel or native socket, or its last fd), without reading
     * the kernel's tables: what a lookup or a walk of a socket map needs, since only a close takes
     * a socket out of its maps (a TCP socket reset in a map stays there until closed). A socket
     * found closed leaves every map, as {@link #state()} would have it leave.
     *
     * @since 1.2
     */
    boolean closed();

    /** Whether the socket has a local address now (UDP's {@code sk_hashed}); false once closed. */
    boolean bound();

    /** The local address now, or null when unbound or closed. */
    SocketAddress localAddress();

    /** The peer's address now, or null when unconnected or closed. */
    SocketAddress remoteAddress();

    /**
     * The channel the application registered. It belongs to the instance: closing it closes the
     * socket; its last fd closing closes it. Null for a socket that is no JDK channel (registered
     * as a {@link NativeSocket}, such as a Unix datagram socket): a map must not need it.
     */
    NetworkChannel channel();

    /**
     * Calls {@code listener} once when the socket leaves every map, as the kernel's
     * {@code sock_map_close} removes it: its channel is closed or its last fd is closed. Reaching
     * {@link SocketState#CLOSE} (a reset, or FINs both ways) is no removal: since sockmap stopped
     * hooking {@code unhash} (Linux 6.4) such a socket stays in its maps until closed, as recorded
     * on 6.18. The listener runs on the thread that noticed it (a state read, a close), under no
     * lock of the socket's; it must be quick.
     *
     * @return false, and the listener is not kept, when the socket already left every map
     */
    boolean onClose(Runnable listener);

    /** Forgets a listener of {@link #onClose} (compared by identity); false when it was not there. */
    boolean removeOnClose(Runnable listener);

    /**
     * The elements of maps that hold the socket now: its {@link #onClose} listeners that are
     * {@link SocketLink}s, in the order they were registered (a snapshot). Empty once the socket left
     * every map. {@link Sockets#slots} gives them as map ids and keys.
     *
     * @since 1.2
     */
    List<SocketLink> links();

    /**
     * The programs the socket took from the maps it was inserted into (the kernel's
     * {@code sk_psock} with its progs), one record for the socket's life.
     *
     * @since 1.2
     */
    SocketPrograms programs();
}
