package org.bpfmaps.map.xsk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.prog.XdpAction;
import org.bpfmaps.core.prog.XdpProgram;
import org.bpfmaps.core.xdp.RingType;
import org.bpfmaps.core.xdp.RxQueueStatistics;
import org.bpfmaps.core.xdp.UmemConfig;
import org.bpfmaps.core.xdp.XdpAttach;
import org.bpfmaps.core.xdp.XdpRing;
import org.bpfmaps.core.xdp.XdpSocket;

/** What the real-traffic tests share: sockets set up as an application does, programs attached as bpftool does. */
final class XdpTraffic {
    private XdpTraffic() {
    }

    static final ErrorSink FAIL = (e, why, a, b) -> {
        throw new AssertionError(e + ": " + String.format(why, a, b));
    };

    /**
     * An XSK socket with {@code frames} frames of {@code chunk} bytes and rings of {@code ring}, bound to
     * the device's queue, every frame in its FILL ring (the application gives the device all it has).
     */
    static int socket(Bpf bpf, int ifindex, int queue, int frames, int chunk, int ring) {
        int fd = XdpSocket.open(bpf, FAIL);
        XdpSocket s = XdpSocket.byFd(bpf, fd);
        assertEquals(0, s.registerUmem(UmemConfig.of(frames, chunk), FAIL));
        for (RingType t : RingType.values()) {
            assertEquals(0, s.createRing(t, ring, FAIL));
        }
        assertEquals(0, s.bind(ifindex, queue, 0, 0, FAIL));
        XdpRing.Producer fill = s.ring(RingType.FILL).producer();
        assertEquals(frames, fill.reserve(frames));
        for (int i = 0; i < frames; i++) {
            fill.addr(fill.index() + i, (long) i * chunk);
        }
        fill.submit(frames);
        return fd;
    }

    /** Gives frames back to the device: their addresses (anywhere in a frame) into the FILL ring. */
    static void recycle(XdpSocket s, long... addrs) {
        XdpRing.Producer fill = s.ring(RingType.FILL).producer();
        assertEquals(addrs.length, fill.reserve(addrs.length), "the FILL ring has room for the frames it gave");
        long mask = ~(long) (s.umem().chunkSize() - 1);
        for (int i = 0; i < addrs.length; i++) {
            fill.addr(fill.index() + i, addrs[i] & mask);
        }
        fill.submit(addrs.length);
    }

    /** PROG_LOAD of an XDP program holding {@code maps}, attached to the device as {@code net attach xdp}. */
    static int attach(Bpf bpf, int ifindex, String name, XdpProgram code, int... maps) {
        ProgLoadAttr a = new ProgLoadAttr(ProgType.XDP, code).maps(maps).name(name);
        int fd = bpf.bpf(BpfCmd.PROG_LOAD, a);
        assertTrue(fd >= 0, a.errorMessage());
        assertEquals(0, XdpAttach.attach(bpf, ifindex, fd, 0, XdpAttach.NO_EXPECTED_FD, FAIL));
        return fd;
    }

    static int u16(ByteBuffer b, int at) {
        return (b.get(at) & 0xff) << 8 | b.get(at + 1) & 0xff;
    }

    /**
     * The UDP destination port of an Ethernet / IPv4 / UDP frame in the program's context, or -1,
     * read as a C program reads it, bounds checked against data_end.
     */
    static int udpDstPort(ByteBuffer b, int data, int end) {
        if (end - data < 14 + 20 + 8 || u16(b, data + 12) != 0x0800 || (b.get(data + 23) & 0xff) != 17) {
            return -1;
        }
        int l4 = data + 14 + (b.get(data + 14) & 0xf) * 4;
        return l4 + 8 > end ? -1 : u16(b, l4 + 2);
    }

    /** Every frame dropped on the way, over a queue's counters: 0 when all reached their end. */
    static long drops(RxQueueStatistics s) {
        return s.drop() + s.aborted() + s.redirectErrors() + s.noBuffer() + s.oversize();
    }

    /** Frames the queue has finished with (each counted in exactly one verdict or drop counter). */
    static long done(RxQueueStatistics s) {
        return s.pass() + s.tx() + s.redirect() + drops(s);
    }

    static final int PASS = XdpAction.XDP_PASS;
}
