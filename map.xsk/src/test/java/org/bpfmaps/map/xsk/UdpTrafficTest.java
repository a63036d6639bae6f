package org.bpfmaps.map.xsk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.net.Toeplitz;
import org.bpfmaps.core.net.UdpFrame;
import org.bpfmaps.core.net.UdpSource;
import org.bpfmaps.core.prog.XdpAction;
import org.bpfmaps.core.xdp.NetDevices;
import org.bpfmaps.core.xdp.RingType;
import org.bpfmaps.core.xdp.RxQueueStatistics;
import org.bpfmaps.core.xdp.XdpRing;
import org.bpfmaps.core.xdp.XdpSocket;
import org.bpfmaps.core.xdp.XdpStatistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 21's proof with real traffic: UDP datagrams sent on loopback by real sockets reach a device
 * of four queues through two {@link UdpSource}s (one per destination port); an XDP program
 * redirects the datagrams for one port into the XSK socket of the queue they came in on (an XSKMAP
 * keyed by {@code rx_queue_index}) and passes the others to the device's pass listener; the test
 * reads the RX rings, checks every frame (headers, checksums, payload, queue) and gives the frames
 * back through the FILL ring. Counts, bytes and every counter match what was sent, exactly.
 */
class UdpTrafficTest {
    static final int QUEUES = 4;
    static final int FRAMES = 64;
    static final int CHUNK = 2048;
    static final int SENDERS = 8;
    static final int WAVES = 40;

    private final XskFixture f = new XskFixture();
    private final NetDevices devs = NetDevices.of(f.bpf);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        f.close();
    }

    /** A datagram's payload: who sent it and its number, then filler of a size of its own. */
    private static byte[] payload(int sender, int seq, Random r) {
        byte[] head = (sender + "/" + seq + "/").getBytes(StandardCharsets.US_ASCII);
        byte[] p = new byte[head.length + r.nextInt(1400)];
        r.nextBytes(p);
        System.arraycopy(head, 0, p, 0, head.length);
        return p;
    }

    private static String key(ByteBuffer payload) {
        byte[] b = new byte[payload.remaining()];
        payload.duplicate().get(b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void datagramsForOnePortLandInTheSocketOfTheirQueueAndTheRestPass() throws Exception {
        ErrorSink err = XdpTraffic.FAIL;
        int eth = devs.add("eth1", QUEUES, err);
        int map = f.xskmap(QUEUES);
        XdpSocket[] xsk = f.socketsPerQueue(eth, QUEUES, map, FRAMES, CHUNK);

        List<byte[]> passed = Collections.synchronizedList(new ArrayList<>());
        List<Integer> passedQueues = Collections.synchronizedList(new ArrayList<>());
        devs.onPass(eth, (ifindex, queue, frame) -> {
            byte[] b = new byte[frame.remaining()];
            frame.duplicate().get(b);
            passed.add(b);
            passedQueues.add(queue);
        });
        List<Integer> verdictErrors = Collections.synchronizedList(new ArrayList<>());
        UdpSource toXsk = UdpSource.open(new InetSocketAddress("127.0.0.1", 0), QUEUES, (q, frame) -> {
            int v = devs.rxQueue(eth, q).receive(frame);
            if (v != XdpAction.XDP_REDIRECT) {
                verdictErrors.add(v);
            }
        });
        open.add(toXsk);
        UdpSource toStack = UdpSource.open(new InetSocketAddress("127.0.0.1", 0), QUEUES, (q, frame) -> {
            int v = devs.rxQueue(eth, q).receive(frame);
            if (v != XdpAction.XDP_PASS) {
                verdictErrors.add(v);
            }
        });
        open.add(toStack);
        int xskPort = toXsk.localAddress().getPort();
        XdpTraffic.attach(f.bpf, eth, "udp_to_xsk", ctx -> {
            int port = XdpTraffic.udpDstPort(ctx.frame(), ctx.data(), ctx.dataEnd());
            return port == xskPort ? ctx.redirectMap(0, ctx.rxQueueIndex(), XdpAction.XDP_PASS) : XdpAction.XDP_PASS;
        }, map);

        DatagramChannel[] senders = new DatagramChannel[SENDERS];
        for (int i = 0; i < SENDERS; i++) {
            senders[i] = DatagramChannel.open().bind(new InetSocketAddress("127.0.0." + (i + 1), 0));
            open.add(senders[i]);
        }
        Random r = new Random(21);
        Map<String, InetSocketAddress> sentToXsk = new HashMap<>();
        Map<String, InetSocketAddress> sentToStack = new HashMap<>();
        long wireBytes = 0;
        int sent = 0;
        Map<String, Integer> gotQueue = new HashMap<>();
        long[] framesPerQueue = new long[QUEUES];
        long[] bytesPerQueue = new long[QUEUES];
        for (int wave = 0; wave < WAVES; wave++) {
            // at most 24 frames a wave: fewer than each queue's 64 frames, so no frame waits for the FILL ring
            for (int i = 0; i < SENDERS; i++) {
                for (int k = 0; k < 3; k++) {
                    byte[] p = payload(i, sent, r);
                    boolean toSocket = k < 2;
                    (toSocket ? sentToXsk : sentToStack).put(key(ByteBuffer.wrap(p)),
                            (InetSocketAddress) senders[i].getLocalAddress());
                    senders[i].send(ByteBuffer.wrap(p), toSocket ? toXsk.localAddress() : toStack.localAddress());
                    wireBytes += 42 + p.length;
                    sent++;
                }
            }
            awaitDone(eth, sent);
            for (int q = 0; q < QUEUES; q++) {
                drain(xsk[q], q, gotQueue, framesPerQueue, bytesPerQueue);
            }
        }

        assertEquals(List.of(), verdictErrors, "every datagram got the verdict of its port");
        assertEquals(sentToXsk.keySet(), gotQueue.keySet(), "exactly the datagrams sent to the port, each once");
        Toeplitz rss = Toeplitz.microsoft();
        InetSocketAddress xskAddr = toXsk.localAddress();
        for (Map.Entry<String, Integer> e : gotQueue.entrySet()) {
            InetSocketAddress from = sentToXsk.get(e.getKey());
            assertEquals(Toeplitz.queue(rss.hash(from, xskAddr), QUEUES), e.getValue(),
                    "a datagram lands in the socket of the queue RSS chose for its 4-tuple");
        }
        long[] passPerQueue = new long[QUEUES];
        long passBytes = 0;
        for (int i = 0; i < passed.size(); i++) {
            ByteBuffer frame = ByteBuffer.wrap(passed.get(i));
            UdpFrame u = UdpFrame.parse(frame, err);
            assertEquals(0, u.verifyChecksums(frame, err));
            assertEquals(toStack.localAddress(), u.destination());
            InetSocketAddress from = sentToStack.remove(key(u.payload(frame)));
            assertEquals(from, u.source(), "a datagram sent to the other port reaches the stack once");
            assertEquals(Toeplitz.queue(rss.hash(from, toStack.localAddress()), QUEUES), passedQueues.get(i));
            passPerQueue[passedQueues.get(i)]++;
            passBytes += passed.get(i).length;
        }
        assertEquals(Map.of(), sentToStack, "every datagram for the other port passed");

        long packets = 0;
        long bytes = 0;
        int queuesUsed = 0;
        for (int q = 0; q < QUEUES; q++) {
            RxQueueStatistics st = devs.rxQueue(eth, q).statistics();
            assertEquals(0, XdpTraffic.drops(st), "no frame dropped on queue " + q + ": " + st);
            assertEquals(framesPerQueue[q], st.redirect(), "queue " + q);
            assertEquals(passPerQueue[q], st.pass(), "queue " + q);
            assertEquals(framesPerQueue[q] + passPerQueue[q], st.packets());
            assertEquals(0, st.tx());
            assertEquals(toXsk.frames(q), st.redirect(), "the source's queue choice is the device's");
            assertEquals(toStack.frames(q), st.pass());
            packets += st.packets();
            bytes += st.bytes();
            queuesUsed += framesPerQueue[q] > 0 ? 1 : 0;
            assertEquals(new XdpStatistics(0, 0, 0, 0, 0, 0), xsk[q].statistics(), "socket " + q + ": no drop");
            assertEquals(0, xsk[q].ring(RingType.RX).filled(), "every frame read");
            // the device keeps the buffer of a frame it passed on its free list (xsk_buff_free) for the next
            // frame: with every redirected frame given back, the FILL ring holds all frames but that one
            int missing = FRAMES - xsk[q].ring(RingType.FILL).filled();
            assertTrue(missing == 0 || missing == 1 && st.pass() > 0, "every frame back with the device: " + missing);
        }
        // 8 senders all on one queue of 4 has odds of 4 in 65536; on two or fewer, 1 in 43: one is too many
        assertTrue(queuesUsed >= 2, "RSS spread 8 senders over the queues: " + queuesUsed);
        assertEquals(sent, packets);
        assertEquals(wireBytes, bytes, "the device counted the bytes of the frames sent");
        assertEquals(wireBytes, bytesPerQueue[0] + bytesPerQueue[1] + bytesPerQueue[2] + bytesPerQueue[3] + passBytes);
        assertEquals(toXsk.datagrams(), gotQueue.size());
        assertEquals(toStack.datagrams(), passed.size());
        assertEquals(0, toXsk.sinkErrors() + toStack.sinkErrors());
        assertNull(toXsk.failure());
    }

    /** Waits until the device has finished with {@code sent} frames (the sources run on their own threads). */
    private void awaitDone(int eth, int sent) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            long done = 0;
            for (int q = 0; q < QUEUES; q++) {
                done += XdpTraffic.done(devs.rxQueue(eth, q).statistics());
            }
            if (done == sent) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("the device finished " + done + " of " + sent + " datagrams within 10 s");
            }
            Thread.onSpinWait();
        }
    }

    /** Reads the socket's RX ring: each frame checked where it lies in the UMEM, then its frame back in the FILL ring. */
    private static void drain(XdpSocket s, int q, Map<String, Integer> got, long[] frames, long[] bytes) {
        XdpRing.Consumer rx = s.ring(RingType.RX).consumer();
        int n = rx.peek(FRAMES);
        long[] back = new long[n];
        ByteBuffer umem = s.umem().buffer();
        for (int i = 0; i < n; i++) {
            long addr = rx.descAddr(rx.index() + i);
            int len = rx.descLen(rx.index() + i);
            assertEquals(0, rx.descOptions(rx.index() + i));
            ByteBuffer frame = umem.duplicate().position((int) addr).limit((int) addr + len).slice();
            UdpFrame u = UdpFrame.parse(frame, XdpTraffic.FAIL);
            assertNotNull(u);
            assertEquals(0, u.verifyChecksums(frame, XdpTraffic.FAIL), "checksums of the frame in the UMEM");
            assertEquals(Toeplitz.microsoft().queueOf(frame, QUEUES), q, "the frame's own RSS queue");
            assertNull(got.put(key(u.payload(frame)), q), "each datagram once");
            frames[q]++;
            bytes[q] += len;
            back[i] = addr;
        }
        rx.release(n);
        if (n > 0) {
            XdpTraffic.recycle(s, back);
        }
    }

    @Test
    void aSourceOnAPortTakenFailsAndAQueueOutOfRangeIsRefused() throws IOException {
        try (UdpSource a = UdpSource.open(new InetSocketAddress("127.0.0.1", 0), 1, (q, fr) -> { })) {
            assertEquals(Errno.EINVAL.ret(), devs.receive(devs.add("eth9", 1, XdpTraffic.FAIL), 1, ByteBuffer.allocate(60)));
            try {
                UdpSource.open(a.localAddress(), 1, (q, fr) -> { }).close();
                fail("a second source on " + a.localAddress());
            } catch (java.net.BindException expected) {
                // the port is the first source's
            }
        }
    }
}
