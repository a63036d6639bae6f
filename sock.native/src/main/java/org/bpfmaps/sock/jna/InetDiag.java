package org.bpfmaps.sock.jna;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.sock.SocketState;

/**
 * The messages of a {@code NETLINK_SOCK_DIAG} exact lookup of one TCP socket (no native call here):
 * a {@code SOCK_DIAG_BY_FAMILY} request without {@code NLM_F_DUMP} carrying an
 * {@code inet_diag_req_v2} with the four-tuple, which the kernel answers with the one
 * {@code inet_diag_msg} of the socket it finds ({@code inet_diag_find_one_icsk}: the established
 * hash, then the listening one) or with an {@code NLMSG_ERROR} ({@code -ENOENT} when none).
 *
 * <p>Layouts ({@code include/uapi/linux/netlink.h}, {@code sock_diag.h}, {@code inet_diag.h}):
 * {@code nlmsghdr} is {@code u32 len, u16 type, u16 flags, u32 seq, u32 pid} (16 bytes);
 * {@code inet_diag_req_v2} is {@code u8 family, u8 protocol, u8 ext, u8 pad, u32 states,
 * inet_diag_sockid id} (56); {@code inet_diag_sockid} is {@code be16 sport, be16 dport,
 * be32 src[4], be32 dst[4], u32 if, u32 cookie[2]} (48); {@code inet_diag_msg} is
 * {@code u8 family, u8 state, u8 timer, u8 retrans, inet_diag_sockid id, u32 expires, rqueue,
 * wqueue, uid, inode} (72). Ports and addresses are in network order, the rest in the host's.
 */
final class InetDiag {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int IPPROTO_TCP = 6;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int SOCK_DIAG_BY_FAMILY = 20;
    static final int NLM_F_REQUEST = 0x1;
    /** {@code NLM_F_ROOT | NLM_F_MATCH}: every socket the request's states select. */
    static final int NLM_F_DUMP = 0x300;
    /** {@code INET_DIAG_NOCOOKIE}: the lookup is by addresses only. */
    static final int NO_COOKIE = 0xffffffff;
    /** Every TCP state, {@code TCP_ESTABLISHED} (1) to {@code TCP_BOUND_INACTIVE} (13). */
    static final int ALL_STATES = 0xffffffff;

    static final int HEADER = 16;
    static final int REQUEST = HEADER + 56;
    /** What a reply needs to hold for {@link #state}: the header and an {@code inet_diag_msg}. */
    static final int MESSAGE = HEADER + 72;
    private static final int ID = 8; // offset of the sockid in the request body
    private static final int MSG_ID = 4; // and in the reply's inet_diag_msg
    private static final int MSG_INODE = 68;

    private InetDiag() {
    }

    /**
     * The lookup of the socket {@code local} to {@code remote} (null: the listener on {@code local})
     * written to {@code buf}: AF_INET for an IPv4 address, which finds IPv4 sockets and the JDK's
     * dual-stack IPv6 ones with IPv4-mapped addresses alike (the kernel hashes a mapped socket as an
     * IPv4 one), AF_INET6 otherwise, with the address's scope as the interface (a link-local
     * connection is bound to its interface and found only with it).
     *
     * @return the request's length, {@link #REQUEST}
     */
    static int lookup(byte[] buf, int seq, InetSocketAddress local, InetSocketAddress remote) {
        InetAddress la = local.getAddress();
        int family = la instanceof Inet4Address ? AF_INET : AF_INET6;
        ByteBuffer b = ByteBuffer.wrap(buf, 0, REQUEST).slice().order(ByteOrder.nativeOrder());
        b.putInt(0, REQUEST).putShort(4, (short) SOCK_DIAG_BY_FAMILY).putShort(6, (short) NLM_F_REQUEST)
                .putInt(8, seq).putInt(12, 0);
        b.put(16, (byte) family).put(17, (byte) IPPROTO_TCP).put(18, (byte) 0).put(19, (byte) 0)
                .putInt(20, ALL_STATES);
        int id = HEADER + ID;
        b.order(ByteOrder.BIG_ENDIAN).putShort(id, (short) local.getPort())
                .putShort(id + 2, (short) (remote == null ? 0 : remote.getPort()));
        b.order(ByteOrder.nativeOrder());
        address(b, id + 4, la);
        address(b, id + 20, remote == null ? null : remote.getAddress());
        b.putInt(id + 36, la instanceof Inet6Address v6 ? v6.getScopeId() : 0);
        b.putInt(id + 40, NO_COOKIE).putInt(id + 44, NO_COOKIE);
        return REQUEST;
    }

    /** An address as the 16 bytes of {@code be32[4]}: an IPv4 one in the first word; none is zero. */
    private static void address(ByteBuffer b, int at, InetAddress a) {
        byte[] ip = a == null ? new byte[0] : a.getAddress();
        for (int i = 0; i < 16; i++) {
            b.put(at + i, i < ip.length ? ip[i] : 0);
        }
    }

    /**
     * A dump of no state at all for {@code family} written to {@code buf}: answered with
     * {@code NLMSG_DONE} alone when the kernel has the TCP diagnostics of the family, with
     * {@code -ENOENT} when it has not (then every exact lookup answers {@code -ENOENT} too, which
     * would read as CLOSE).
     */
    static int probe(byte[] buf, int seq, int family) {
        ByteBuffer b = ByteBuffer.wrap(buf, 0, REQUEST).slice().order(ByteOrder.nativeOrder());
        for (int i = 0; i < REQUEST; i++) {
            b.put(i, (byte) 0);
        }
        b.putInt(0, REQUEST).putShort(4, (short) SOCK_DIAG_BY_FAMILY)
                .putShort(6, (short) (NLM_F_REQUEST | NLM_F_DUMP)).putInt(8, seq);
        b.put(16, (byte) family).put(17, (byte) IPPROTO_TCP).putInt(20, 0);
        b.putInt(HEADER + ID + 40, NO_COOKIE).putInt(HEADER + ID + 44, NO_COOKIE);
        return REQUEST;
    }

    /** The sequence number of a reply of {@code n} bytes, or -1 when it has no whole header. */
    static long seq(byte[] reply, int n) {
        return n < HEADER ? -1 : ByteBuffer.wrap(reply).order(ByteOrder.nativeOrder()).getInt(8) & 0xffffffffL;
    }

    /** The message type of a reply of {@code n} bytes, or -1 when it has no whole header. */
    static int type(byte[] reply, int n) {
        return n < HEADER ? -1 : ByteBuffer.wrap(reply).order(ByteOrder.nativeOrder()).getShort(4) & 0xffff;
    }

    /** The errno of an {@code NLMSG_ERROR} reply (positive; 0 is an ack), or -1 when it is none. */
    static int errno(byte[] reply, int n) {
        if (type(reply, n) != NLMSG_ERROR || n < HEADER + 4) {
            return -1;
        }
        return -ByteBuffer.wrap(reply).order(ByteOrder.nativeOrder()).getInt(HEADER);
    }

    /**
     * The answer of the lookup of {@code local} to {@code remote} in a reply of {@code n} bytes: the
     * socket's state; {@link SocketState#CLOSE} for {@code -ENOENT} (no socket), and for a socket with
     * no inode, which no program holds (TIME_WAIT, a connection not accepted yet: {@code /proc/net/tcp}
     * lists them with inode 0 and the core skips them), since the kernel keeps one socket per
     * four-tuple in its established hash (a new connection takes a TIME_WAIT one's place, a full
     * socket a request's), so no other socket can be on these addresses; null when the reply is not
     * an answer to that lookup (another error, a short message, a socket on other addresses: the
     * listener lookup takes a wildcard listener for a specific address), for the caller to read
     * {@code /proc}. The kernel looks a four-tuple up in the established hash and, when nothing is
     * there, among the listeners ({@code inet_lookup}): a listener in answer to a connection's
     * lookup is {@link SocketState#CLOSE} too.
     */
    static SocketState state(byte[] reply, int n, InetSocketAddress local, InetSocketAddress remote) {
        int type = type(reply, n);
        if (type == NLMSG_ERROR) {
            return errno(reply, n) == 2 ? SocketState.CLOSE : null; // ENOENT
        }
        ByteBuffer b = ByteBuffer.wrap(reply).order(ByteOrder.nativeOrder());
        if (type != SOCK_DIAG_BY_FAMILY || n < MESSAGE || b.getInt(0) < MESSAGE) {
            return null;
        }
        int family = reply[HEADER] & 0xff;
        SocketState st = SocketState.ofCode(reply[HEADER + 1] & 0xff);
        int id = HEADER + MSG_ID;
        b.order(ByteOrder.BIG_ENDIAN);
        InetSocketAddress src = at(reply, family, id + 4, b.getShort(id) & 0xffff);
        InetSocketAddress dst = at(reply, family, id + 20, b.getShort(id + 2) & 0xffff);
        b.order(ByteOrder.nativeOrder());
        if (st == null || src == null) {
            return null;
        }
        boolean listener = dst.getPort() == 0 && dst.getAddress().isAnyLocalAddress();
        if (remote != null && listener && st == SocketState.LISTEN) {
            // the lookup falls back to the listeners only when the established hash has nothing on
            // the four-tuple: no connection (an accepted socket that reached CLOSE, its listener open)
            return SocketState.CLOSE;
        }
        if (!same(src, local) || (remote == null ? !listener : !same(dst, remote))) {
            return null;
        }
        return b.getInt(HEADER + MSG_INODE) == 0 ? SocketState.CLOSE : st;
    }

    /** An address of the reply: 4 bytes for AF_INET, 16 for AF_INET6 (IPv4-mapped ones as IPv4). */
    private static InetSocketAddress at(byte[] reply, int family, int offset, int port) {
        int len = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
        if (len == 0) {
            return null;
        }
        byte[] ip = new byte[len];
        System.arraycopy(reply, offset, ip, 0, len);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            return null; // cannot happen for 4 or 16 bytes
        }
    }

    /** Same port and address, where 0.0.0.0 and :: are the same wildcard (Java reports either). */
    private static boolean same(InetSocketAddress a, InetSocketAddress b) {
        InetAddress x = a.getAddress();
        InetAddress y = b.getAddress();
        return a.getPort() == b.getPort() && (x.equals(y) || x.isAnyLocalAddress() && y != null && y.isAnyLocalAddress());
    }
}
