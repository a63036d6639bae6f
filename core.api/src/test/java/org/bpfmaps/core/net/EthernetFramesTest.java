package org.bpfmaps.core.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.bpfmaps.core.api.Errno;
import org.junit.jupiter.api.Test;

/**
 * Frames built around UDP datagrams: every header field at its offset, checksums against an
 * independent computation (a pseudo-header laid out as bytes and summed with end-around carry at
 * each step), the parser's view of the same frames, and bad input. The frames' IPv4 header and
 * UDP checksum are also compared with the kernel's own in {@link PcapTcpdumpTest}.
 */
class EthernetFramesTest {
    private final Errors errs = new Errors();

    private static InetSocketAddress sa(String host, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    private ByteBuffer build(InetSocketAddress src, InetSocketAddress dst, byte[] payload, int ipId) {
        ByteBuffer out = ByteBuffer.allocate(EthernetFrames.MAX_FRAME);
        int n = EthernetFrames.udp(out, src, dst, ByteBuffer.wrap(payload), ipId, errs);
        assertEquals(out.position(), n, "length returned " + errs.reasons);
        return out.flip();
    }

    /** RFC 1071 sum with end-around carry after every word: another way than the code's deferred fold. */
    static int onesComplementSum(byte[] b) {
        int sum = 0;
        for (int i = 0; i < b.length; i += 2) {
            int word = (b[i] & 0xff) << 8 | (i + 1 < b.length ? b[i + 1] & 0xff : 0);
            sum += word;
            if (sum > 0xffff) {
                sum = (sum & 0xffff) + 1;
            }
        }
        return sum;
    }

    static int expectedUdpChecksum(byte[] src, byte[] dst, byte[] udpWithZeroChecksum) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.writeBytes(src);
        p.writeBytes(dst);
        int len = udpWithZeroChecksum.length;
        if (src.length == 4) {
            p.writeBytes(new byte[] {0, 17, (byte) (len >> 8), (byte) len});
        } else {
            p.writeBytes(new byte[] {0, 0, (byte) (len >> 8), (byte) len, 0, 0, 0, 17});
        }
        p.writeBytes(udpWithZeroChecksum);
        int c = ~onesComplementSum(p.toByteArray()) & 0xffff;
        return c == 0 ? 0xffff : c;
    }

    private static byte[] bytes(ByteBuffer b, int off, int len) {
        byte[] a = new byte[len];
        b.get(off, a);
        return a;
    }

    @Test
    void ipv4HeadersFieldByField() throws Exception {
        byte[] payload = "hello world".getBytes();
        ByteBuffer f = build(sa("127.0.0.3", 42136), sa("127.0.0.1", 45999), payload, 0xb0df);
        assertEquals(42 + payload.length, f.remaining());
        assertEquals("020000000001" + "020000000002" + "0800", HexFormat.of().formatHex(bytes(f, 0, 14)));
        // the header tcpdump showed for this datagram on lo (id 0xb0df, DF, TTL 64, checksum 0x8be2)
        assertEquals("45000027b0df400040118be27f0000037f000001", HexFormat.of().formatHex(bytes(f, 14, 20)));
        assertEquals(0xffff, onesComplementSum(bytes(f, 14, 20)), "the header sums to 0xffff with its checksum");
        byte[] udp = bytes(f, 34, 8 + payload.length);
        assertEquals("a498b3af0013", HexFormat.of().formatHex(udp, 0, 6));
        int field = (udp[6] & 0xff) << 8 | (udp[7] & 0xff);
        udp[6] = 0;
        udp[7] = 0;
        assertEquals(expectedUdpChecksum(new byte[] {127, 0, 0, 3}, new byte[] {127, 0, 0, 1}, udp), field);
        // tcpdump -vv computed 0x17ad for this datagram ("bad udp cksum 0xfe28 -> 0x17ad" on lo's partial checksum)
        assertEquals(0x17ad, field);
        assertArrayEquals(payload, bytes(f, 42, payload.length));
    }

    @Test
    void ipv6HeadersFieldByField() throws Exception {
        byte[] payload = new byte[301];
        new Random(6).nextBytes(payload);
        InetSocketAddress src = sa("::1", 5555);
        InetSocketAddress dst = sa("fe80::1", 53);
        ByteBuffer f = build(src, dst, payload, 7);
        assertEquals(62 + payload.length, f.remaining());
        assertEquals("86dd", HexFormat.of().formatHex(bytes(f, 12, 2)));
        assertEquals("60000000" + String.format("%04x", 8 + payload.length) + "1140",
                HexFormat.of().formatHex(bytes(f, 14, 8)));
        assertArrayEquals(src.getAddress().getAddress(), bytes(f, 22, 16));
        assertArrayEquals(dst.getAddress().getAddress(), bytes(f, 38, 16));
        byte[] udp = bytes(f, 54, 8 + payload.length);
        int field = (udp[6] & 0xff) << 8 | (udp[7] & 0xff);
        udp[6] = 0;
        udp[7] = 0;
        assertEquals(expectedUdpChecksum(src.getAddress().getAddress(), dst.getAddress().getAddress(), udp), field);
    }

    /** Random datagrams of both families and odd and even sizes: checksums and the parser agree. */
    @Test
    void randomDatagramsChecksumAndParseBack() throws Exception {
        Random r = new Random(4242);
        for (int i = 0; i < 500; i++) {
            boolean v6 = r.nextBoolean();
            byte[] sa = new byte[v6 ? 16 : 4];
            byte[] da = new byte[sa.length];
            r.nextBytes(sa);
            r.nextBytes(da);
            byte[] payload = new byte[i < 10 ? i : r.nextInt(i % 7 == 0 ? 9000 : 1500)];
            r.nextBytes(payload);
            InetSocketAddress src = new InetSocketAddress(InetAddress.getByAddress(sa), r.nextInt(65536));
            InetSocketAddress dst = new InetSocketAddress(InetAddress.getByAddress(da), r.nextInt(65536));
            ByteBuffer f = build(src, dst, payload, i);
            int l4 = v6 ? 54 : 34;
            byte[] udp = bytes(f, l4, 8 + payload.length);
            int field = (udp[6] & 0xff) << 8 | (udp[7] & 0xff);
            udp[6] = 0;
            udp[7] = 0;
            assertEquals(expectedUdpChecksum(sa, da, udp), field, "datagram " + i);

            UdpFrame p = UdpFrame.parse(f, errs);
            assertNotNull(p, errs.reasons::toString);
            assertEquals(v6, p.ipv6());
            assertEquals(14, p.l3Offset());
            assertEquals(l4, p.l4Offset());
            assertEquals(l4 + 8, p.payloadOffset());
            assertEquals(payload.length, p.payloadLength());
            assertEquals(f.remaining(), p.length());
            assertEquals(src, p.source());
            assertEquals(dst, p.destination());
            assertEquals(17, p.protocol());
            assertEquals(ByteBuffer.wrap(payload), p.payload(f));
            assertEquals(0, p.verifyChecksums(f, errs), errs.reasons::toString);
            assertEquals(Toeplitz.microsoft().hash(src, dst), p.rssHash(Toeplitz.microsoft()));
        }
    }

    @Test
    void aComputedZeroChecksumIsSentAsFfff() throws Exception {
        InetSocketAddress src = sa("127.0.0.1", 1000);
        InetSocketAddress dst = sa("127.0.0.2", 2000);
        // with a 2-byte payload of 0 the checksum is c; a payload word of c then makes the sum 0xffff
        ByteBuffer zero = build(src, dst, new byte[2], 0);
        int c = EthernetFrames.get16(zero, 40);
        ByteBuffer f = build(src, dst, new byte[] {(byte) (c >> 8), (byte) c}, 0);
        assertEquals(0xffff, EthernetFrames.get16(f, 40));
        assertEquals(0, UdpFrame.parse(f, errs).verifyChecksums(f, errs));
    }

    @Test
    void writesAtThePositionInAnyByteOrderAndKeepsThePayload() throws Exception {
        ByteBuffer payload = ByteBuffer.wrap(new byte[] {9, 8, 7, 6, 5}).position(1);
        ByteBuffer out = ByteBuffer.allocateDirect(200).order(ByteOrder.LITTLE_ENDIAN).position(10);
        int n = EthernetFrames.udp(out, sa("127.0.0.1", 1), sa("127.0.0.1", 2), payload, 0, errs);
        assertEquals(46, n);
        assertEquals(56, out.position());
        assertEquals(1, payload.position(), "payload not consumed");
        ByteBuffer f = out.flip().position(10);
        UdpFrame p = UdpFrame.parse(f, errs);
        assertEquals(ByteBuffer.wrap(new byte[] {8, 7, 6, 5}), p.payload(f));
        assertEquals(0, p.verifyChecksums(f, errs));
    }

    @Test
    void badArgumentsWriteNothing() throws Exception {
        ByteBuffer out = ByteBuffer.allocate(100);
        ByteBuffer small = ByteBuffer.allocate(10);
        assertEquals(Errno.ENOSPC.ret(), EthernetFrames.udp(out, sa("127.0.0.1", 1), sa("127.0.0.1", 2), 
                ByteBuffer.allocate(59), 0, errs));
        assertEquals("frame buffer: 100 bytes left, the frame takes 101", errs.lastReason());
        assertEquals(Errno.E2BIG.ret(), EthernetFrames.udp(ByteBuffer.allocate(70000), sa("127.0.0.1", 1),
                sa("127.0.0.1", 2), ByteBuffer.allocate(65508), 0, errs));
        assertEquals("payload 65508 bytes: at most 65507", errs.lastReason());
        assertEquals(42 + 65507, EthernetFrames.udp(ByteBuffer.allocate(70000), sa("127.0.0.1", 1),
                sa("127.0.0.1", 2), ByteBuffer.allocate(65507), 0, errs), "the largest IPv4 datagram fits");
        assertEquals(Errno.EAFNOSUPPORT.ret(), EthernetFrames.udp(out, sa("127.0.0.1", 1), sa("::1", 2),
                small, 0, errs));
        assertEquals(Errno.EAFNOSUPPORT.ret(), EthernetFrames.udp(out, InetSocketAddress.createUnresolved("x", 1),
                sa("::1", 2), small, 0, errs));
        assertEquals(0, out.position());
        byte[] before = out.array().clone();
        assertTrue(Arrays.equals(new byte[100], before), "nothing written");
        assertEquals(Errno.EINVAL.ret(), EthernetFrames.checkPorts(65536, 1, errs));
        assertEquals("source port 65536: from 0 to 65535", errs.lastReason());
        assertEquals(Errno.EINVAL.ret(), EthernetFrames.checkPorts(1, -1, errs));
    }

    @Test
    void parseRefusesWhatIsNotAWholeUdpDatagram() throws Exception {
        ByteBuffer good = build(sa("127.0.0.1", 1), sa("127.0.0.1", 2), new byte[20], 0);
        assertNull(UdpFrame.parse(good.duplicate().limit(13), errs));
        assertEquals(Errno.EINVAL, errs.last());
        assertNull(UdpFrame.parse(good.duplicate().limit(30), errs));
        assertEquals("IPv4 header: 16 bytes after Ethernet, at least 20", errs.lastReason());
        assertNull(UdpFrame.parse(good.duplicate().limit(61), errs), "total length over the bytes present");
        assertEquals("IPv4 total length 48: from the header's length to the 47 bytes present", errs.lastReason());
        ByteBuffer padded = ByteBuffer.allocate(good.remaining() + 6).put(good.duplicate()).flip().limit(68);
        assertEquals(20, UdpFrame.parse(padded, errs).payloadLength(), "Ethernet padding ignored");

        assertParseFails(good, 12, (byte) 0x81, Errno.EOPNOTSUPP, "EtherType 0x8100: IPv4 (0x800) or IPv6 (0x86dd) only");
        assertParseFails(good, 14, (byte) 0x55, Errno.EINVAL, "IPv4 version 5: 4");
        assertParseFails(good, 14, (byte) 0x44, Errno.EINVAL, null);
        assertParseFails(good, 23, (byte) 6, Errno.EOPNOTSUPP, "IP protocol 6: UDP (17) only");
        assertParseFails(good, 20, (byte) 0x20, Errno.EOPNOTSUPP, "IPv4 fragment (offset 0): whole datagrams only");
        assertParseFails(good, 38, (byte) 0x01, Errno.EINVAL, "UDP length 284: from 8 to the IP payload's 28 bytes");
        assertParseFails(good, 39, (byte) 0x07, Errno.EINVAL, "UDP length 7: from 8 to the IP payload's 28 bytes");

        ByteBuffer v6 = build(sa("::1", 1), sa("::1", 2), new byte[20], 0);
        assertParseFails(v6, 20, (byte) 0, Errno.EOPNOTSUPP, "IPv6 next header 0: UDP (17) only, no extension headers");
        assertParseFails(v6, 18, (byte) 1, Errno.EINVAL, "IPv6 payload length 284: at most the 28 bytes present");

        ByteBuffer bad = clone(good);
        bad.put(50, (byte) (bad.get(50) + 1));
        UdpFrame p = UdpFrame.parse(bad, errs);
        assertEquals(Errno.EINVAL.ret(), p.verifyChecksums(bad, errs));
        assertTrue(errs.lastReason().startsWith("UDP checksum"), errs.lastReason());
        bad = clone(good);
        bad.put(22, (byte) 63); // TTL decremented without fixing the checksum
        assertEquals(Errno.EINVAL.ret(), UdpFrame.parse(bad, errs).verifyChecksums(bad, errs));
        assertTrue(errs.lastReason().startsWith("IPv4 header checksum"), errs.lastReason());
        bad = clone(good);
        bad.put(40, (byte) 0).put(41, (byte) 0);
        assertEquals(0, UdpFrame.parse(bad, errs).verifyChecksums(bad, errs), "IPv4: 0 means no UDP checksum");
        ByteBuffer bad6 = clone(v6);
        bad6.put(60, (byte) 0).put(61, (byte) 0);
        assertEquals(Errno.EINVAL.ret(), UdpFrame.parse(bad6, errs).verifyChecksums(bad6, errs),
                "IPv6 requires the checksum");
    }

    private static ByteBuffer clone(ByteBuffer b) {
        return ByteBuffer.allocate(b.remaining()).put(b.duplicate()).flip();
    }

    private void assertParseFails(ByteBuffer good, int at, byte value, Errno errno, String reason) {
        ByteBuffer f = clone(good);
        f.put(at, value);
        errs.errnos.clear();
        assertNull(UdpFrame.parse(f, errs), "byte " + at + " = " + value);
        assertEquals(errno, errs.last(), errs.reasons::toString);
        if (reason != null) {
            assertEquals(reason, errs.lastReason());
        }
    }
}
