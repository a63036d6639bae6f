package org.bpfmaps.core.sock;

import java.net.SocketAddress;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A socket that is no {@code java.nio} channel, made by a bundle (natively, as the JDK has no Unix
 * datagram socket; later AF_XDP sockets), as {@link Sockets#register(org.bpfmaps.core.api.Bpf,
 * NativeSocket, org.bpfmaps.core.api.ErrorSink)} hands it to an instance. The bundle implements
 * this; the core gives it its cookie, keeps it in the cookie table ({@link Sockets#byCookie}), runs
 * the close listeners of maps and closes it when its last fd closes, exactly as for a channel.
 *
 * <p>Everything is read from the real socket when asked, never remembered from its making. The
 * methods may be called from any thread, under no lock of the core's.
 */
@ConsumerType
public interface NativeSocket {
    /** What the socket is; the same every time. */
    SocketKind kind();

    /**
     * The socket's {@code sk_state} now, read from the socket (e.g. {@code /proc/net/unix}, or
     * {@code getsockopt}), or {@link SocketState#CLOSED} once it is closed.
     */
    SocketState state();

    /** Whether the socket is still open: false once {@link #close} ran or the bundle closed it. */
    boolean isOpen();

    /** The local address now, or null when it has none (unbound, unnamed, closed). */
    SocketAddress localAddress();

    /** The peer's address now, or null when unconnected, unnamed or closed. */
    SocketAddress remoteAddress();

    /**
     * Whether the socket has a local address now, as the kernel's {@code sk_hashed} says for UDP;
     * by default whether {@link #localAddress()} is not null.
     */
    default boolean bound() {
        return localAddress() != null;
    }

    /**
     * Closes the socket (its descriptors); called by the core once, when its last fd in the
     * instance closes or the instance closes. Must not throw for a socket already closed.
     */
    void close() throws Exception;
}
