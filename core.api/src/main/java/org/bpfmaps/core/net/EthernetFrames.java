package org.bpfmaps.core.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;

/**
 * Builds Ethernet II frames around UDP datagrams, with the headers a Linux host would put on the
 * wire, so that an XDP program parsing them sees what it would see on a real device.
 *
 * <p>The headers:
 * <ul>
 * <li>Ethernet: destination {@link #DEVICE_MAC} (the emulated device), source {@link #PEER_MAC}
 *     (the host the datagram came from), both locally administered unicast addresses
 *     (02:00:00:00:00:0x) so that they collide with no vendor's; EtherType 0x0800 or 0x86DD; no
 *     VLAN tag, no FCS (a driver strips it before XDP).</li>
 * <li>IPv4: version 4, IHL 5 (no options), TOS 0, the given identification, flags DF (as Linux sets
 *     it on UDP with path MTU discovery, the default), fragment offset 0, TTL {@link #TTL}, protocol
 *     17, and the header checksum.</li>
 * <li>IPv6: traffic class 0, flow label 0 (Linux would put a hash of the flow there; an XDP
 *     program must not rely on it), hop limit {@link #TTL}, next header 17, no extension headers.</li>
 * <li>UDP: ports, length, and the checksum over the pseudo-header of RFC 768 / RFC 8200 §8.1,
 *     the header and the payload; a computed 0 is sent as 0xFFFF (0 means "no checksum").</li>
 * </ul>
 * Stateless and thread-safe. Frames are written at absolute indices in big-endian order whatever
 * the buffer's byte order.
 */
public final class EthernetFrames {
    /** Bytes of an Ethernet II header (no VLAN tag). */
    public static final int ETH_HLEN = 14;
    /** Bytes of an IPv4 header without options. */
    public static final int IPV4_HLEN = 20;
    /** Bytes of an IPv6 header. */
    public static final int IPV6_HLEN = 40;
    /** Bytes of a UDP header. */
    public static final int UDP_HLEN = 8;
    /** The EtherType of IPv4. */
    public static final int ETH_P_IP = 0x0800;
    /** The EtherType of IPv6. */
    public static final int ETH_P_IPV6 = 0x86dd;
    /** IP protocol number of UDP. */
    public static final int IPPROTO_UDP = 17;
    /** The TTL / hop limit of built frames: Linux's default {@code ip_default_ttl}. */
    public static final int TTL = 64;
    /** The largest UDP payload in IPv4: total length 65535 - 20 - 8. */
    public static final int MAX_UDP4_PAYLOAD = 65535 - IPV4_HLEN - UDP_HLEN;
    /** The largest UDP payload in IPv6 without jumbograms: payload length 65535 - 8. */
    public static final int MAX_UDP6_PAYLOAD = 65535 - UDP_HLEN;
    /** The largest frame this class builds (IPv6, the largest payload). */
    public static final int MAX_FRAME = ETH_HLEN + IPV6_HLEN + 65535;
    /** The emulated device's MAC, destination of built frames: 02:00:00:00:00:01. */
    public static final long DEVICE_MAC = 0x02_00_00_00_00_01L;
    /** The sending peer's MAC, source of built frames: 02:00:00:00:00:02. */
    public static final long PEER_MAC = 0x02_00_00_00_00_02L;
    /** IPv4 flags and fragment offset of built frames: DF, offset 0. */
    public static final int IP_DF = 0x4000;

    private EthernetFrames() {
    }

    /** Bytes of the headers before the payload: 42 for IPv4, 62 for IPv6. */
    public static int headerLength(boolean ipv6) {
        return ETH_HLEN + (ipv6 ? IPV6_HLEN : IPV4_HLEN) + UDP_HLEN;
    }

    /**
     * Writes the frame of a UDP datagram at {@code out}'s position and advances the position past it.
     * The payload is read from its position to its limit and not consumed.
     *
     * @param ipId the IPv4 identification (ignored for IPv6)
     * @return the frame's length, or a negated errno with nothing written: EAFNOSUPPORT for
     *     addresses of two families or unresolved ones, EINVAL for a port out of 0 to 65535, E2BIG
     *     for a payload over {@link #MAX_UDP4_PAYLOAD} / {@link #MAX_UDP6_PAYLOAD} bytes, ENOSPC when
     *     {@code out} has less room than the frame
     */
    public static int udp(ByteBuffer out, InetSocketAddress src, InetSocketAddress dst, ByteBuffer payload,
            int ipId, ErrorSink err) {
        InetAddress s = src.getAddress();
        InetAddress d = dst.getAddress();
        if (s == null || d == null) {
            return err.fail(Errno.EAFNOSUPPORT, "addresses: resolved IPv4 or IPv6 ones, not unresolved names");
        }
        boolean v6 = s instanceof Inet6Address;
        if (v6 != d instanceof Inet6Address) {
            return err.fail(Errno.EAFNOSUPPORT, "addresses: source and destination of one family (IPv4 or IPv6)");
        }
        int len = payload.remaining();
        int max = v6 ? MAX_UDP6_PAYLOAD : MAX_UDP4_PAYLOAD;
        if (len > max) {
            return err.fail(Errno.E2BIG, "payload %d bytes: at most %d", len, max);
        }
        int frame = headerLength(v6) + len;
        if (out.remaining() < frame) {
            return err.fail(Errno.ENOSPC, "frame buffer: %d bytes left, the frame takes %d", out.remaining(), frame);
        }
        int ports = checkPorts(src.getPort(), dst.getPort(), err);
        if (ports < 0) {
            return ports;
        }
        int at = out.position();
        out.put(at + headerLength(v6), payload, payload.position(), len);
        writeHeaders(out, at, s.getAddress(), src.getPort(), d.getAddress(), dst.getPort(), len, ipId);
        out.position(at + frame);
        return frame;
    }

    static int checkPorts(int srcPort, int dstPort, ErrorSink err) {
        if (srcPort < 0 || srcPort > 0xffff) {
            return err.fail(Errno.EINVAL, "source port %d: from 0 to 65535", srcPort);
        }
        if (dstPort < 0 || dstPort > 0xffff) {
            return err.fail(Errno.EINVAL, "destination port %d: from 0 to 65535", dstPort);
        }
        return 0;
    }

    /**
     * Writes the headers in front of a payload already at {@code at + headerLength}: the path a
     * source takes when it received the datagram straight into the frame. Addresses are 4 or 16
     * bytes (both the same), ports and the length already checked.
     */
    static void writeHeaders(ByteBuffer f, int at, byte[] src, int srcPort, byte[] dst, int dstPort, int payloadLen,
            int ipId) {
        boolean v6 = src.length == 16;
        putMac(f, at, DEVICE_MAC);
        putMac(f, at + 6, PEER_MAC);
        put16(f, at + 12, v6 ? ETH_P_IPV6 : ETH_P_IP);
        int ip = at + ETH_HLEN;
        int udpLen = UDP_HLEN + payloadLen;
        int l4;
        if (v6) {
            put32(f, ip, 6 << 28);
            put16(f, ip + 4, udpLen);
            f.put(ip + 6, (byte) IPPROTO_UDP);
            f.put(ip + 7, (byte) TTL);
            f.put(ip + 8, src);
            f.put(ip + 24, dst);
            l4 = ip + IPV6_HLEN;
        } else {
            f.put(ip, (byte) 0x45);
            f.put(ip + 1, (byte) 0);
            put16(f, ip + 2, IPV4_HLEN + udpLen);
            put16(f, ip + 4, ipId & 0xffff);
            put16(f, ip + 6, IP_DF);
            f.put(ip + 8, (byte) TTL);
            f.put(ip + 9, (byte) IPPROTO_UDP);
            put16(f, ip + 10, 0);
            f.put(ip + 12, src);
            f.put(ip + 16, dst);
            put16(f, ip + 10, InetChecksum.finish(InetChecksum.add(0, f, ip, IPV4_HLEN)));
            l4 = ip + IPV4_HLEN;
        }
        put16(f, l4, srcPort);
        put16(f, l4 + 2, dstPort);
        put16(f, l4 + 4, udpLen);
        put16(f, l4 + 6, 0);
        int sum = InetChecksum.finish(InetChecksum.add(pseudoHeaderSum(f, ip, v6, udpLen), f, l4, udpLen));
        put16(f, l4 + 6, sum == 0 ? 0xffff : sum);
    }

    /**
     * The unfolded sum of the pseudo-header (addresses, protocol, UDP length) of the IP header at
     * {@code ip}: what the kernel leaves folded in the checksum field of a CHECKSUM_PARTIAL packet.
     */
    static long pseudoHeaderSum(ByteBuffer f, int ip, boolean v6, int udpLen) {
        long sum = v6 ? InetChecksum.add(0, f, ip + 8, 32) : InetChecksum.add(0, f, ip + 12, 8);
        return sum + IPPROTO_UDP + udpLen;
    }

    private static void putMac(ByteBuffer f, int at, long mac) {
        for (int i = 0; i < 6; i++) {
            f.put(at + i, (byte) (mac >>> (40 - 8 * i)));
        }
    }

    static void put16(ByteBuffer f, int at, int v) {
        f.put(at, (byte) (v >>> 8));
        f.put(at + 1, (byte) v);
    }

    private static void put32(ByteBuffer f, int at, int v) {
        put16(f, at, v >>> 16);
        put16(f, at + 2, v);
    }

    static int get16(ByteBuffer f, int at) {
        return ((f.get(at) & 0xff) << 8) | (f.get(at + 1) & 0xff);
    }
}
