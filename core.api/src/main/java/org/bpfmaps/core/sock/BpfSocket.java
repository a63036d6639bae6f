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
     * channel. A socket whose channel is closed is {@link SocketState#CLOSED}; that read, or one
     * that finds a TCP socket that had been connected or listening in {@link SocketState#CLOSE},
     * runs the {@link #onClose} listeners.
     *
     * @throws java.io.UncheckedIOException when the kernel's table cannot be read (not Linux)
     */
    SocketState state();

    /** Whether the socket has a local address now (UDP's {@code sk_hashed}); false once closed. */
    boolean bound();

    /** The local address now, or null when unbound or closed. */
    SocketAddress localAddress();

    /** The peer's address now, or null when unconnected or closed. */
    SocketAddress remoteAddress();

    /**
     * The channel the application registered. It belongs to the instance: closing it closes the
     * socket; its last fd closing closes it.
     */
    NetworkChannel channel();

    /**
     * Calls {@code listener} once when the socket leaves every map, as the kernel's
     * {@code sock_map_close} and {@code sock_map_unhash} remove it: its channel is closed, its last
     * fd is closed, or a TCP socket that was connected or listening has reached
     * {@link SocketState#CLOSE} (a reset, or FINs both ways). The listener runs on the thread that
     * noticed it (a state read, a close), under no lock of the socket's; it must be quick.
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
}
