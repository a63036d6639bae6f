package org.bpfmaps.core.net;

import static org.bpfmaps.core.net.EthernetFrames.ETH_HLEN;
import static org.bpfmaps.core.net.EthernetFrames.ETH_P_IP;
import static org.bpfmaps.core.net.EthernetFrames.ETH_P_IPV6;
import static org.bpfmaps.core.net.EthernetFrames.IPPROTO_UDP;
import static org.bpfmaps.core.net.EthernetFrames.IPV4_HLEN;
import static org.bpfmaps.core.net.EthernetFrames.IPV6_HLEN;
import static org.bpfmaps.core.net.EthernetFrames.UDP_HLEN;
import static org.bpfmaps.core.net.EthernetFrames.get16;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;

/**
 * The headers of an Ethernet II / IPv4 or IPv6 / UDP frame, parsed: where each header starts, the
 * 5-tuple and where the payload lies. Offsets count from the frame's first byte (the buffer's
 * position when parsed). Immutable.
 */
public final class UdpFrame {
    private final boolean ipv6;
    private final int l4Offset;
    private final int payloadLength;
    private final byte[] srcAddr;
    private final byte[] dstAddr;
    private final int srcPort;
    private final int dstPort;

    private UdpFrame(boolean ipv6, int l4Offset, int payloadLength, byte[] srcAddr, byte[] dstAddr, int srcPort,
            int dstPort) {
        this.ipv6 = ipv6;
        this.l4Offset = l4Offset;
        this.payloadLength = payloadLength;
        this.srcAddr = srcAddr;
        this.dstAddr = dstAddr;
        this.srcPort = srcPort;
        this.dstPort = dstPort;
    }

    /**
     * Parses the frame from {@code frame}'s position to its limit (bytes after the IP packet, such as
     * Ethernet padding, are ignored).
     *
     * @return the headers, or null with the reason in {@code err}: EINVAL for a frame too short for
     *     a header or with lengths that disagree with it (naming the field and the limit),
     *     EOPNOTSUPP for another EtherType (VLAN tags included), IPv4 options are read, fragments,
     *     IPv6 extension headers and protocols other than UDP are not
     */
    public static UdpFrame parse(ByteBuffer frame, ErrorSink err) {
        int base = frame.position();
        int len = frame.remaining();
        if (len < ETH_HLEN) {
            return fail(err, Errno.EINVAL, "frame %d bytes: an Ethernet header takes %d", len, ETH_HLEN);
        }
        int type = get16(frame, base + 12);
        int ip = base + ETH_HLEN;
        int avail = len - ETH_HLEN;
        if (type == ETH_P_IP) {
            if (avail < IPV4_HLEN) {
                return fail(err, Errno.EINVAL, "IPv4 header: %d bytes after Ethernet, at least %d", avail, IPV4_HLEN);
            }
            int vihl = frame.get(ip) & 0xff;
            int ihl = (vihl & 0xf) * 4;
            if (vihl >>> 4 != 4) {
                return fail(err, Errno.EINVAL, "IPv4 version %d: 4", vihl >>> 4, 0);
            }
            int total = get16(frame, ip + 2);
            if (ihl < IPV4_HLEN || ihl > total || total > avail) {
                return fail(err, Errno.EINVAL, "IPv4 total length %d: from the header's length to the %d bytes present",
                        total, avail);
            }
            if ((get16(frame, ip + 6) & 0x3fff) != 0) {
                return fail(err, Errno.EOPNOTSUPP, "IPv4 fragment (offset %d): whole datagrams only",
                        (get16(frame, ip + 6) & 0x1fff) * 8L, 0);
            }
            int proto = frame.get(ip + 9) & 0xff;
            if (proto != IPPROTO_UDP) {
                return fail(err, Errno.EOPNOTSUPP, "IP protocol %d: UDP (%d) only", proto, IPPROTO_UDP);
            }
            return udp(frame, base, false, ip + ihl, total - ihl, addr(frame, ip + 12, 4), addr(frame, ip + 16, 4), err);
        }
        if (type == ETH_P_IPV6) {
            if (avail < IPV6_HLEN) {
                return fail(err, Errno.EINVAL, "IPv6 header: %d bytes after Ethernet, at least %d", avail, IPV6_HLEN);
            }
            int version = (frame.get(ip) & 0xff) >>> 4;
            if (version != 6) {
                return fail(err, Errno.EINVAL, "IPv6 version %d: 6", version, 0);
            }
            int payload = get16(frame, ip + 4);
            if (payload > avail - IPV6_HLEN) {
                return fail(err, Errno.EINVAL, "IPv6 payload length %d: at most the %d bytes present",
                        payload, avail - IPV6_HLEN);
            }
            int next = frame.get(ip + 6) & 0xff;
            if (next != IPPROTO_UDP) {
                return fail(err, Errno.EOPNOTSUPP, "IPv6 next header %d: UDP (%d) only, no extension headers",
                        next, IPPROTO_UDP);
            }
            return udp(frame, base, true, ip + IPV6_HLEN, payload, addr(frame, ip + 8, 16), addr(frame, ip + 24, 16),
                    err);
        }
        return fail(err, Errno.EOPNOTSUPP, "EtherType 0x%x: IPv4 (0x800) or IPv6 (0x86dd) only", type, 0);
    }

    private static UdpFrame udp(ByteBuffer f, int base, boolean v6, int l4, int ipPayload, byte[] src, byte[] dst,
            ErrorSink err) {
        if (ipPayload < UDP_HLEN) {
            return fail(err, Errno.EINVAL, "UDP header: %d bytes of IP payload, at least %d", ipPayload, UDP_HLEN);
        }
        int udpLen = get16(f, l4 + 4);
        if (udpLen < UDP_HLEN || udpLen > ipPayload) {
            return fail(err, Errno.EINVAL, "UDP length %d: from 8 to the IP payload's %d bytes", udpLen, ipPayload);
        }
        return new UdpFrame(v6, l4 - base, udpLen - UDP_HLEN, src, dst, get16(f, l4), get16(f, l4 + 2));
    }

    private static byte[] addr(ByteBuffer f, int at, int n) {
        byte[] a = new byte[n];
        f.get(at, a);
        return a;
    }

    private static UdpFrame fail(ErrorSink err, Errno e, String why, long a, long b) {
        err.fail(e, why, a, b);
        return null;
    }

    /** True for IPv6, false for IPv4. */
    public boolean ipv6() {
        return ipv6;
    }

    /** Offset of the IP header: always {@link EthernetFrames#ETH_HLEN}. */
    public int l3Offset() {
        return ETH_HLEN;
    }

    /** Offset of the UDP header. */
    public int l4Offset() {
        return l4Offset;
    }

    /** Offset of the UDP payload. */
    public int payloadOffset() {
        return l4Offset + UDP_HLEN;
    }

    /** Bytes of UDP payload (the UDP length field less 8). */
    public int payloadLength() {
        return payloadLength;
    }

    /** Bytes from the frame's start to the end of the UDP datagram (padding excluded). */
    public int length() {
        return payloadOffset() + payloadLength;
    }

    /** The source address: 4 or 16 bytes, a copy. */
    public byte[] srcAddr() {
        return srcAddr.clone();
    }

    /** The destination address: 4 or 16 bytes, a copy. */
    public byte[] dstAddr() {
        return dstAddr.clone();
    }

    public int srcPort() {
        return srcPort;
    }

    public int dstPort() {
        return dstPort;
    }

    /** The protocol of the 5-tuple: always 17 (UDP). */
    public int protocol() {
        return IPPROTO_UDP;
    }

    /** Source address and port. */
    public InetSocketAddress source() {
        return new InetSocketAddress(inet(srcAddr), srcPort);
    }

    /** Destination address and port. */
    public InetSocketAddress destination() {
        return new InetSocketAddress(inet(dstAddr), dstPort);
    }

    private static InetAddress inet(byte[] a) {
        try {
            return InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes", e); // parse made them so
        }
    }

    /** The payload of {@code frame} (the buffer this was parsed from, at the same position): a slice sharing its bytes. */
    public ByteBuffer payload(ByteBuffer frame) {
        return frame.slice(frame.position() + payloadOffset(), payloadLength);
    }

    /** The RSS hash of this frame's 4-tuple under {@code rss}. */
    public int rssHash(Toeplitz rss) {
        return rss.hash(srcAddr, dstAddr, srcPort, dstPort);
    }

    /**
     * Checks the IPv4 header checksum and the UDP checksum of {@code frame} (the buffer this was
     * parsed from, at the same position). A UDP checksum of 0 in IPv4 means none and passes; in
     * IPv6 it is invalid.
     *
     * @return 0, or -EINVAL naming the checksum that is wrong and the value it should have
     */
    public int verifyChecksums(ByteBuffer frame, ErrorSink err) {
        int base = frame.position();
        int ip = base + ETH_HLEN;
        if (!ipv6) {
            int ihl = (frame.get(ip) & 0xf) * 4;
            int s = InetChecksum.fold(InetChecksum.add(0, frame, ip, ihl));
            if (s != 0xffff) {
                return err.fail(Errno.EINVAL, "IPv4 header checksum 0x%x: sums to 0x%x, not 0xffff",
                        get16(frame, ip + 10), s);
            }
        }
        int l4 = base + l4Offset;
        int udpLen = payloadLength + UDP_HLEN;
        int field = get16(frame, l4 + 6);
        if (field == 0 && !ipv6) {
            return 0;
        }
        int s = InetChecksum.fold(InetChecksum.add(
                EthernetFrames.pseudoHeaderSum(frame, ip, ipv6, udpLen), frame, l4, udpLen));
        if (s != 0xffff) {
            return err.fail(Errno.EINVAL, "UDP checksum 0x%x: sums to 0x%x with the pseudo-header, not 0xffff",
                    field, s);
        }
        return 0;
    }
}
