package org.bpfmaps.core.sock;

import java.net.InetSocketAddress;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A faster way to read a TCP socket's state from the kernel than the core's own reading of
 * {@code /proc/net/tcp} and {@code tcp6}, whose cost grows with every TCP socket of the network
 * namespace (TIME_WAIT ones included): the extension point the native bundle fills with a
 * {@code NETLINK_SOCK_DIAG} lookup of the exact four-tuple.
 *
 * <p>A bundle installs one by registering it as an OSGi service (Declarative Services) and listing
 * it in {@code META-INF/services/org.bpfmaps.core.sock.TcpStateSource} for a plain class path. The
 * core asks the framework's sources, then the class path's, and reads {@code /proc} when none is
 * installed or every one answers null or fails ({@link Sockets} says which way is used when).
 * Any thread may ask, at any time, concurrently.
 *
 * @since 1.2
 */
@ConsumerType
public interface TcpStateSource {
    /**
     * The state of the TCP socket of this process's network namespace with these addresses, read
     * from the kernel now; never {@link SocketState#CLOSED}, which is no kernel state.
     *
     * @param local the socket's local address as Java reports it (an IPv4-mapped address as the
     *     IPv4 one, the wildcard as {@code ::} or {@code 0.0.0.0}); never null
     * @param remote the peer, or null to ask for the listener bound to {@code local}
     * @return the socket's state; {@link SocketState#CLOSE} when the kernel has no socket of a
     *     program on these addresses (a socket gone through a reset or FINs both ways is in none of
     *     its tables, and TIME_WAIT or unaccepted connections belong to no program); null when this
     *     source cannot tell (then the core reads {@code /proc})
     */
    SocketState state(InetSocketAddress local, InetSocketAddress remote);
}
