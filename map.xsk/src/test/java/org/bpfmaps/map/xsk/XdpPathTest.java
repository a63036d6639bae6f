package org.bpfmaps.map.xsk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.impl.Instance;
import org.bpfmaps.core.impl.ProgObject;
import org.bpfmaps.core.impl.XdpRun;
import org.bpfmaps.core.prog.XdpAction;
import org.bpfmaps.core.prog.XdpContext;
import org.bpfmaps.core.prog.XdpProgram;
import org.bpfmaps.core.xdp.FrameSource;
import org.bpfmaps.core.xdp.NetDevices;
import org.bpfmaps.core.xdp.RingType;
import org.bpfmaps.core.xdp.RxQueue;
import org.bpfmaps.core.xdp.RxQueueStatistics;
import org.bpfmaps.core.xdp.UmemConfig;
import org.bpfmaps.core.xdp.XdpRing;
import org.bpfmaps.core.xdp.XdpSocket;
import org.bpfmaps.core.xdp.XdpStatistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The RX path of a device: frames through its XDP program, each verdict, {@code bpf_redirect_map}
 * into an XSKMAP, zero copy into the UMEM of the socket bound to the queue (net/xdp/xsk.c's
 * {@code xsk_rcv_zc}, xsk_buff_pool.c's {@code xp_alloc} and free list), the counters of every drop,
 * {@code bpf_xdp_adjust_head}'s bounds, and the TX ring out through the device.
 */
class XdpPathTest {
    static final int FRAMES = 16;
    static final int CHUNK = 2048;
    static final int RING = 8;

    private final XskFixture f = new XskFixture();
    private final NetDevices devs = NetDevices.of(f.bpf);
    private final ErrorSink sink = (e, why, a, b) -> e.ret();
    /** eth0, three queues. */
    private final int eth = devs.add("eth0", 3, sink);
    private final List<byte[]> passed = new ArrayList<>();
    private final List<byte[]> sent = new ArrayList<>();
    private final List<Integer> passedQueues = new ArrayList<>();
    private final java.util.Map<XdpSocket, Integer> fds = new java.util.HashMap<>();

    XdpPathTest() {
        devs.onPass(eth, (ifindex, queue, frame) -> {
            passed.add(bytes(frame));
            passedQueues.add(queue);
        });
        devs.onTransmit(eth, (ifindex, queue, frame) -> sent.add(bytes(frame)));
    }

    @AfterEach
    void close() {
        f.close();
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    static ByteBuffer frame(int len, int first) {
        ByteBuffer b = ByteBuffer.allocate(len);
        for (int i = 0; i < len; i++) {
            b.put(i, (byte) (first + i));
        }
        return b;
    }

    /** An XSK socket with a UMEM of 16 frames of 2048 (headroom {@code headroom}) and rings of 8, bound to eth0's queue. */
    XdpSocket bound(int queue, int headroom) {
        return bound(queue, headroom, CHUNK);
    }

    XdpSocket bound(int queue, int headroom, int chunk) {
        return bound(queue, headroom, chunk, 0);
    }

    XdpSocket bound(int queue, int headroom, int chunk, int bindFlags) {
        int fd = XdpSocket.open(f.bpf, sink);
        XdpSocket s = XdpSocket.byFd(f.bpf, fd);
        assertEquals(0, s.registerUmem(new UmemConfig(FRAMES * chunk, chunk, headroom, 0, 0), sink));
        for (RingType t : RingType.values()) {
            assertEquals(0, s.createRing(t, RING, sink));
        }
        assertEquals(0, s.bind(eth, queue, bindFlags, 0, sink));
        fds.put(s, fd);
        return s;
    }

    int fd(XdpSocket s) {
        return fds.get(s);
    }

    static void fill(XdpSocket s, long... addrs) {
        XdpRing.Producer p = s.ring(RingType.FILL).producer();
        assertEquals(addrs.length, p.reserve(addrs.length));
        for (int i = 0; i < addrs.length; i++) {
            p.addr(p.index() + i, addrs[i]);
        }
        p.submit(addrs.length);
    }

    /** Loads an XDP program holding {@code maps} and runs it on eth0. */
    ProgObject attach(XdpProgram code, int... maps) {
        ProgLoadAttr a = new ProgLoadAttr(ProgType.XDP, code).maps(maps);
        int fd = f.bpf.bpf(BpfCmd.PROG_LOAD, a);
        assertTrue(fd >= 3, a.errorMessage());
        ProgObject p = (ProgObject) ((Instance) f.bpf).table().get(fd);
        ((Instance) f.bpf).deviceXdp().set(eth, p);
        return p;
    }

    RxQueue q(int queue) {
        RxQueue q = devs.rxQueue(eth, queue);
        assertNotNull(q);
        return q;
    }

    @Test
    void withoutAProgramFramesPassToTheStack() {
        ByteBuffer in = frame(60, 1);
        assertEquals(XdpAction.XDP_PASS, devs.receive(eth, 2, in));
        assertEquals(0, in.position(), "the caller's buffer is left as it was");
        assertEquals(1, passed.size());
        assertArrayEquals(bytes(frame(60, 1)), passed.get(0));
        assertEquals(List.of(2), passedQueues);
        assertEquals(new RxQueueStatistics(1, 60, 1, 0, 0, 0, 0, 0, 0, 0), q(2).statistics());
        assertEquals(Errno.ENODEV.ret(), devs.receive(99, 0, in));
        assertEquals(Errno.EINVAL.ret(), devs.receive(eth, 3, in), "eth0 has queues 0 to 2");
        assertNull(devs.rxQueue(eth, -1));
        assertSame(q(1), q(1));
    }

    /** The first byte of each frame is the verdict the program returns; 0xff throws. */
    @Test
    void everyVerdictAndItsCounter() {
        ProgObject p = attach(ctx -> {
            int v = ctx.frame().get(ctx.data()) & 0xff;
            if (v == 0xff) {
                throw new IllegalStateException("a program's bug");
            }
            return v;
        });
        for (int queue : new int[] {0}) {
            assertEquals(XdpAction.XDP_DROP, devs.receive(eth, queue, frame(60, XdpAction.XDP_DROP)));
            assertEquals(XdpAction.XDP_PASS, devs.receive(eth, queue, frame(61, XdpAction.XDP_PASS)));
            assertEquals(XdpAction.XDP_TX, devs.receive(eth, queue, frame(62, XdpAction.XDP_TX)));
            assertEquals(XdpAction.XDP_ABORTED, devs.receive(eth, queue, frame(63, XdpAction.XDP_ABORTED)));
            assertEquals(XdpAction.XDP_ABORTED, devs.receive(eth, queue, frame(64, 7)), "unknown: aborted");
            assertEquals(XdpAction.XDP_ABORTED, devs.receive(eth, queue, frame(65, 0xff)), "a throw: aborted");
            assertEquals(Errno.EINVAL.ret(), devs.receive(eth, queue, frame(66, XdpAction.XDP_REDIRECT)),
                    "XDP_REDIRECT with no redirect chosen: xdp_do_redirect fails");
        }
        assertEquals(1, passed.size());
        assertArrayEquals(bytes(frame(61, XdpAction.XDP_PASS)), passed.get(0));
        assertEquals(1, sent.size());
        assertArrayEquals(bytes(frame(62, XdpAction.XDP_TX)), sent.get(0));
        long bytes = 60 + 61 + 62 + 63 + 64 + 65 + 66;
        assertEquals(new RxQueueStatistics(7, bytes, 1, 1, 1, 0, 3, 1, 0, 0), q(0).statistics());
        assertEquals(1, p.aborted(), "the throw is the program's aborted run");
        // the thread lives on and so does the queue
        assertEquals(XdpAction.XDP_PASS, devs.receive(eth, 0, frame(60, XdpAction.XDP_PASS)));
        // an Error a program throws is no more fatal
        attach(ctx -> {
            throw new AssertionError("not a RuntimeException");
        });
        assertEquals(XdpAction.XDP_ABORTED, devs.receive(eth, 0, frame(60, 0)));
        // too long for the queue's own page
        assertEquals(Errno.ENOSPC.ret(), devs.receive(eth, 1, ByteBuffer.allocate(RxQueue.MAX_FRAME + 1)));
        assertEquals(1, q(1).statistics().oversize());
    }

    /**
     * The frame is written once into the UMEM frame the FILL ring gave; the program's context is a
     * view of the UMEM, the same buffer for every frame; the consumer's RX descriptor points at the
     * bytes the program wrote, after adjust_head.
     */
    @Test
    void zeroCopyIntoTheSocketOfTheQueue() {
        XdpSocket s = bound(1, 128);
        int map = f.xskmap(4);
        assertEquals(0, f.update(map, 1, fd(s), 0));
        List<ByteBuffer> seen = new ArrayList<>();
        attach(ctx -> {
            seen.add(ctx.frame());
            ctx.frame().put(ctx.data() + 14, (byte) 0x5a); // the program writes in place
            ctx.adjustHead(14); // strips the Ethernet header
            return ctx.redirectMap(0, ctx.rxQueueIndex(), XdpAction.XDP_PASS);
        }, map);
        fill(s, 3 * CHUNK, 5 * CHUNK + 7); // an address anywhere in a chunk stands for the chunk
        assertEquals(XdpAction.XDP_REDIRECT, devs.receive(eth, 1, frame(100, 0)));
        assertEquals(XdpAction.XDP_REDIRECT, devs.receive(eth, 1, frame(200, 50)));
        assertSame(seen.get(0), seen.get(1), "one view of the UMEM, not a buffer per frame");

        XdpRing.Consumer rx = s.ring(RingType.RX).consumer();
        ByteBuffer umem = s.umem().buffer();
        assertEquals(2, rx.peek(2));
        long at = rx.descAddr(rx.index());
        assertEquals(3 * CHUNK + 128 + 256 + 14, at, "chunk + headroom + XDP_PACKET_HEADROOM + the adjust");
        assertEquals(100 - 14, rx.descLen(rx.index()));
        assertEquals(0x5a, umem.get((int) at), "the byte the program wrote, where the consumer reads it");
        assertEquals(15, umem.get((int) at + 1));
        assertEquals(5 * CHUNK + 128 + 256 + 14, rx.descAddr(rx.index() + 1));
        assertEquals(200 - 14, rx.descLen(rx.index() + 1));
        rx.release(2);
        assertEquals(new RxQueueStatistics(2, 300, 0, 0, 0, 2, 0, 0, 0, 0), q(1).statistics());
        assertEquals(new XdpStatistics(0, 0, 0, 0, 0, 0), s.statistics());
        assertTrue(passed.isEmpty());
    }

    /**
     * With a socket on the queue a frame needs a buffer before the program runs: the FILL ring
     * empty (and no recycled buffer) drops it, XDP_PASS traffic included, counted once per attempt
     * in rx_fill_ring_empty_descs. A passed frame's buffer goes back to the pool (xsk_buff_free),
     * which the next frame takes before the FILL ring.
     */
    @Test
    void anEmptyFillRingDropsEveryFrameAndRecycledBuffersComeFirst() {
        XdpSocket s = bound(0, 0);
        attach(ctx -> XdpAction.XDP_PASS);
        assertEquals(Errno.ENOMEM.ret(), devs.receive(eth, 0, frame(60, 0)));
        assertEquals(Errno.ENOMEM.ret(), devs.receive(eth, 0, frame(60, 0)));
        assertTrue(passed.isEmpty(), "dropped before the program");
        assertEquals(2, s.statistics().rxFillRingEmptyDescs());
        assertEquals(0, s.statistics().rxDropped(), "the driver's drop, not the socket's");
        assertEquals(2, q(0).statistics().noBuffer());

        fill(s, 2 * CHUNK);
        for (int i = 0; i < 5; i++) {
            assertEquals(XdpAction.XDP_PASS, devs.receive(eth, 0, frame(60, i)));
            assertArrayEquals(bytes(frame(60, i)), passed.get(i), "copied out for the stack");
        }
        XdpRing fillRing = s.ring(RingType.FILL);
        assertEquals(1, fillRing.consumerIndex(), "one FILL entry taken; the rest from the free list");
        assertEquals(2, s.statistics().rxFillRingEmptyDescs());

        // an address outside the UMEM is skipped and counted on the FILL ring
        attach(ctx -> XdpAction.XDP_DROP);
        assertEquals(XdpAction.XDP_DROP, devs.receive(eth, 0, frame(60, 0)));
        assertEquals(1, fillRing.consumerIndex(), "a dropped frame's buffer is recycled too");
    }

    @Test
    void aFullRxRingDropsAndRecyclesTheBuffer() {
        XdpSocket s = bound(0, 0);
        int map = f.xskmap(1);
        assertEquals(0, f.update(map, 0, fd(s), 0));
        attach(ctx -> ctx.redirectMap(0, 0, 0), map);
        long[] all = new long[RING];
        for (int i = 0; i < RING; i++) {
            all[i] = (long) i * CHUNK;
        }
        fill(s, all);
        for (int i = 0; i < RING; i++) {
            assertEquals(XdpAction.XDP_REDIRECT, devs.receive(eth, 0, frame(60, i)));
        }
        fill(s, 8L * CHUNK, 9L * CHUNK);
        assertEquals(Errno.ENOBUFS.ret(), devs.receive(eth, 0, frame(60, 0)), "the RX ring holds 8");
        assertEquals(1, s.statistics().rxRingFull());
        assertEquals(1, q(0).statistics().redirectErrors());
        assertEquals(RING + 1, s.ring(RingType.FILL).consumerIndex());

        XdpRing.Consumer rx = s.ring(RingType.RX).consumer();
        assertEquals(1, rx.peek(1));
        rx.release(1);
        assertEquals(XdpAction.XDP_REDIRECT, devs.receive(eth, 0, frame(60, 0)));
        assertEquals(RING + 1, s.ring(RingType.FILL).consumerIndex(), "the dropped frame's buffer came back first");
        assertEquals(RING - 1, rx.peek(RING), "seven left (the consumer's cached producer index)");
        assertEquals(1, rx.peek(RING), "and the new one");
    }

    /** xsk_rcv_check: a socket bound to another queue (or none bound here) is EINVAL, counted on no socket. */
    @Test
    void aSocketOfAnotherQueueIsNoTarget() {
        XdpSocket here = bound(0, 0);
        XdpSocket other = bound(1, 0);
        int map = f.xskmap(2);
        assertEquals(0, f.update(map, 0, fd(here), 0));
        assertEquals(0, f.update(map, 1, fd(other), 0));
        attach(ctx -> ctx.redirectMap(0, 1, 0), map);
        fill(here, 0);
        fill(other, 0);
        assertEquals(Errno.EINVAL.ret(), devs.receive(eth, 0, frame(60, 0)));
        assertEquals(Errno.EINVAL.ret(), devs.receive(eth, 2, frame(60, 0)), "queue 2 has no socket");
        assertEquals(new XdpStatistics(0, 0, 0, 0, 0, 0), other.statistics());
        assertEquals(0, other.ring(RingType.RX).producerIndex());
        assertEquals(1, q(0).statistics().redirectErrors());
        assertEquals(1, q(2).statistics().redirectErrors());
        assertEquals(XdpAction.XDP_REDIRECT, devs.receive(eth, 1, frame(60, 0)), "on its own queue it receives");
    }

    /** __bpf_xdp_redirect_map: the flags' low two bits answer a failed lookup; any other bit aborts. */
    @Test
    void redirectMapFlags() {
        int map = f.xskmap(2);
        int[] flags = {0};
        int[] key = {0};
        attach(ctx -> ctx.redirectMap(0, key[0], flags[0]), map);
        flags[0] = XdpAction.XDP_PASS;
        assertEquals(XdpAction.XDP_PASS, devs.receive(eth, 0, frame(60, 0)), "empty slot");
        key[0] = 2;
        flags[0] = XdpAction.XDP_DROP;
        assertEquals(XdpAction.XDP_DROP, devs.receive(eth, 0, frame(60, 0)), "out of range");
        key[0] = -1;
        flags[0] = XdpAction.XDP_TX;
        assertEquals(XdpAction.XDP_TX, devs.receive(eth, 0, frame(60, 0)), "a u32 index: out of range");
        flags[0] = 4;
        assertEquals(XdpAction.XDP_ABORTED, devs.receive(eth, 0, frame(60, 0)), "BPF_F_BROADCAST: not XSKMAP's");
        flags[0] = 1 << 20 | XdpAction.XDP_PASS;
        assertEquals(XdpAction.XDP_ABORTED, devs.receive(eth, 0, frame(60, 0)));

        // a detached map (its provider being updated) reads as empty slots: the flags' action
        XdpSocket s = bound(0, 0);
        assertEquals(0, f.update(map, 0, fd(s), 0));
        fill(s, 0, CHUNK);
        key[0] = 0;
        flags[0] = XdpAction.XDP_DROP;
        assertEquals(XdpAction.XDP_REDIRECT, devs.receive(eth, 0, frame(60, 0)));
        f.runtime.removeProvider(f.provider);
        assertEquals(XdpAction.XDP_DROP, devs.receive(eth, 0, frame(60, 0)), "detached: as an empty slot");
        f.runtime.addProvider(new XskMapProvider(), 0, "1.0.1");
        assertEquals(XdpAction.XDP_REDIRECT, devs.receive(eth, 0, frame(60, 0)), "the same socket again");
        assertEquals(2, s.ring(RingType.RX).producerIndex());
        // a closed socket's slot is emptied
        assertEquals(0, f.bpf.close(fd(s)));
        assertEquals(XdpAction.XDP_DROP, devs.receive(eth, 0, frame(60, 0)));
    }

    /**
     * bpf_xdp_adjust_head: the start may go down to data_hard_start + sizeof(struct xdp_frame) (40)
     * and up to data_end - ETH_HLEN; beyond, -EINVAL and the frame unchanged. In the UMEM the hard
     * start is the chunk plus the UMEM's headroom; in the queue's own page, its start.
     */
    @Test
    void adjustHeadBounds() {
        int[] got = new int[6];
        XdpProgram probe = ctx -> {
            int data = ctx.data();
            got[0] = ctx.adjustHead(-(headroom() - XdpRun.XDP_FRAME_SIZE) - 1);
            got[1] = ctx.data() - data;
            got[2] = ctx.adjustHead(-(headroom() - XdpRun.XDP_FRAME_SIZE));
            got[3] = ctx.adjustHead(headroom() - XdpRun.XDP_FRAME_SIZE + (ctx.dataEnd() - data) - 14 + 1);
            got[4] = ctx.adjustHead(headroom() - XdpRun.XDP_FRAME_SIZE + (ctx.dataEnd() - data) - 14);
            got[5] = ctx.dataEnd() - ctx.data();
            return XdpAction.XDP_PASS;
        };
        attach(probe);
        int[] expect = {Errno.EINVAL.ret(), 0, 0, Errno.EINVAL.ret(), 0, 14};
        assertEquals(XdpAction.XDP_PASS, devs.receive(eth, 2, frame(60, 0)));
        assertArrayEquals(expect, got, "the queue's own page");
        assertArrayEquals(new byte[] {46, 47, 48}, java.util.Arrays.copyOf(passed.get(0), 3),
                "passed from the adjusted start: byte 46 on");
        assertEquals(14, passed.get(0).length);

        XdpSocket s = bound(0, 512);
        fill(s, CHUNK);
        assertEquals(XdpAction.XDP_PASS, devs.receive(eth, 0, frame(60, 0)));
        assertArrayEquals(expect, got, "a UMEM frame with headroom 512: the same room before the packet");
    }

    /** The largest frame a page-sized chunk takes, grown by the whole headroom, is copied out whole for the stack. */
    @Test
    void theLargestGrownFramePassesWhole() {
        XdpSocket s = bound(0, 0, 4096);
        fill(s, 0);
        attach(ctx -> ctx.adjustHead(-(headroom() - XdpRun.XDP_FRAME_SIZE)) == 0 ? XdpAction.XDP_PASS
                : XdpAction.XDP_DROP);
        int len = 4096 - headroom();
        assertEquals(XdpAction.XDP_PASS, devs.receive(eth, 0, frame(len, 1)));
        assertEquals(len + headroom() - XdpRun.XDP_FRAME_SIZE, passed.get(0).length);
        assertEquals(Errno.ENOSPC.ret(), devs.receive(eth, 0, frame(len + 1, 1)), "over the UMEM frame");
        assertEquals(1, q(0).statistics().oversize());
    }

    private static int headroom() {
        return org.bpfmaps.core.xdp.Umem.XDP_PACKET_HEADROOM;
    }

    /** poll(POLLIN): a reader waiting for its RX ring is woken by the redirect that fills it, not by its timeout. */
    @Test
    void pollRxWakesWhenAFrameArrives() throws Exception {
        XdpSocket s = bound(0, 0);
        int map = f.xskmap(1);
        assertEquals(0, f.update(map, 0, fd(s), 0));
        attach(ctx -> ctx.redirectMap(0, 0, 0), map);
        fill(s, 0);
        assertEquals(false, s.pollRx(1_000_000), "an empty RX ring: the timeout");
        long[] waited = {-1};
        boolean[] got = {false};
        Thread reader = new Thread(() -> {
            long t0 = System.nanoTime();
            got[0] = s.pollRx(java.util.concurrent.TimeUnit.SECONDS.toNanos(20));
            waited[0] = System.nanoTime() - t0;
        });
        reader.start();
        assertEquals(XdpAction.XDP_REDIRECT, devs.receive(eth, 0, frame(60, 0)));
        reader.join(30_000);
        assertTrue(got[0]);
        assertTrue(waited[0] >= 0 && waited[0] < java.util.concurrent.TimeUnit.SECONDS.toNanos(10),
                "woken, not timed out: " + waited[0] + " ns");
        assertTrue(s.pollRx(0), "a descriptor there: at once");
    }

    /** sendto(): the TX ring goes out through the device's TX listener, the addresses come back in COMPLETION. */
    @Test
    void theTxRingGoesOutThroughTheDevice() {
        XdpSocket s = bound(2, 0);
        ByteBuffer umem = s.umem().buffer();
        umem.put(4 * CHUNK + 10, frame(70, 9), 0, 70);
        XdpRing.Producer tx = s.ring(RingType.TX).producer();
        assertEquals(2, tx.reserve(2));
        tx.desc(tx.index(), 4 * CHUNK + 10, 70, 0);
        tx.desc(tx.index() + 1, (long) FRAMES * CHUNK, 10, 0); // outside the UMEM: invalid
        tx.submit(2);
        assertEquals(1, s.kick());
        assertEquals(1, sent.size());
        assertArrayEquals(bytes(frame(70, 9)), sent.get(0));
        XdpRing.Consumer done = s.ring(RingType.COMPLETION).consumer();
        assertEquals(1, done.peek(RING));
        assertEquals(4 * CHUNK + 10, done.addr(done.index()));
        assertEquals(1, s.statistics().txInvalidDescs());
        assertEquals(0, s.kick(), "nothing left");

        int fd = XdpSocket.open(f.bpf, sink);
        assertEquals(Errno.ENXIO.ret(), XdpSocket.byFd(f.bpf, fd).kick(), "not bound");
    }

    /** The generator of the poll tests: frames of 60, 61, ... bytes; {@code taken[0]} counts those taken. */
    static FrameSource frames(int[] taken) {
        return () -> frame(60 + taken[0], taken[0]++);
    }

    /**
     * A NAPI poll: its descriptors are published in the RX ring once, at its end (no program run
     * of the poll sees one of them), its FILL slots handed back then; it stops at the first frame
     * without a buffer, which stays with the source, counted once in queue_empty_descs, and sets
     * the FILL ring's need_wakeup, which the next poll that finds buffers clears.
     */
    @Test
    void aPollPublishesOnceAndStopsWhenTheFillRingRunsDry() {
        XdpSocket s = bound(0, 0, CHUNK, XdpSocket.XDP_USE_NEED_WAKEUP);
        int map = f.xskmap(1);
        assertEquals(0, f.update(map, 0, fd(s), 0));
        XdpRing rxRing = s.ring(RingType.RX);
        XdpRing fillRing = s.ring(RingType.FILL);
        List<Integer> published = new ArrayList<>();
        attach(ctx -> {
            published.add(rxRing.producerIndex());
            return ctx.redirectMap(0, 0, XdpAction.XDP_DROP);
        }, map);
        fill(s, 0, CHUNK, 2 * CHUNK, 3 * CHUNK, 4 * CHUNK);
        int[] taken = {0};
        FrameSource src = frames(taken);

        assertEquals(3, q(0).receive(src, 3), "the budget");
        assertEquals(List.of(0, 0, 0), published, "nothing published while the poll runs");
        assertEquals(3, rxRing.producerIndex());
        assertEquals(3, fillRing.consumerIndex(), "the FILL slots handed back at the flush");
        assertEquals(0, fillRing.flags() & XdpRing.NEED_WAKEUP);

        assertEquals(2, q(0).receive(src, 64), "two buffers left: the poll stops");
        assertEquals(5, taken[0], "the frame without a buffer stays with the source");
        assertEquals(1, fillRing.emptyDescs(), "rx_fill_ring_empty_descs, once");
        assertEquals(XdpRing.NEED_WAKEUP, fillRing.flags() & XdpRing.NEED_WAKEUP, "the device asks for a wakeup");
        assertEquals(new RxQueueStatistics(5, 60 + 61 + 62 + 63 + 64, 0, 0, 0, 5, 0, 0, 0, 0), q(0).statistics());

        XdpRing.Consumer rx = rxRing.consumer();
        assertEquals(5, rx.peek(8));
        for (int i = 0; i < 5; i++) {
            assertEquals(60 + i, rx.descLen(rx.index() + i));
            assertEquals(i, s.umem().buffer().get((int) rx.descAddr(rx.index() + i)), "frame " + i + " in order");
        }
        rx.release(5);
        fill(s, CHUNK);
        assertTrue(fillRing.producer().needsWakeup());
        assertEquals(1, q(0).receive(src, 1));
        assertEquals(0, fillRing.flags() & XdpRing.NEED_WAKEUP, "a poll that found buffers clears it");
        assertEquals(0, q(0).receive(() -> null, 64), "no frame waiting");
        assertThrows(IllegalArgumentException.class, () -> q(0).receive(src, 0));
    }

    /** A poll on a queue without a socket: every frame through the program, the verdicts counted. */
    @Test
    void aPollWithoutASocketPassesAndDrops() {
        attach(ctx -> (ctx.dataEnd() - ctx.data()) % 2 == 0 ? XdpAction.XDP_PASS : XdpAction.XDP_DROP);
        int[] taken = {0};
        FrameSource src = () -> taken[0] < 4 ? frame(60 + taken[0], taken[0]++) : null;
        assertEquals(4, q(2).receive(src, 64), "until the source has none");
        assertEquals(2, passed.size());
        assertEquals(62, passed.get(1).length);
        assertEquals(new RxQueueStatistics(4, 60 + 61 + 62 + 63, 2, 2, 0, 0, 0, 0, 0, 0), q(2).statistics());
    }

    /**
     * need_wakeup: a device asleep in awaitFill after a dry poll is woken by the application's
     * wakeupRx (recvfrom) after it gave a frame back, not by its timeout.
     */
    @Test
    void theDeviceSleepsUntilTheApplicationGivesAFrameBack() throws Exception {
        XdpSocket s = bound(0, 0, CHUNK, XdpSocket.XDP_USE_NEED_WAKEUP);
        int map = f.xskmap(1);
        assertEquals(0, f.update(map, 0, fd(s), 0));
        attach(ctx -> ctx.redirectMap(0, 0, 0), map);
        int[] taken = {0};
        assertEquals(0, q(0).receive(frames(taken), 8));
        assertEquals(false, q(0).awaitFill(1_000_000), "no buffer: the timeout");
        long[] waited = {-1};
        boolean[] got = {false};
        Thread device = new Thread(() -> {
            long t0 = System.nanoTime();
            got[0] = q(0).awaitFill(java.util.concurrent.TimeUnit.SECONDS.toNanos(20));
            waited[0] = System.nanoTime() - t0;
        });
        device.start();
        for (int i = 0; i < 20_000 && device.getState() != Thread.State.TIMED_WAITING; i++) {
            Thread.onSpinWait(); // until it is asleep, so that only the wakeup can end its wait early
            Thread.yield();
        }
        XdpRing.Producer p = s.ring(RingType.FILL).producer();
        assertEquals(1, p.reserve(1));
        p.addr(p.index(), 0);
        p.submit(1);
        assertTrue(p.needsWakeup(), "the dry poll asked for it");
        s.wakeupRx();
        device.join(30_000);
        assertTrue(got[0]);
        assertTrue(waited[0] >= 0 && waited[0] < java.util.concurrent.TimeUnit.SECONDS.toNanos(10),
                "woken, not timed out: " + waited[0] + " ns");
        assertEquals(1, q(0).receive(frames(taken), 8));
    }

    /**
     * A program detached (and its fd and its map's fd closed) while a poll runs it: the poll's
     * reference keeps it and the XSKMAP it holds alive until the poll ends, so that its redirect
     * still finds the socket (the kernel's RCU grace period); the program is freed when the poll
     * ends.
     */
    @Test
    void aDetachedProgramAndItsMapsLiveUntilThePollRunningItEnds() throws Exception {
        XdpSocket s = bound(0, 0);
        int map = f.xskmap(1);
        assertEquals(0, f.update(map, 0, fd(s), 0));
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        XdpProgram code = ctx -> {
            running.countDown();
            try {
                go.await(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ctx.redirectMap(0, 0, XdpAction.XDP_DROP);
        };
        ProgLoadAttr a = new ProgLoadAttr(ProgType.XDP, code).maps(map);
        int prog = f.bpf.bpf(BpfCmd.PROG_LOAD, a);
        assertTrue(prog >= 3, a.errorMessage());
        ProgObject p = (ProgObject) ((Instance) f.bpf).table().get(prog);
        assertEquals(0, org.bpfmaps.core.xdp.XdpAttach.attach(f.bpf, eth, prog, 0,
                org.bpfmaps.core.xdp.XdpAttach.NO_EXPECTED_FD, sink));
        fill(s, 0);
        int[] verdict = {Integer.MIN_VALUE};
        Thread rxThread = new Thread(() -> verdict[0] = devs.receive(eth, 0, frame(60, 0)));
        rxThread.start();
        assertTrue(running.await(20, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, org.bpfmaps.core.xdp.XdpAttach.detach(f.bpf, eth, 0, sink));
        assertEquals(0, f.bpf.close(prog));
        assertEquals(0, f.bpf.close(map));
        assertTrue(p.refCount() > 0, "the running poll's reference");
        go.countDown();
        rxThread.join(30_000);
        assertEquals(XdpAction.XDP_REDIRECT, verdict[0], "the XSKMAP the program holds was still there");
        assertEquals(1, s.ring(RingType.RX).producerIndex());
        assertEquals(0, p.refCount(), "freed when the poll ended");
        fill(s, CHUNK);
        assertEquals(XdpAction.XDP_PASS, devs.receive(eth, 0, frame(60, 0)), "no program now");
    }

    /**
     * The device and the application on two threads, as many UMEM frames as the FILL ring holds:
     * a frame the application sees in its RX ring always finds its FILL slot free (a poll hands
     * its FILL slots back before it publishes the descriptors), and no frame is lost or doubled.
     */
    @Test
    void whatTheApplicationReceivesItCanAlwaysGiveBack() throws Exception {
        XdpSocket s = bound(0, 0, CHUNK, XdpSocket.XDP_USE_NEED_WAKEUP);
        int map = f.xskmap(1);
        assertEquals(0, f.update(map, 0, fd(s), 0));
        attach(ctx -> ctx.redirectMap(0, 0, XdpAction.XDP_DROP), map);
        long[] chunks = new long[RING];
        for (int i = 0; i < RING; i++) {
            chunks[i] = (long) i * CHUNK;
        }
        fill(s, chunks);
        final int total = 100_000;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        ByteBuffer frame = frame(64, 0);
        int[] sent = {0};
        Thread device = new Thread(() -> {
            FrameSource src = () -> sent[0] < total ? frame : null;
            while (sent[0] < total && System.nanoTime() < deadline) {
                int before = sent[0];
                q(0).receive(() -> {
                    ByteBuffer b = src.next();
                    if (b != null) {
                        sent[0]++;
                    }
                    return b;
                }, 4);
                if (sent[0] == before) {
                    q(0).awaitFill(1_000_000);
                }
            }
        });
        device.start();
        XdpRing.Consumer rx = s.ring(RingType.RX).consumer();
        XdpRing.Producer fq = s.ring(RingType.FILL).producer();
        int received = 0;
        int short_ = 0;
        while (received < total && System.nanoTime() < deadline) {
            int n = rx.peek(RING);
            if (n == 0) {
                s.pollRx(1_000_000);
                continue;
            }
            if (fq.reserve(n) != n) {
                short_++;
                rx.cancel(n);
                continue;
            }
            for (int k = 0; k < n; k++) {
                fq.addr(fq.index() + k, rx.descAddr(rx.index() + k));
            }
            rx.release(n);
            fq.submit(n);
            received += n;
            if (fq.needsWakeup()) {
                s.wakeupRx();
            }
        }
        device.join(30_000);
        assertEquals(0, short_, "times a received frame found no free FILL slot");
        assertEquals(total, received);
        assertEquals(total, q(0).statistics().redirect());
    }
}
