package org.bpfmaps.core.sock;

/**
 * What a socket is, as a map that holds sockets tells them apart ({@code sk_type} and
 * {@code sk_family} together). Listening is a state ({@link SocketState#LISTEN}), not a kind: a
 * {@code ServerSocketChannel} is a TCP or Unix stream socket.
 */
public enum SocketKind {
    /** A TCP socket, IPv4 or IPv6: {@code SocketChannel} or {@code ServerSocketChannel} of an IP family. */
    TCP,
    /** A UDP socket, IPv4 or IPv6: a {@code DatagramChannel}. */
    UDP,
    /** A Unix-domain stream socket: {@code SocketChannel} or {@code ServerSocketChannel} of {@code UNIX}. */
    UNIX_STREAM,
    /** A Unix-domain datagram socket: the JDK has none, a native socket kind will make them. */
    UNIX_DGRAM,
    /**
     * An AF_XDP socket ({@code org.bpfmaps.core.xdp.XdpSocket}), registered as a {@link NativeSocket}:
     * XSKMAP takes it, SOCKMAP and SOCKHASH do not (EOPNOTSUPP).
     *
     * @since 1.2
     */
    XDP
}
