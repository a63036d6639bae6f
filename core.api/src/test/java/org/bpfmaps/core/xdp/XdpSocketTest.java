package org.bpfmaps.core.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.SocketKind;
import org.bpfmaps.core.sock.SocketState;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * XSK sockets of the core: setup and bind with the errnos of {@code xsk_setsockopt} and
 * {@code xsk_bind} (net/xdp/xsk.c) and {@code xp_assign_dev} (net/xdp/xsk_buff_pool.c), each as
 * Linux 6.18 answered on {@code lo} (recorded with python ctypes: socket(AF_XDP, SOCK_RAW, 0),
 * setsockopt(SOL_XDP, ...), bind(sockaddr_xdp)); the socket in the core's table; statistics and
 * invalid descriptors on the data path.
 */
class XdpSocketTest {
    private final ProviderHost runtime = Standalone.create();
    private final BpfInstance bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(2));
    private final List<Errno> errs = new ArrayList<>();
    private final ErrorSink sink = (e, why, a, b) -> {
        errs.add(e);
        String.format(why, a, b);
        return e.ret();
    };

    @AfterEach
    void close() {
        bpf.close();
    }

    private XdpSocket open() {
        int fd = XdpSocket.open(bpf, sink);
        assertTrue(fd >= 0);
        return XdpSocket.byFd(bpf, fd);
    }

    /** A socket with a UMEM of 16 frames of 2048 and all four rings of 8. */
    private XdpSocket full() {
        XdpSocket s = open();
        assertEquals(0, s.registerUmem(UmemConfig.of(16, 2048), sink));
        for (RingType t : RingType.values()) {
            assertEquals(0, s.createRing(t, 8, sink));
        }
        return s;
    }

    @Test
    void aFreshInstanceHasLoAndDevicesCanBeAdded() {
        NetDevices d = NetDevices.of(bpf);
        assertEquals(List.of(new NetDevice(1, "lo", 1)), d.list());
        assertEquals(2, d.add("xdp0", 4, sink));
        assertEquals(Errno.EEXIST.ret(), d.add("xdp0", 1, sink));
        assertEquals(Errno.EINVAL.ret(), d.add("a/b", 1, sink));
        assertEquals(Errno.EINVAL.ret(), d.add("sixteen-bytes-xx", 1, sink));
        assertEquals(Errno.EINVAL.ret(), d.add("q0", 0, sink));
        assertEquals(Errno.EINVAL.ret(), d.add("q0", 4097, sink));
        assertEquals(4, d.byName("xdp0").queues());
    }

    @Test
    void anXskSocketIsASocketOfTheCoreOfItsOwnKind() {
        int fd = XdpSocket.open(bpf, sink);
        BpfSocket s = Sockets.byFd(bpf, fd);
        assertEquals(SocketKind.XDP, s.kind());
        assertEquals(SocketState.CLOSE, s.state(), "sk_state TCP_CLOSE, as sock_init_data leaves it");
        assertNull(s.channel());
        assertFalse(s.bound());
        XdpSocket x = XdpSocket.of(s);
        assertSame(x, XdpSocket.byFd(bpf, fd));
        assertEquals(s.cookie(), x.cookie());
        AtomicInteger closes = new AtomicInteger();
        assertTrue(s.onClose(closes::incrementAndGet), "a map's slot listens for its close");
        assertEquals(0, bpf.close(fd));
        assertEquals(1, closes.get(), "its last fd closed it and its maps were told");
        assertNull(XdpSocket.of(s));
        assertFalse(x.isOpen());
    }

    @Test
    void aSocketMapRuleThatNamesNoXdpKindRefusesIt() {
        // as SOCKMAP's rule (map.sockmap SockMapProvider): XDP is not taken -> EOPNOTSUPP
        int fd = XdpSocket.open(bpf, sink);
        org.bpfmaps.core.sock.SocketRule rule = org.bpfmaps.core.sock.SocketRule.builder()
                .take(SocketKind.TCP, "not connected or listening", SocketState.ESTABLISHED, SocketState.LISTEN)
                .takeWhileBound(SocketKind.UDP, "not bound").build();
        ByteBuffer value = ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(0, fd);
        errs.clear();
        assertNull(rule.socket(org.bpfmaps.core.spi.ObjectHost.of(bpf).orElseThrow(), value, 4, sink));
        assertEquals(List.of(Errno.EOPNOTSUPP), errs);
    }

    @Test
    void ringsAreMadeOnceWithPowerOfTwoSizes() {
        XdpSocket s = open();
        // xsk_init_queue: 0, not a power of two, or made already -> EINVAL
        assertEquals(Errno.EINVAL.ret(), s.createRing(RingType.RX, 0, sink));
        assertEquals(Errno.EINVAL.ret(), s.createRing(RingType.RX, 3, sink));
        assertEquals(Errno.EINVAL.ret(), s.createRing(RingType.FILL, 5, sink));
        assertEquals(0, s.createRing(RingType.RX, 4, sink));
        assertEquals(Errno.EINVAL.ret(), s.createRing(RingType.RX, 8, sink));
        // XDP_UMEM_REG twice -> EBUSY (xsk_setsockopt)
        assertEquals(0, s.registerUmem(UmemConfig.of(4, 2048), sink));
        assertEquals(Errno.EBUSY.ret(), s.registerUmem(UmemConfig.of(4, 2048), sink));
        assertEquals(Errno.EINVAL.ret(), open().registerUmem(UmemConfig.of(4, 1024), sink));
    }

    @Test
    void bindNeedsADeviceRingsAndAUmem() {
        // xsk_bind, in its order
        XdpSocket s = open();
        assertEquals(Errno.EINVAL.ret(), s.bind(1, 0, 32, 0, sink), "unknown flag");
        assertEquals(Errno.ENODEV.ret(), s.bind(9999, 0, 0, 0, sink), "no such device");
        assertEquals(Errno.ENODEV.ret(), s.bind(0, 0, 0, 0, sink), "ifindex 0");
        assertEquals(Errno.EINVAL.ret(), s.bind(1, 0, 0, 0, sink), "no RX, no TX ring");
        s.createRing(RingType.RX, 8, sink);
        assertEquals(Errno.EINVAL.ret(), s.bind(1, 0, 0, 0, sink), "no UMEM");
        s.registerUmem(UmemConfig.of(16, 2048), sink);
        s.createRing(RingType.FILL, 8, sink);
        assertEquals(Errno.EINVAL.ret(), s.bind(1, 0, 0, 0, sink), "FILL without COMPLETION");
        s.createRing(RingType.COMPLETION, 8, sink);
        // xp_assign_dev: a queue past the device's -> EINVAL; COPY with ZEROCOPY -> EINVAL; ZEROCOPY on lo -> EOPNOTSUPP
        assertEquals(Errno.EINVAL.ret(), s.bind(1, 1, 0, 0, sink));
        assertEquals(Errno.EINVAL.ret(), s.bind(1, 0xffffffff, 0, 0, sink));
        assertEquals(Errno.EINVAL.ret(), s.bind(1, 0, XdpSocket.XDP_COPY | XdpSocket.XDP_ZEROCOPY, 0, sink));
        assertEquals(Errno.EOPNOTSUPP.ret(), s.bind(1, 0, XdpSocket.XDP_ZEROCOPY, 0, sink));
        assertEquals(0, s.bind(1, 0, XdpSocket.XDP_COPY, 0, sink));
        assertTrue(Sockets.byFd(bpf, fdOf(s)).bound(), "bound, as the core sees it");
        assertEquals(Errno.EBUSY.ret(), s.bind(1, 0, 0, 0, sink), "bound already");
        assertEquals(Errno.EINVAL.ret(), s.bind(1, 0, 32, 0, sink), "the flags are checked before the state");
        assertEquals(Errno.EBUSY.ret(), s.bind(9999, 0, 0, 0, sink), "the state before the device");
        assertEquals(Errno.EBUSY.ret(), s.createRing(RingType.TX, 8, sink), "rings before bind");
        assertEquals(Errno.EBUSY.ret(), full().bind(1, 0, 0, 0, sink), "lo queue 0 has a UMEM: xp_assign_dev");
        assertEquals(List.of(s), NetDevices.of(bpf).boundTo(1, 0));
    }

    @Test
    void theQueueIdIsAU16ForTheDevice() {
        // 6.18 bound lo queue 0x10000 and 0x80000000 (as queue 0), and refused 0xffffffff (EINVAL)
        XdpSocket s = full();
        assertEquals(0, s.bind(1, 0x10000, 0, 0, sink));
        assertEquals(List.of(s), NetDevices.of(bpf).boundTo(1, 0));
        XdpSocket t = full();
        // a u32 queue id other than the UMEM socket's: its own pool, at queue 0 again -> EBUSY (recorded)
        XdpSocket shared = open();
        shared.createRing(RingType.RX, 8, sink);
        shared.createRing(RingType.FILL, 8, sink);
        shared.createRing(RingType.COMPLETION, 8, sink);
        int fd = fdOf(s);
        assertEquals(Errno.EBUSY.ret(), shared.bind(1, 0x80000000, XdpSocket.XDP_SHARED_UMEM, fd, sink));
        assertEquals(Errno.EBUSY.ret(), t.bind(1, 0, 0, 0, sink));
    }

    private int fdOf(XdpSocket x) {
        return Sockets.list(bpf).entrySet().stream().filter(e -> e.getValue().cookie() == x.cookie())
                .findFirst().orElseThrow().getKey();
    }

    @Test
    void sharedUmemRules() throws Exception {
        XdpSocket owner = full();
        int ownerFd = fdOf(owner);
        // the shared socket's fd: not bound -> EBADF; no socket -> ENOTSOCK; not AF_XDP -> ENOPROTOOPT
        XdpSocket a = open();
        a.createRing(RingType.RX, 8, sink);
        assertEquals(Errno.EBADF.ret(), a.bind(1, 0, XdpSocket.XDP_SHARED_UMEM, ownerFd, sink));
        assertEquals(0, owner.bind(1, 0, 0, 0, sink));
        assertEquals(Errno.ENOTSOCK.ret(), a.bind(1, 0, XdpSocket.XDP_SHARED_UMEM, 99, sink));
        try (DatagramChannel udp = DatagramChannel.open()) {
            int udpFd = Sockets.register(bpf, udp, sink);
            assertEquals(Errno.ENOPROTOOPT.ret(), a.bind(1, 0, XdpSocket.XDP_SHARED_UMEM, udpFd, sink));
        }
        assertEquals(Errno.EINVAL.ret(), a.bind(1, 0, XdpSocket.XDP_SHARED_UMEM | XdpSocket.XDP_COPY, ownerFd, sink));
        assertEquals(Errno.EINVAL.ret(), a.bind(1, 0, XdpSocket.XDP_SHARED_UMEM | XdpSocket.XDP_USE_SG, ownerFd, sink));
        // same device and queue: the owner's FILL and COMPLETION
        assertEquals(0, a.bind(1, 0, XdpSocket.XDP_SHARED_UMEM, ownerFd, sink));
        assertSame(owner.ring(RingType.FILL), a.ring(RingType.FILL));
        assertSame(owner.umem(), a.umem());
        XdpSocket own = open();
        own.createRing(RingType.RX, 8, sink);
        own.createRing(RingType.FILL, 8, sink);
        assertEquals(Errno.EINVAL.ret(), own.bind(1, 0, XdpSocket.XDP_SHARED_UMEM, ownerFd, sink), "own FILL on the same queue");
        XdpSocket withUmem = open();
        withUmem.createRing(RingType.RX, 8, sink);
        withUmem.registerUmem(UmemConfig.of(4, 2048), sink);
        assertEquals(Errno.EINVAL.ret(), withUmem.bind(1, 0, XdpSocket.XDP_SHARED_UMEM, ownerFd, sink), "a UMEM of its own");
        // another device's queue: its own FILL and COMPLETION, since 5.10
        int dev = NetDevices.of(bpf).add("xdp0", 2, sink);
        XdpSocket other = open();
        other.createRing(RingType.RX, 8, sink);
        assertEquals(Errno.EINVAL.ret(), other.bind(dev, 1, XdpSocket.XDP_SHARED_UMEM, ownerFd, sink));
        other.createRing(RingType.FILL, 8, sink);
        other.createRing(RingType.COMPLETION, 8, sink);
        assertEquals(0, other.bind(dev, 1, XdpSocket.XDP_SHARED_UMEM, ownerFd, sink));
        assertSame(owner.umem(), other.umem());
        assertFalse(owner.ring(RingType.FILL) == other.ring(RingType.FILL));
        // the queue is free again once its sockets close
        assertEquals(0, bpf.close(fdOf(other)));
        assertEquals(List.of(), NetDevices.of(bpf).boundTo(dev, 1));
    }

    @Test
    void receivedPacketsAndInvalidDescriptorsAreCounted() {
        XdpSocket s = full();
        assertEquals(0, s.bind(1, 0, 0, 0, sink));
        ByteBuffer pkt = ByteBuffer.wrap(new byte[] {1, 2, 3, 4});
        // an empty FILL ring: dropped, counted
        assertEquals(Errno.ENOMEM.ret(), s.deliver(pkt));
        XdpRing.Producer fill = s.ring(RingType.FILL).producer();
        assertEquals(2, fill.reserve(2));
        fill.addr(fill.index(), 16 * 2048); // outside the UMEM: skipped, counted on FILL
        fill.addr(fill.index() + 1, 3 * 2048 + 7);
        fill.submit(2);
        assertEquals(0, s.deliver(pkt));
        XdpRing.Consumer rx = s.ring(RingType.RX).consumer();
        assertEquals(1, rx.peek(8));
        long addr = rx.descAddr(rx.index());
        assertEquals(3 * 2048 + Umem.XDP_PACKET_HEADROOM, addr, "frame + headroom + XDP_PACKET_HEADROOM");
        assertEquals(4, rx.descLen(rx.index()));
        assertEquals(3, s.umem().buffer().get((int) addr + 2));
        rx.release(1);
        assertEquals(1, s.ring(RingType.FILL).invalidDescs());
        assertEquals(Errno.ENOSPC.ret(), s.deliver(ByteBuffer.allocate(2048)), "longer than a frame");

        XdpRing.Producer tx = s.ring(RingType.TX).producer();
        assertEquals(3, tx.reserve(3));
        tx.desc(tx.index(), 2048, 60, 0);
        tx.desc(tx.index() + 1, 16 * 2048, 60, 0); // outside
        tx.desc(tx.index() + 2, 2048 + 2000, 100, 0); // crosses a frame
        tx.submit(3);
        List<Integer> wire = new ArrayList<>();
        assertEquals(1, s.transmit(16, b -> wire.add(b.remaining())));
        assertEquals(List.of(60), wire);
        XdpRing.Consumer comp = s.ring(RingType.COMPLETION).consumer();
        assertEquals(1, comp.peek(8));
        assertEquals(2048, comp.addr(comp.index()));
        XdpStatistics st = s.statistics();
        assertEquals(new XdpStatistics(2, 0, 2, 0, 1, 1), st);
    }

    @Test
    void aFullRxRingDropsAndKeepsTheFrame() {
        XdpSocket s = open();
        s.registerUmem(UmemConfig.of(16, 2048), sink);
        s.createRing(RingType.RX, 1, sink);
        s.createRing(RingType.FILL, 4, sink);
        s.createRing(RingType.COMPLETION, 4, sink);
        assertEquals(0, s.bind(1, 0, 0, 0, sink));
        XdpRing.Producer fill = s.ring(RingType.FILL).producer();
        fill.reserve(2);
        fill.addr(fill.index(), 0);
        fill.addr(fill.index() + 1, 2048);
        fill.submit(2);
        ByteBuffer pkt = ByteBuffer.wrap(new byte[10]);
        assertEquals(0, s.deliver(pkt));
        assertEquals(Errno.ENOBUFS.ret(), s.deliver(pkt));
        assertEquals(1, s.statistics().rxRingFull());
        assertEquals(1, s.ring(RingType.FILL).filled(), "the frame stays in FILL");
    }
}
