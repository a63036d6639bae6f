package org.bpfmaps.core.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.Errno;

/**
 * The Toeplitz hash of Receive Side Scaling, as NICs compute it to choose a frame's RX queue, and
 * the queue choice through a default indirection table.
 *
 * <p>For every input bit i (most significant bit of the first byte first) that is set, the hash
 * takes the XOR of the 32 key bits starting at key bit i. The inputs are the Microsoft RSS
 * specification's, in network byte order: IPv4 4-tuple = source address, destination address,
 * source port, destination port (12 bytes); IPv6 the same with 16-byte addresses (36 bytes); the
 * 2-tuples without the ports. A key of n bytes hashes inputs of up to n - 4 bytes; the default is
 * the 40-byte key of the specification (also Linux drivers' fallback before {@code
 * netdev_rss_key_fill} randomised it), for which the specification's verification suite holds.
 *
 * <p>Queue choice: the low 7 bits of the hash index an indirection table of {@link
 * #INDIRECTION_SIZE} entries filled as Linux's {@code ethtool_rxfh_indir_default} does (entry i =
 * i % queues), what {@code ethtool -x} shows on a NIC left at its defaults; so the queue is
 * {@code (hash & 127) % queues}, and a device with more than 128 queues receives on the first 128
 * only, as such a NIC does.
 *
 * <p>Immutable and thread-safe; hashing allocates nothing.
 */
public final class Toeplitz {
    /** Entries of the default indirection table (many NICs' size; {@code ethtool -x} lists them). */
    public static final int INDIRECTION_SIZE = 128;
    /** The largest key this class takes: 64 bytes, hashing inputs of up to 60. */
    public static final int MAX_KEY = 64;
    private static final int IPPROTO_TCP = 6;

    private static final byte[] MICROSOFT_KEY = {
        (byte) 0x6d, (byte) 0x5a, (byte) 0x56, (byte) 0xda, (byte) 0x25, (byte) 0x5b, (byte) 0x0e, (byte) 0xc2,
        (byte) 0x41, (byte) 0x67, (byte) 0x25, (byte) 0x3d, (byte) 0x43, (byte) 0xa3, (byte) 0x8f, (byte) 0xb0,
        (byte) 0xd0, (byte) 0xca, (byte) 0x2b, (byte) 0xcb, (byte) 0xae, (byte) 0x7b, (byte) 0x30, (byte) 0xb4,
        (byte) 0x77, (byte) 0xcb, (byte) 0x2d, (byte) 0xa3, (byte) 0x80, (byte) 0x30, (byte) 0xf2, (byte) 0x0c,
        (byte) 0x6a, (byte) 0x42, (byte) 0xb7, (byte) 0x3b, (byte) 0xbe, (byte) 0xac, (byte) 0x01, (byte) 0xfa,
    };

    private static final Toeplitz MICROSOFT = new Toeplitz(MICROSOFT_KEY);

    private final byte[] key;
    /** table[p * 256 + v]: the hash contribution of byte value v at input byte p. */
    private final int[] table;

    /**
     * A hash with this key.
     *
     * @throws BpfException EINVAL for a key of fewer than 16 bytes (an IPv4 4-tuple's 12 + 4) or
     *     more than {@link #MAX_KEY}
     */
    public Toeplitz(byte[] key) {
        if (key.length < 16 || key.length > MAX_KEY) {
            throw new BpfException(Errno.EINVAL,
                    "RSS key " + key.length + " bytes: from 16 (an IPv4 4-tuple) to " + MAX_KEY);
        }
        this.key = key.clone();
        int inputs = key.length - 4;
        table = new int[inputs * 256];
        for (int p = 0; p < inputs; p++) {
            for (int bit = 0; bit < 8; bit++) {
                int window = window(p * 8 + bit);
                int mask = 0x80 >>> bit;
                for (int v = mask; v < 256; v = (v + 1) | mask) {
                    table[p * 256 + v] ^= window;
                }
            }
        }
    }

    /** The 32 key bits starting at key bit {@code i}. */
    private int window(int i) {
        long w = 0;
        for (int b = 0; b < 5; b++) {
            int at = (i >>> 3) + b;
            w = (w << 8) | (at < key.length ? key[at] & 0xff : 0);
        }
        return (int) (w >>> (8 - (i & 7)));
    }

    /** The hash with the Microsoft RSS specification's 40-byte key. */
    public static Toeplitz microsoft() {
        return MICROSOFT;
    }

    /** The key, a copy. */
    public byte[] key() {
        return key.clone();
    }

    /**
     * The hash of {@code len} input bytes from {@code off}.
     *
     * @throws BpfException EINVAL for an input longer than the key's length - 4
     */
    public int hash(byte[] input, int off, int len) {
        if (len > key.length - 4) {
            throw new BpfException(Errno.EINVAL,
                    "RSS input " + len + " bytes: a " + key.length + "-byte key hashes at most " + (key.length - 4));
        }
        int h = 0;
        for (int p = 0; p < len; p++) {
            h ^= table[p * 256 + (input[off + p] & 0xff)];
        }
        return h;
    }

    /** The IPv4 4-tuple's hash; addresses as ints in network order (127.0.0.1 is 0x7f000001). */
    public int hashIpv4(int srcAddr, int dstAddr, int srcPort, int dstPort) {
        return hashIpv4(srcAddr, dstAddr) ^ word(8, srcPort << 16 | (dstPort & 0xffff));
    }

    /** The IPv4 2-tuple's hash (addresses only), for non-TCP/UDP traffic and NICs hashing UDP so. */
    public int hashIpv4(int srcAddr, int dstAddr) {
        return word(0, srcAddr) ^ word(4, dstAddr);
    }

    private int word(int p, int v) {
        return table[p * 256 + (v >>> 24)] ^ table[(p + 1) * 256 + ((v >>> 16) & 0xff)]
                ^ table[(p + 2) * 256 + ((v >>> 8) & 0xff)] ^ table[(p + 3) * 256 + (v & 0xff)];
    }

    /**
     * The 4-tuple's hash for addresses of 4 (IPv4) or 16 (IPv6) bytes, both the same size.
     *
     * @throws BpfException EINVAL for other sizes, EINVAL for IPv6 with a key under 40 bytes
     */
    public int hash(byte[] srcAddr, byte[] dstAddr, int srcPort, int dstPort) {
        int n = srcAddr.length;
        if ((n != 4 && n != 16) || dstAddr.length != n) {
            throw new BpfException(Errno.EINVAL, "addresses " + n + " and " + dstAddr.length
                    + " bytes: both 4 (IPv4) or both 16 (IPv6)");
        }
        int ports = 2 * n;
        if (ports + 4 > key.length - 4) {
            throw new BpfException(Errno.EINVAL,
                    "RSS input " + (ports + 4) + " bytes: a " + key.length + "-byte key hashes at most " + (key.length - 4));
        }
        int h = 0;
        for (int p = 0; p < n; p++) {
            h ^= table[p * 256 + (srcAddr[p] & 0xff)] ^ table[(n + p) * 256 + (dstAddr[p] & 0xff)];
        }
        return h ^ word(ports, srcPort << 16 | (dstPort & 0xffff));
    }

    /** The 4-tuple's hash of two socket addresses of one family. */
    public int hash(InetSocketAddress src, InetSocketAddress dst) {
        InetAddress s = src.getAddress();
        InetAddress d = dst.getAddress();
        if (s == null || d == null) {
            throw new BpfException(Errno.EINVAL, "addresses: resolved ones, not unresolved names");
        }
        return hash(s.getAddress(), d.getAddress(), src.getPort(), dst.getPort());
    }

    /**
     * The hash a NIC computes for a received frame (Ethernet II from {@code frame}'s position to its
     * limit), allocating nothing: the 4-tuple for UDP and TCP over IPv4 (not a fragment) or IPv6
     * (no extension headers), the 2-tuple of addresses for other IP packets and fragments, 0 for
     * frames too short for their headers, for other EtherTypes (a NIC without a hash delivers them
     * on queue 0) and for IPv6 under a key shorter than 40 bytes.
     */
    public int hashFrame(ByteBuffer frame) {
        int base = frame.position();
        int len = frame.remaining();
        if (len < EthernetFrames.ETH_HLEN) {
            return 0;
        }
        int type = EthernetFrames.get16(frame, base + 12);
        int ip = base + EthernetFrames.ETH_HLEN;
        int end = base + len;
        int addrLen;
        int l4;
        int proto;
        boolean whole;
        if (type == EthernetFrames.ETH_P_IP && ip + EthernetFrames.IPV4_HLEN <= end && (frame.get(ip) & 0xf0) == 0x40) {
            addrLen = 4;
            l4 = ip + (frame.get(ip) & 0xf) * 4;
            proto = frame.get(ip + 9) & 0xff;
            whole = (EthernetFrames.get16(frame, ip + 6) & 0x3fff) == 0;
        } else if (type == EthernetFrames.ETH_P_IPV6 && ip + EthernetFrames.IPV6_HLEN <= end && key.length >= 40) {
            addrLen = 16;
            l4 = ip + EthernetFrames.IPV6_HLEN;
            proto = frame.get(ip + 6) & 0xff;
            whole = true;
        } else {
            return 0;
        }
        int src = addrLen == 4 ? ip + 12 : ip + 8;
        int h = 0;
        for (int p = 0; p < 2 * addrLen; p++) {
            h ^= table[p * 256 + (frame.get(src + p) & 0xff)];
        }
        if (whole && (proto == EthernetFrames.IPPROTO_UDP || proto == IPPROTO_TCP) && l4 + 4 <= end) {
            h ^= word(2 * addrLen, EthernetFrames.get16(frame, l4) << 16 | EthernetFrames.get16(frame, l4 + 2));
        }
        return h;
    }

    /** The queue of a received frame: {@link #queue(int, int)} of {@link #hashFrame}. */
    public int queueOf(ByteBuffer frame, int queues) {
        return queue(hashFrame(frame), queues);
    }

    /**
     * The RX queue of a hash among {@code queues}: the default indirection table's entry {@code
     * hash & 127}, which is {@code (hash & 127) % queues}.
     *
     * @throws BpfException EINVAL for queues under 1
     */
    public static int queue(int hash, int queues) {
        if (queues < 1) {
            throw new BpfException(Errno.EINVAL, "queues " + queues + ": at least 1");
        }
        return (hash & (INDIRECTION_SIZE - 1)) % queues;
    }
}
