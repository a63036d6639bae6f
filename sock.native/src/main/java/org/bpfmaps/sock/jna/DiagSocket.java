package org.bpfmaps.sock.jna;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.bpfmaps.core.sock.SocketState;

/**
 * One {@code NETLINK_SOCK_DIAG} socket and its buffers, used by one thread at a time: a request,
 * then its one reply (the kernel answers a request without {@code NLM_F_ACK} with the message or
 * with an error, never both), found by its sequence number. A receive timeout bounds the wait, so
 * that a kernel that does not answer cannot hang the caller.
 */
final class DiagSocket implements AutoCloseable {
    /** How long a reply may take before the socket is given up (the kernel answers in microseconds). */
    static final long TIMEOUT_SECONDS = 1;
    /** Datagrams read, at most, looking for the reply to a request. */
    private static final int MAX_READS = 8;

    private final int fd;
    private final byte[] request = new byte[InetDiag.REQUEST];
    /** Room for an {@code inet_diag_msg} and its attributes; a longer reply is cut (MSG_TRUNC), which loses none of it that is read. */
    private final byte[] reply = new byte[512];
    private int seq;

    private DiagSocket(int fd) {
        this.fd = fd;
    }

    /** A new socket, close-on-exec, with its receive timeout. */
    static DiagSocket open() throws IOException {
        int fd;
        try {
            fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, Libc.NETLINK_SOCK_DIAG);
        } catch (LastErrorException e) {
            throw new IOException("socket(AF_NETLINK, NETLINK_SOCK_DIAG): errno " + e.getErrorCode(), e);
        }
        try {
            Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, new long[] {TIMEOUT_SECONDS, 0}, 16);
        } catch (LastErrorException e) {
            Libc.close(fd);
            throw new IOException("setsockopt(SO_RCVTIMEO) on a netlink socket: errno " + e.getErrorCode(), e);
        }
        return new DiagSocket(fd);
    }

    int fd() {
        return fd;
    }

    /**
     * The kernel's answer to the exact lookup of {@code local} to {@code remote} ({@link InetDiag#state}).
     *
     * @throws IOException when no reply came (a failed call, a timeout): the socket is not to be used again
     */
    SocketState lookup(InetSocketAddress local, InetSocketAddress remote) throws IOException {
        int s = ++seq;
        int n = exchange(InetDiag.lookup(request, s, local, remote), s);
        return InetDiag.state(reply, n, local, remote);
    }

    /**
     * Whether the kernel has the TCP diagnostics of {@code family}: a dump of no state answers
     * {@code NLMSG_DONE} when it has ({@link InetDiag#probe}).
     */
    boolean hasTcpDiag(int family) throws IOException {
        int s = ++seq;
        int n = exchange(InetDiag.probe(request, s, family), s);
        return InetDiag.type(reply, n) == InetDiag.NLMSG_DONE;
    }

    /** Sends the request and reads datagrams until the one with sequence number {@code s}; its length in {@link #reply}. */
    private int exchange(int len, int s) throws IOException {
        try {
            Libc.send(fd, request, len, 0);
            for (int i = 0; i < MAX_READS; i++) {
                int n = (int) Math.min(Libc.recv(fd, reply, reply.length, Libc.MSG_TRUNC), reply.length);
                if (InetDiag.seq(reply, n) == (s & 0xffffffffL)) {
                    return n;
                }
            }
            throw new IOException("no reply to netlink request " + s + " in " + MAX_READS + " datagrams");
        } catch (LastErrorException e) {
            throw new IOException("netlink request " + s + ": errno " + e.getErrorCode(), e);
        }
    }

    @Override
    public void close() {
        try {
            Libc.close(fd);
        } catch (LastErrorException e) {
            // EINTR or EIO from close(2): Linux released the descriptor anyway
        }
    }
}
