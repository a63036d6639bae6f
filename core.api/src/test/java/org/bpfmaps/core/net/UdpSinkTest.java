package org.bpfmaps.core.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.Errno;
import org.junit.jupiter.api.Test;

/** Frames sent back out as UDP datagrams on loopback, to their destination or a fixed target. */
class UdpSinkTest {
    private final Errors errs = new Errors();

    private static DatagramSocket receiver(String host) throws SocketException, Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), 0));
        s.setSoTimeout(10_000); // a bounded wait: a lost datagram fails the test
        return s;
    }

    private static byte[] receive(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[70000], 70000);
        s.receive(p);
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    private ByteBuffer frame(InetSocketAddress src, InetSocketAddress dst, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(EthernetFrames.MAX_FRAME);
        EthernetFrames.udp(b, src, dst, ByteBuffer.wrap(payload), 0, errs);
        return b.flip();
    }

    @Test
    void sendsEachFrameToItsDestination() throws Exception {
        try (DatagramSocket a = receiver("127.0.0.1"); DatagramSocket b = receiver("127.0.0.7");
                UdpSink sink = UdpSink.open()) {
            InetSocketAddress src = new InetSocketAddress("127.0.0.9", 4444);
            for (int i = 0; i < 50; i++) {
                DatagramSocket to = i % 3 == 0 ? b : a;
                byte[] payload = ("frame " + i).getBytes();
                ByteBuffer f = frame(src, (InetSocketAddress) to.getLocalSocketAddress(), payload);
                ByteBuffer padded = ByteBuffer.allocate(f.remaining() + 20).position(5);
                padded.put(f.duplicate()).limit(padded.position() + 10).position(5); // frame at 5, padding after
                assertEquals(payload.length, sink.send(padded, errs), errs.reasons::toString);
                assertEquals(5, padded.position(), "position kept");
                assertArrayEquals(payload, receive(to));
            }
            assertEquals(50, sink.sent());
            assertEquals(0, sink.dropped());
        }
    }

    @Test
    void ipv6AndFixedTarget() throws Exception {
        try (DatagramSocket target = receiver("127.0.0.1");
                UdpSink sink = UdpSink.open((InetSocketAddress) target.getLocalSocketAddress())) {
            // the frame's own destination (another port, even another family) is overridden
            byte[] payload = new byte[1400];
            Arrays.fill(payload, (byte) 7);
            ByteBuffer f = frame(new InetSocketAddress("::1", 1), new InetSocketAddress("fe80::1", 2), payload);
            assertEquals(1400, sink.send(f, errs), errs.reasons::toString);
            assertArrayEquals(payload, receive(target));
        }
    }

    @Test
    void refusesFramesItCannotSendAndCountsThem() throws Exception {
        try (UdpSink sink = UdpSink.open()) {
            ByteBuffer f = frame(new InetSocketAddress("127.0.0.1", 1), new InetSocketAddress("192.0.2.1", 9), new byte[3]);
            assertEquals(Errno.EINVAL.ret(), sink.send(f, errs));
            assertEquals("destination port 9: the address is not loopback (127.0.0.0/8 or ::1)", errs.lastReason());
            ByteBuffer notUdp = frame(new InetSocketAddress("127.0.0.1", 1), new InetSocketAddress("127.0.0.1", 9),
                    new byte[3]);
            notUdp.put(23, (byte) 6);
            assertEquals(Errno.EOPNOTSUPP.ret(), sink.send(notUdp, errs));
            assertEquals(Errno.EINVAL.ret(), sink.send(ByteBuffer.allocate(5), errs));
            assertEquals(3, sink.dropped());
            assertEquals(0, sink.sent());
            sink.close();
            ByteBuffer ok = frame(new InetSocketAddress("127.0.0.1", 1), new InetSocketAddress("127.0.0.1", 9),
                    new byte[3]);
            assertThrows(ClosedChannelException.class, () -> sink.send(ok, errs));
        }
        assertEquals(Errno.EINVAL, assertThrows(BpfException.class,
                () -> UdpSink.open(new InetSocketAddress("192.0.2.1", 9))).errno());
    }
}
