package org.bpfmaps.map.xsk;

import static org.bpfmaps.testsupport.Allocation.assertNoAllocation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.impl.Instance;
import org.bpfmaps.core.impl.ProgObject;
import org.bpfmaps.core.prog.XdpAction;
import org.bpfmaps.core.prog.XdpProgram;
import org.bpfmaps.core.xdp.NetDevices;
import org.bpfmaps.core.xdp.RingType;
import org.bpfmaps.core.xdp.RxQueue;
import org.bpfmaps.core.xdp.UmemConfig;
import org.bpfmaps.core.xdp.XdpRing;
import org.bpfmaps.core.xdp.XdpSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The whole path allocates nothing per frame in steady state: a frame into the queue, the XDP
 * program (reading and writing the frame, redirect_map into the XSKMAP), the RX descriptor, the
 * consumer reading it and giving the frame back through the FILL ring; and the pass path, whose
 * listener gets the device's buffer. Measured with the JVM's per-thread allocation counter.
 */
class XdpAllocationTest {
    private final XskFixture f = new XskFixture();
    private final ErrorSink sink = (e, why, a, b) -> e.ret();
    private final NetDevices devs = NetDevices.of(f.bpf);
    private final int eth = devs.add("eth0", 2, sink);

    @AfterEach
    void close() {
        f.close();
    }

    private void attach(XdpProgram code, int... maps) {
        ProgLoadAttr a = new ProgLoadAttr(ProgType.XDP, code).maps(maps);
        int fd = f.bpf.bpf(BpfCmd.PROG_LOAD, a);
        assertTrue(fd >= 3, a.errorMessage());
        ((Instance) f.bpf).deviceXdp().set(eth, (ProgObject) ((Instance) f.bpf).table().get(fd));
    }

    @Test
    void deviceToXskAndBackThroughTheFillRingDoesNotAllocate() {
        int fd = XdpSocket.open(f.bpf, sink);
        XdpSocket s = XdpSocket.byFd(f.bpf, fd);
        assertEquals(0, s.registerUmem(UmemConfig.of(64, 2048), sink));
        for (RingType t : RingType.values()) {
            assertEquals(0, s.createRing(t, 64, sink));
        }
        assertEquals(0, s.bind(eth, 1, 0, 0, sink));
        int map = f.xskmap(2);
        assertEquals(0, f.update(map, 1, fd, 0));
        attach(ctx -> {
            ByteBuffer b = ctx.frame();
            b.put(ctx.data(), (byte) (b.get(ctx.data()) + 1));
            return ctx.redirectMap(0, ctx.rxQueueIndex(), XdpAction.XDP_DROP);
        }, map);
        XdpRing.Producer fill = s.ring(RingType.FILL).producer();
        XdpRing.Consumer rx = s.ring(RingType.RX).consumer();
        assertEquals(32, fill.reserve(32));
        for (int i = 0; i < 32; i++) {
            fill.addr(fill.index() + i, i * 2048L);
        }
        fill.submit(32);
        RxQueue q = devs.rxQueue(eth, 1);
        ByteBuffer frame = ByteBuffer.allocateDirect(64);
        ByteBuffer umem = s.umem().buffer();
        long[] sum = {0};
        assertNoAllocation("device -> XDP -> XSKMAP -> RX ring -> FILL ring", () -> {
            for (int i = 0; i < 200_000; i++) {
                assertEquals(XdpAction.XDP_REDIRECT, q.receive(frame));
                assertEquals(1, rx.peek(1));
                long addr = rx.descAddr(rx.index());
                sum[0] += umem.get((int) addr);
                rx.release(1);
                assertEquals(1, fill.reserve(1));
                fill.addr(fill.index(), addr);
                fill.submit(1);
            }
        });
        assertEquals(3 * 200_000, sum[0], "the program's write, read by the consumer in the UMEM");
    }

    /** The same path in NAPI polls of 32 frames, the consumer working in batches as libxdp's do. */
    @Test
    void pollsDoNotAllocate() {
        int fd = XdpSocket.open(f.bpf, sink);
        XdpSocket s = XdpSocket.byFd(f.bpf, fd);
        assertEquals(0, s.registerUmem(UmemConfig.of(64, 2048), sink));
        for (RingType t : RingType.values()) {
            assertEquals(0, s.createRing(t, 64, sink));
        }
        assertEquals(0, s.bind(eth, 0, XdpSocket.XDP_USE_NEED_WAKEUP, 0, sink));
        int map = f.xskmap(1);
        assertEquals(0, f.update(map, 0, fd, 0));
        attach(ctx -> ctx.redirectMap(0, ctx.rxQueueIndex(), XdpAction.XDP_DROP), map);
        XdpRing.Producer fill = s.ring(RingType.FILL).producer();
        XdpRing.Consumer rx = s.ring(RingType.RX).consumer();
        assertEquals(32, fill.reserve(32));
        for (int i = 0; i < 32; i++) {
            fill.addr(fill.index() + i, i * 2048L);
        }
        fill.submit(32);
        RxQueue q = devs.rxQueue(eth, 0);
        ByteBuffer frame = ByteBuffer.allocateDirect(64);
        org.bpfmaps.core.xdp.FrameSource src = () -> frame;
        long[] frames = {0};
        assertNoAllocation("NAPI polls -> XDP -> XSKMAP -> RX ring -> FILL ring", () -> {
            for (int i = 0; i < 10_000; i++) {
                assertEquals(32, q.receive(src, 64), "the FILL ring's 32 frames");
                int n = rx.peek(64);
                assertEquals(32, n);
                assertEquals(n, fill.reserve(n));
                for (int k = 0; k < n; k++) {
                    fill.addr(fill.index() + k, rx.descAddr(rx.index() + k));
                }
                rx.release(n);
                fill.submit(n);
                frames[0] += n;
                if (fill.needsWakeup()) {
                    s.wakeupRx();
                }
            }
        });
        assertEquals(3 * 10_000 * 32L, frames[0]);
    }

    @Test
    void passingToTheStackDoesNotAllocate() {
        long[] bytes = {0};
        devs.onPass(eth, (ifindex, queue, b) -> bytes[0] += b.remaining());
        attach(ctx -> ctx.adjustHead(14) == 0 ? XdpAction.XDP_PASS : XdpAction.XDP_DROP);
        RxQueue q = devs.rxQueue(eth, 0);
        ByteBuffer frame = ByteBuffer.allocateDirect(1500);
        assertNoAllocation("device -> XDP -> pass listener", () -> {
            for (int i = 0; i < 200_000; i++) {
                q.receive(frame);
            }
        });
        assertEquals(3L * 200_000 * (1500 - 14), bytes[0]);
    }
}
