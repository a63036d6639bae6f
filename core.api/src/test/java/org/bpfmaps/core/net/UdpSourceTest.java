package org.bpfmaps.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.Errno;
import org.junit.jupiter.api.Test;

/**
 * Real UDP datagrams on loopback become frames: the source address and port the kernel reports,
 * the listener's as destination, checksums valid, the payload intact, the RX queue of the Toeplitz
 * hash. Senders go in lockstep (send, then wait for the frame), so no datagram can be lost in the
 * socket buffer and every wait is bounded.
 */
class UdpSourceTest {
    /** A frame copied out of the sink call, with its queue. */
    record Got(int queue, ByteBuffer frame) {
    }

    private final BlockingQueue<Got> got = new ArrayBlockingQueue<>(1000);
    private final FrameSink collect = (q, f) -> got.add(new Got(q, ByteBuffer.allocate(f.remaining()).put(f).flip()));

    private Got next() throws InterruptedException {
        Got g = got.poll(10, TimeUnit.SECONDS);
        assertNotNull(g, "no frame within 10 s");
        return g;
    }

    @Test
    void datagramsFromSeveralLoopbackAddressesBecomeFramesOnTheirRssQueue() throws Exception {
        Errors errs = new Errors();
        Random r = new Random(21);
        List<DatagramChannel> senders = new ArrayList<>();
        long payloadBytes = 0;
        try (UdpSource src = UdpSource.open(new InetSocketAddress("127.0.0.1", 0), 4, collect)) {
            InetSocketAddress to = src.localAddress();
            assertTrue(to.getPort() > 0);
            for (int i = 2; i < 10; i++) {
                senders.add(DatagramChannel.open().bind(new InetSocketAddress("127.0.0." + i, 0)));
            }
            int[] perQueue = new int[4];
            for (int i = 0; i < 300; i++) {
                DatagramChannel s = senders.get(i % senders.size());
                byte[] payload = new byte[i == 0 ? 0 : i == 1 ? EthernetFrames.MAX_UDP4_PAYLOAD : r.nextInt(2000)];
                r.nextBytes(payload);
                payloadBytes += payload.length;
                s.send(ByteBuffer.wrap(payload), to);
                Got g = next();
                UdpFrame f = UdpFrame.parse(g.frame, errs);
                assertNotNull(f, errs.reasons::toString);
                assertEquals(s.getLocalAddress(), f.source(), "the datagram's real source");
                assertEquals(to, f.destination());
                assertEquals(ByteBuffer.wrap(payload), f.payload(g.frame));
                assertEquals(g.frame.remaining(), f.length());
                assertEquals(0, f.verifyChecksums(g.frame, errs), errs.reasons::toString);
                assertEquals(i & 0xffff, EthernetFrames.get16(g.frame, 18), "IPv4 id counts datagrams");
                int hash = Toeplitz.microsoft().hash(f.source(), to);
                assertEquals(Toeplitz.queue(hash, 4), g.queue, "queue of " + f.source());
                assertEquals(g.queue, Toeplitz.microsoft().queueOf(g.frame, 4), "what a NIC would hash from the frame");
                perQueue[g.queue]++;
            }
            assertEquals(300, src.datagrams());
            assertEquals(payloadBytes, src.bytes());
            for (int q = 0; q < 4; q++) {
                assertEquals(perQueue[q], src.frames(q));
            }
            assertEquals(0, src.sinkErrors());
            assertNull(src.failure());
            long used = 0;
            for (int q : perQueue) {
                used += q > 0 ? 1 : 0;
            }
            assertTrue(used >= 2, "8 flows spread over more than one queue: " + java.util.Arrays.toString(perQueue));
        } finally {
            for (DatagramChannel s : senders) {
                s.close();
            }
        }
    }

    @Test
    void ipv6LoopbackGetsIpv6Frames() throws Exception {
        UdpSource src;
        try {
            src = UdpSource.open(new InetSocketAddress("::1", 0), 2, collect);
        } catch (IOException e) {
            assumeTrue(false, "no IPv6 loopback here: " + e);
            return;
        }
        Errors errs = new Errors();
        try (src; DatagramChannel s = DatagramChannel.open(StandardProtocolFamily.INET6)
                .bind(new InetSocketAddress("::1", 0))) {
            for (int i = 0; i < 20; i++) {
                byte[] payload = ("datagram " + i).getBytes();
                s.send(ByteBuffer.wrap(payload), src.localAddress());
                Got g = next();
                UdpFrame f = UdpFrame.parse(g.frame, errs);
                assertTrue(f.ipv6());
                assertEquals(s.getLocalAddress(), f.source());
                assertEquals(src.localAddress(), f.destination());
                assertEquals(ByteBuffer.wrap(payload), f.payload(g.frame));
                assertEquals(0, f.verifyChecksums(g.frame, errs), errs.reasons::toString);
                assertEquals(Toeplitz.queue(Toeplitz.microsoft().hash(f.source(), f.destination()), 2), g.queue);
            }
        }
    }

    @Test
    void aThrowingSinkIsCountedAndTheSourceGoesOn() throws Exception {
        BlockingQueue<Integer> calls = new ArrayBlockingQueue<>(100);
        FrameSink flaky = (q, f) -> {
            int n = f.get(42);
            calls.add(n);
            if (n % 2 == 1) {
                throw new IllegalStateException("odd " + n);
            }
        };
        try (UdpSource src = UdpSource.open(new InetSocketAddress("127.0.0.1", 0), 1, flaky);
                DatagramChannel s = DatagramChannel.open()) {
            for (int i = 0; i <= 10; i++) {
                s.send(ByteBuffer.wrap(new byte[] {(byte) i}), src.localAddress());
                assertEquals(i, calls.poll(10, TimeUnit.SECONDS));
            }
            // the source counts a throw after the sink returns: the call of 10 (no throw) comes after that of 9
            assertEquals(11, src.datagrams());
            assertEquals(5, src.sinkErrors());
            assertEquals("odd 9", src.lastSinkError().getMessage());
            assertTrue(src.running());
        }
    }

    @Test
    void closeLeavesNoThreadAndIsIdempotent() throws Exception {
        UdpSource src = UdpSource.open(new InetSocketAddress("127.0.0.1", 0), 1, collect);
        String name = "bpfmaps-udp-source-" + src.localAddress().getPort();
        assertTrue(threadNamed(name));
        src.close();
        assertFalse(src.running());
        assertFalse(threadNamed(name), "no thread left after close");
        assertNull(src.failure(), "closing is no failure");
        src.close();
        // the port is free again
        try (DatagramChannel c = DatagramChannel.open().bind(src.localAddress())) {
            assertEquals(src.localAddress(), c.getLocalAddress());
        }
    }

    @Test
    void closeFromInsideTheSinkEndsTheSource() throws Exception {
        UdpSource[] self = new UdpSource[1];
        BlockingQueue<Boolean> closed = new ArrayBlockingQueue<>(1);
        FrameSink closer = (q, f) -> {
            try {
                self[0].close();
                closed.add(true);
            } catch (IOException e) {
                closed.add(false);
            }
        };
        self[0] = UdpSource.open(new InetSocketAddress("127.0.0.1", 0), 1, closer);
        try (DatagramChannel s = DatagramChannel.open()) {
            s.send(ByteBuffer.wrap(new byte[1]), self[0].localAddress());
            assertEquals(true, closed.poll(10, TimeUnit.SECONDS));
        }
        self[0].close(); // joins the thread, which ends after the sink returns
        assertFalse(self[0].running());
    }

    private static boolean threadNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name));
    }

    @Test
    void refusesNonLoopbackAddressesAndBadQueueCounts() throws Exception {
        for (String host : new String[] {"0.0.0.0", "192.0.2.1", "::", "10.1.2.3"}) {
            BpfException e = assertThrows(BpfException.class,
                    () -> UdpSource.open(new InetSocketAddress(InetAddress.getByName(host), 0), 1, collect));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().contains("loopback only (127.0.0.0/8 or ::1)"), e.getMessage());
        }
        assertEquals(Errno.EINVAL, assertThrows(BpfException.class,
                () -> UdpSource.open(InetSocketAddress.createUnresolved("localhost", 0), 1, collect)).errno());
        for (int q : new int[] {0, -1, 4097}) {
            BpfException e = assertThrows(BpfException.class,
                    () -> UdpSource.open(new InetSocketAddress("127.0.0.1", 0), q, collect));
            assertEquals("EINVAL: queues " + q + ": from 1 to 4096", e.getMessage());
        }
        try (DatagramChannel taken = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            assertThrows(BindException.class,
                    () -> UdpSource.open((InetSocketAddress) taken.getLocalAddress(), 1, collect));
        }
    }
}
