package org.bpfmaps.core.xdp;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.NativeSocket;
import org.bpfmaps.core.sock.SocketKind;
import org.bpfmaps.core.sock.SocketState;
import org.bpfmaps.core.sock.Sockets;

/**
 * An AF_XDP socket of the core ({@link SocketKind#XDP}): set up with a UMEM ({@link #registerUmem})
 * and its rings ({@link #createRing}), bound to a device's queue ({@link #bind}), as
 * net/xdp/xsk.c answers {@code setsockopt(SOL_XDP)} and {@code bind}. {@link #open} makes one and
 * gives it an fd in an instance, through the core's socket registration, so that it has a cookie,
 * close listeners (an XSKMAP slot is cleared when it closes) and is told apart from other sockets by
 * its kind. The application works its rings without locks ({@link #ring}); the device's side of the
 * data path is {@link #deliver} (a received packet into the RX ring, copy mode) and
 * {@link #transmit} (packets out of the TX ring).
 *
 * <p>Setup and bind lock the socket (the kernel's {@code xs->mutex}) after the instance's devices
 * ({@code rtnl_lock}), in the kernel's order.
 */
public final class XdpSocket implements NativeSocket {
    /** sxdp_flags: share the UMEM of the socket {@code sxdp_shared_umem_fd}. */
    public static final int XDP_SHARED_UMEM = 1;
    /** sxdp_flags: force copy mode. */
    public static final int XDP_COPY = 1 << 1;
    /** sxdp_flags: force zero-copy mode (no device here has it: EOPNOTSUPP). */
    public static final int XDP_ZEROCOPY = 1 << 2;
    /** sxdp_flags: the application asks to be told when to wake the device. */
    public static final int XDP_USE_NEED_WAKEUP = 1 << 3;
    /** sxdp_flags: multi-buffer packets. */
    public static final int XDP_USE_SG = 1 << 4;
    private static final int BIND_FLAGS = XDP_SHARED_UMEM | XDP_COPY | XDP_ZEROCOPY | XDP_USE_NEED_WAKEUP | XDP_USE_SG;
    /** Descriptor option: the packet continues in the next descriptor. */
    public static final int XDP_PKT_CONTD = 1;
    /** Descriptor option: TX metadata precedes the packet. */
    public static final int XDP_TX_METADATA = 1 << 1;

    /** The XSK sockets registered in an instance, by cookie: how an XSKMAP finds them from a {@link BpfSocket}. */
    private static final Map<Long, XdpSocket> BY_COOKIE = new ConcurrentHashMap<>();

    private enum State { READY, BOUND, CLOSED }

    private final Bpf bpf;
    private final NetDevices devices;
    private volatile State state = State.READY;
    private volatile long cookie;
    private volatile Umem umem;
    private volatile XdpRing rx;
    private volatile XdpRing tx;
    /** FILL and COMPLETION before bind hands them to the pool ({@code fq_tmp}, {@code cq_tmp}). */
    private volatile XdpRing fqTmp;
    private volatile XdpRing cqTmp;
    private volatile Pool pool;
    private volatile NetDevice dev;
    /** The queue id as bound (u32; the device's queue is its low 16 bits, as the kernel's u16 qid). */
    private volatile int queueId;
    private final AtomicLong rxDropped = new AtomicLong();
    /** rx_ring_full: packets dropped because the RX ring was full (copy mode and the RX path's redirects). */
    final AtomicLong rxQueueFull = new AtomicLong();

    /**
     * The kernel's {@code xsk_buff_pool}: a UMEM with one FILL and one COMPLETION ring, registered at
     * one device queue; the sockets bound there share it (XDP_SHARED_UMEM on the same queue).
     */
    static final class Pool {
        final Umem umem;
        final XdpRing fq;
        final XdpRing cq;
        final NetDevice dev;
        final int queueId;
        final boolean needWakeup;
        private final List<XdpSocket> sockets = new ArrayList<>();
        /** The UMEM as the RX path writes it and XDP programs see it: one view, reused for every frame. */
        final ByteBuffer view;
        /**
         * Buffers the device took from the FILL ring and got back (dropped, passed, sent, a failed
         * redirect): the kernel's {@code pool->free_list}, used before the FILL ring. Touched by the
         * queue's thread under this pool's lock; grows to the UMEM's chunks at most.
         */
        private long[] free = new long[64];
        private int freeCount;

        Pool(Umem umem, XdpRing fq, XdpRing cq, NetDevice dev, int queueId, boolean needWakeup) {
            this.umem = umem;
            this.fq = fq;
            this.cq = cq;
            this.dev = dev;
            this.queueId = queueId & 0xffff;
            this.needWakeup = needWakeup;
            this.view = umem.buffer();
        }

        /**
         * A buffer for a received frame, {@code xp_alloc} (net/xdp/xsk_buff_pool.c): from the free
         * list, else the next valid FILL address (invalid ones are released and counted in the FILL
         * ring's invalid_descs); -1 when both are empty, counted once in the FILL ring's
         * queue_empty_descs (rx_fill_ring_empty_descs). The caller holds this pool's lock.
         */
        long alloc() {
            if (freeCount > 0) {
                return free[--freeCount];
            }
            XdpRing.Consumer fill = fq.consumer();
            while (true) {
                if (fill.peek(1) == 0) {
                    fq.countEmpty();
                    return -1;
                }
                long frame = umem.fillAddr(fill.addr(fill.index()));
                fillTaken++; // released once per poll (releaseFill), as xskq_cons_release of a batch
                if (frame >= 0) {
                    return frame;
                }
                fq.countInvalid();
            }
        }

        /**
         * Hands the FILL ring's slots {@link #alloc} took since the last call back to the
         * application: one release store per poll ({@code __xskq_cons_release} at the end of a
         * NAPI poll), not one per frame. The caller holds this pool's lock.
         */
        void releaseFill() {
            if (fillTaken > 0) {
                fq.consumer().release(fillTaken);
                fillTaken = 0;
            }
        }

        /**
         * Whether a frame would find a buffer now (free list or FILL ring): for the device's thread
         * between polls ({@code RxQueue.awaitFill}); reads the FILL ring's shared indices.
         */
        boolean hasBuffer() {
            return freeCount > 0 || fq.filled() > 0;
        }

        /** FILL slots {@link #alloc} took and {@link #releaseFill} has not handed back yet. */
        private int fillTaken;
        /** The device's thread waiting in {@code RxQueue.awaitFill} for a FILL entry, or null. */
        volatile Thread fillWaiter;

        /** Gives a buffer {@link #alloc} gave back to the free list ({@code xsk_buff_free}); the caller holds the lock. */
        void free(long frame) {
            if (freeCount == free.length) {
                if (free.length >= umem.chunks()) {
                    return; // more than the UMEM holds: an address the application put twice in the FILL ring
                }
                free = java.util.Arrays.copyOf(free, Math.min(free.length * 2, umem.chunks()));
            }
            free[freeCount++] = frame;
        }

        synchronized List<XdpSocket> sockets() {
            return List.copyOf(sockets);
        }
    }

    private XdpSocket(Bpf bpf) {
        this.bpf = bpf;
        this.devices = NetDevices.of(bpf);
    }

    /**
     * Makes an unbound XSK socket in the instance ({@code socket(AF_XDP, SOCK_RAW, 0)}) and opens an
     * fd on it.
     *
     * @return the fd, or a negated errno (EMFILE: the instance has no free fd)
     */
    public static int open(Bpf bpf, ErrorSink err) {
        XdpSocket s = new XdpSocket(bpf);
        int fd = Sockets.register(bpf, s, err);
        if (fd >= 0) {
            s.cookie = Sockets.byFd(bpf, fd).cookie();
            BY_COOKIE.put(s.cookie, s);
        }
        return fd;
    }

    /** The XSK socket behind an fd of the instance, or null (not open, not an XSK socket). */
    public static XdpSocket byFd(Bpf bpf, int fd) {
        BpfSocket s = Sockets.byFd(bpf, fd);
        return s == null ? null : of(s);
    }

    /** The XSK socket a socket of the core is, or null when it is of another kind or closed. */
    public static XdpSocket of(BpfSocket s) {
        return s.kind() == SocketKind.XDP ? BY_COOKIE.get(s.cookie()) : null;
    }

    /** The socket's cookie in the core ({@link BpfSocket#cookie()}). */
    public long cookie() {
        return cookie;
    }

    /**
     * XDP_UMEM_REG: registers a UMEM ({@link Umem#create} for the checks). EBUSY when the socket is
     * bound or has a UMEM already (xsk_setsockopt); EBADF once closed.
     */
    public int registerUmem(UmemConfig config, ErrorSink err) {
        Objects.requireNonNull(config, "config");
        synchronized (this) {
            if (state == State.CLOSED) {
                return err.fail(Errno.EBADF, "the socket is closed");
            }
            if (state != State.READY || umem != null) {
                return err.fail(Errno.EBUSY, state != State.READY ? "the socket is bound" : "the socket has a UMEM");
            }
            int[] errno = {0};
            Umem u = Umem.create(config, (e, why, a, b) -> errno[0] = err.fail(e, why, a, b));
            if (u == null) {
                return errno[0];
            }
            umem = u;
            return 0;
        }
    }

    /**
     * XDP_RX_RING, XDP_TX_RING, XDP_UMEM_FILL_RING, XDP_UMEM_COMPLETION_RING: makes a ring of
     * {@code entries} ({@code xsk_setsockopt}, {@code xsk_init_queue}): EBUSY once bound; EINVAL for
     * 0, a size that is no power of two, or a ring of that type made already; ENOMEM for a ring over
     * 2 GiB. FILL and COMPLETION may be made before the UMEM, as in the kernel.
     */
    public int createRing(RingType type, int entries, ErrorSink err) {
        Objects.requireNonNull(type, "type");
        synchronized (this) {
            if (state == State.CLOSED) {
                return err.fail(Errno.EBADF, "the socket is closed");
            }
            if (state != State.READY) {
                return err.fail(Errno.EBUSY, "the socket is bound: rings are made before bind");
            }
            if (ring(type) != null) {
                return err.fail(Errno.EINVAL, "the socket has its ring of this type");
            }
            String bad = XdpRing.check(type, entries);
            if (bad != null) {
                return bad.equals("EINVAL")
                        ? err.fail(Errno.EINVAL, "ring size %d: a power of two above 0", Integer.toUnsignedLong(entries))
                        : err.fail(Errno.ENOMEM, "ring size %d: over 2 GiB", Integer.toUnsignedLong(entries));
            }
            XdpRing r = new XdpRing(type, entries);
            switch (type) {
                case RX:
                    rx = r;
                    break;
                case TX:
                    r.flags(XdpRing.NEED_WAKEUP); // TX needs to be woken up the first time (xsk_setsockopt)
                    tx = r;
                    break;
                case FILL:
                    fqTmp = r;
                    break;
                default:
                    cqTmp = r;
                    break;
            }
            return 0;
        }
    }

    /**
     * The socket's ring of a type, or null when it has none: RX and TX its own; FILL and COMPLETION
     * its own before bind, and after it those of the pool it is bound to (shared with the sockets
     * of the same queue and UMEM).
     */
    public XdpRing ring(RingType type) {
        Pool p = pool;
        switch (type) {
            case RX:
                return rx;
            case TX:
                return tx;
            case FILL:
                return p != null ? p.fq : fqTmp;
            default:
                return p != null ? p.cq : cqTmp;
        }
    }

    /** The thread waiting in {@link #pollRx}, or null. */
    private volatile Thread rxWaiter;

    /**
     * {@code poll(POLLIN)} on the socket: waits until its RX ring holds a descriptor for the
     * application, at most {@code nanos}; the RX path wakes the waiter when it puts one there
     * ({@code sock_def_readable} of {@code xsk_flush}). One waiting thread at a time: the RX ring's
     * consumer.
     *
     * @return true when the RX ring holds a descriptor; false at the timeout, an interrupt (its
     *     status kept), or for a socket without an RX ring
     */
    public boolean pollRx(long nanos) {
        XdpRing r = rx;
        if (r == null) {
            return false;
        }
        long deadline = System.nanoTime() + nanos;
        Thread me = Thread.currentThread();
        while (r.filled() == 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || me.isInterrupted()) {
                return false;
            }
            rxWaiter = me; // a volatile write, then the ring read again: no wakeup is lost
            if (r.filled() == 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(this, left);
            }
            rxWaiter = null;
        }
        return true;
    }

    /**
     * {@code recvfrom(MSG_DONTWAIT)} (or poll) after the FILL ring asked for a wakeup, the
     * need_wakeup protocol (XDP_USE_NEED_WAKEUP: {@code xsk_wakeup(XDP_WAKEUP_RX)}): wakes the
     * device's thread waiting in {@link RxQueue#awaitFill} for buffers. An application calls it
     * only when {@link XdpRing.Producer#needsWakeup} says so, not per frame. Nothing for an unbound
     * socket.
     *
     * @since 1.1
     */
    public void wakeupRx() {
        Pool p = pool;
        Thread t = p == null ? null : p.fillWaiter;
        if (t != null) {
            java.util.concurrent.locks.LockSupport.unpark(t);
        }
    }

    /** After a poll published descriptors in the RX ring: wakes a thread in {@link #pollRx}. */
    void wakeReader() {
        java.lang.invoke.VarHandle.fullFence(); // the ring's release store before the waiter's read
        Thread t = rxWaiter;
        if (t != null) {
            java.util.concurrent.locks.LockSupport.unpark(t);
        }
    }

    /** The RX ring, or null. */
    XdpRing rxRing() {
        return rx;
    }

    /** The pool bound to, or null. */
    Pool pool() {
        return pool;
    }

    /** The UMEM the socket uses (its own, or the one it shares once bound), or null. */
    public Umem umem() {
        return umem;
    }

    /**
     * Binds the socket to a device's queue ({@code bind(sockaddr_xdp)}), with the errnos of
     * {@code xsk_bind} (net/xdp/xsk.c) and {@code xp_assign_dev} (net/xdp/xsk_buff_pool.c) in their
     * order, as 6.18 answers on {@code lo} (recorded with python ctypes, see XdpSocketTest):
     * <ul>
     * <li>a flag outside SHARED_UMEM, COPY, ZEROCOPY, USE_NEED_WAKEUP, USE_SG: EINVAL
     * <li>bound already: EBUSY; no device of that ifindex: ENODEV; no RX and no TX ring: EINVAL
     * <li>with XDP_SHARED_UMEM: another flag with it, or a UMEM of its own: EINVAL;
     * {@code sharedUmemFd} not a socket (or not open): ENOTSOCK; a socket of another family:
     * ENOPROTOOPT; an XSK socket not bound: EBADF; on the other socket's device and queue: it uses
     * that socket's FILL and COMPLETION rings, and having its own is EINVAL; on another device or
     * queue it must bring its own FILL and COMPLETION (EINVAL without, since 5.10)
     * <li>without: no UMEM, FILL or COMPLETION ring: EINVAL
     * <li>then for a new pool: COPY with ZEROCOPY: EINVAL; the queue has a pool: EBUSY; the queue
     * past the device's queues: EINVAL; ZEROCOPY: EOPNOTSUPP (no zero-copy driver here)
     * </ul>
     * The device's queue is the low 16 bits of {@code queueId}, as the kernel passes it as a u16
     * ({@code xsk_get_pool_from_qid}, {@code xsk_reg_pool_at_qid}): 6.18 binds {@code lo} queue
     * 0x10000 as queue 0 (recorded), while the socket keeps the u32 for the shared UMEM check.
     */
    public int bind(int ifindex, int queueId, int flags, int sharedUmemFd, ErrorSink err) {
        if ((flags & ~BIND_FLAGS) != 0) {
            return err.fail(Errno.EINVAL, "sxdp_flags 0x%x: only SHARED_UMEM, COPY, ZEROCOPY, USE_NEED_WAKEUP, USE_SG",
                    Integer.toUnsignedLong(flags));
        }
        synchronized (devices) {
            synchronized (this) {
                if (state == State.CLOSED) {
                    return err.fail(Errno.EBADF, "the socket is closed");
                }
                if (state != State.READY) {
                    return err.fail(Errno.EBUSY, "the socket is bound already");
                }
                NetDevice d = devices.byIndex(ifindex);
                if (d == null) {
                    return err.fail(Errno.ENODEV, "no device with ifindex %d", Integer.toUnsignedLong(ifindex));
                }
                if (rx == null && tx == null) {
                    return err.fail(Errno.EINVAL, "the socket has neither an RX nor a TX ring");
                }
                Pool p;
                Umem u;
                if ((flags & XDP_SHARED_UMEM) != 0) {
                    if ((flags & (XDP_COPY | XDP_ZEROCOPY | XDP_USE_NEED_WAKEUP | XDP_USE_SG)) != 0) {
                        return err.fail(Errno.EINVAL, "a socket sharing a UMEM takes no other bind flag");
                    }
                    if (umem != null) {
                        return err.fail(Errno.EINVAL, "the socket has its own UMEM: it cannot share another's");
                    }
                    BpfSocket bs = Sockets.byFd(bpf, sharedUmemFd);
                    if (bs == null) {
                        return err.fail(Errno.ENOTSOCK, "sxdp_shared_umem_fd %d is no socket", sharedUmemFd);
                    }
                    XdpSocket other = of(bs);
                    if (other == null) {
                        return err.fail(Errno.ENOPROTOOPT, "sxdp_shared_umem_fd %d is no XSK socket", sharedUmemFd);
                    }
                    Pool op = other.pool;
                    if (other.state != State.BOUND || op == null) {
                        return err.fail(Errno.EBADF, "the socket of sxdp_shared_umem_fd %d is not bound", sharedUmemFd);
                    }
                    u = op.umem;
                    if (other.queueId != queueId || other.dev != d) {
                        if (fqTmp == null || cqTmp == null) {
                            return err.fail(Errno.EINVAL, "on another device or queue than the UMEM's socket, a socket "
                                    + "brings its own FILL and COMPLETION rings");
                        }
                        p = new Pool(u, fqTmp, cqTmp, d, queueId, op.needWakeup);
                        int r = assign(p, d, queueId, XDP_COPY, err);
                        if (r < 0) {
                            return r;
                        }
                    } else {
                        if (fqTmp != null || cqTmp != null) {
                            return err.fail(Errno.EINVAL, "on the UMEM's socket's queue, a socket uses its FILL and "
                                    + "COMPLETION rings and may not have its own");
                        }
                        p = op;
                    }
                } else if (umem == null || fqTmp == null || cqTmp == null) {
                    return err.fail(Errno.EINVAL, "the socket needs a UMEM, a FILL and a COMPLETION ring (or XDP_SHARED_UMEM)");
                } else {
                    u = umem;
                    p = new Pool(u, fqTmp, cqTmp, d, queueId, (flags & XDP_USE_NEED_WAKEUP) != 0);
                    int r = assign(p, d, queueId, flags, err);
                    if (r < 0) {
                        return r;
                    }
                }
                synchronized (p) {
                    p.sockets.add(this);
                }
                fqTmp = null;
                cqTmp = null;
                umem = u;
                pool = p;
                dev = d;
                this.queueId = queueId;
                state = State.BOUND;
                return 0;
            }
        }
    }

    /** {@code xp_assign_dev}: registers a new pool at the device's queue; the caller holds the devices' lock. */
    private int assign(Pool p, NetDevice d, int queueId, int flags, ErrorSink err) {
        if ((flags & XDP_COPY) != 0 && (flags & XDP_ZEROCOPY) != 0) {
            return err.fail(Errno.EINVAL, "XDP_COPY and XDP_ZEROCOPY together");
        }
        int q = queueId & 0xffff;
        if (q < d.queues() && devices.pool(d.ifindex(), q) != null) {
            return err.fail(Errno.EBUSY, "queue %d of the device has a socket's UMEM bound already", q);
        }
        if (q >= d.queues()) {
            return err.fail(Errno.EINVAL, "queue %d: the device has %d queues", q, d.queues());
        }
        if ((flags & XDP_ZEROCOPY) != 0) {
            return err.fail(Errno.EOPNOTSUPP, "the device has no zero-copy mode");
        }
        devices.register(p);
        return 0;
    }

    /** Whether the socket is bound to a device queue. */
    @Override
    public boolean bound() {
        return state == State.BOUND;
    }

    /** The device bound to, or null. */
    public NetDevice device() {
        return state == State.BOUND ? dev : null;
    }

    /** The queue id as bound (u32), meaningful while {@link #bound()}. */
    public int queueId() {
        return queueId;
    }

    /** XDP_STATISTICS now. */
    public XdpStatistics statistics() {
        Pool p = pool;
        XdpRing r = rx;
        XdpRing t = tx;
        return new XdpStatistics(rxDropped.get(), r == null ? 0 : r.invalidDescs(), t == null ? 0 : t.invalidDescs(),
                rxQueueFull.get(), p == null ? 0 : p.fq.emptyDescs(), t == null ? 0 : t.emptyDescs());
    }

    /**
     * The device side of receiving one packet on this socket in copy mode ({@code __xsk_rcv}): a frame
     * from the FILL ring (addresses outside the UMEM are skipped and counted on the FILL ring), the
     * packet copied at the frame's start plus the headroom and XDP_PACKET_HEADROOM, a descriptor in
     * the RX ring. Dropped and counted: a packet longer than a frame (rx_dropped, ENOSPC), an empty
     * FILL ring (rx_fill_ring_empty_descs and rx_dropped, ENOMEM), a full RX ring (rx_ring_full,
     * ENOBUFS; the frame stays in the FILL ring). One device thread per queue at a time (the pool's
     * lock, as NAPI runs a queue on one CPU).
     *
     * @return 0, or a negated errno (ENXIO when the socket is not bound or has no RX ring)
     */
    public int deliver(ByteBuffer packet) {
        Pool p = pool;
        XdpRing r = rx;
        if (state != State.BOUND || p == null || r == null) {
            return Errno.ENXIO.ret();
        }
        int len = packet.remaining();
        synchronized (p) {
            if (len > p.umem.rxFrameLen()) {
                rxDropped.incrementAndGet();
                return Errno.ENOSPC.ret();
            }
            XdpRing.Consumer fill = p.fq.consumer();
            long frame;
            while (true) {
                if (fill.peek(1) == 0) {
                    p.fq.countEmpty();
                    rxDropped.incrementAndGet();
                    return Errno.ENOMEM.ret();
                }
                frame = p.umem.fillAddr(fill.addr(fill.index()));
                if (frame >= 0) {
                    break;
                }
                p.fq.countInvalid();
                fill.release(1);
            }
            XdpRing.Producer out = r.producer();
            if (out.reserve(1) == 0) {
                fill.cancel(1);
                rxQueueFull.incrementAndGet();
                return Errno.ENOBUFS.ret();
            }
            long addr = frame + p.umem.headroom() + Umem.XDP_PACKET_HEADROOM;
            p.umem.write(addr, packet.duplicate());
            out.desc(out.index(), addr, len, 0);
            out.submit(1);
            fill.release(1);
            return 0;
        }
    }

    /**
     * The device side of sending ({@code xsk_generic_xmit}): up to {@code budget} descriptors from the
     * TX ring, each valid one handed to {@code wire} as a read-only view of its bytes (valid during
     * the call) and its address put in the COMPLETION ring; invalid ones are dropped and counted
     * (tx_invalid_descs), never read. Stops at an empty TX ring (counted: tx_ring_empty_descs) or a
     * full COMPLETION ring (the descriptor stays).
     *
     * @return the packets sent, or a negated errno (ENXIO when not bound or without a TX ring)
     */
    public int transmit(int budget, java.util.function.Consumer<ByteBuffer> wire) {
        Pool p = pool;
        XdpRing t = tx;
        if (state != State.BOUND || p == null || t == null) {
            return Errno.ENXIO.ret();
        }
        synchronized (p) {
            XdpRing.Consumer in = t.consumer();
            XdpRing.Producer done = p.cq.producer();
            int sent = 0;
            while (sent < budget) {
                if (in.peek(1) == 0) {
                    t.countEmpty();
                    break;
                }
                int i = in.index();
                long addr = in.descAddr(i);
                int len = in.descLen(i);
                if (!p.umem.validTxDesc(addr, len, in.descOptions(i))) {
                    t.countInvalid();
                    in.release(1);
                    continue;
                }
                if (done.reserve(1) == 0) {
                    in.cancel(1);
                    break;
                }
                ByteBuffer view = p.umem.buffer();
                view.position((int) addr).limit((int) addr + len);
                wire.accept(view.slice().asReadOnlyBuffer());
                done.addr(done.index(), addr);
                done.submit(1);
                in.release(1);
                sent++;
            }
            return sent;
        }
    }

    /** {@code TX_BATCH_SIZE} (net/xdp/xsk.c): the most packets one sendto() sends. */
    public static final int TX_BATCH_SIZE = 32;

    /**
     * {@code sendto()} on the socket, the kernel's wakeup of its TX side ({@code xsk_sendmsg},
     * {@code __xsk_generic_xmit}): up to {@link #TX_BATCH_SIZE} packets of the TX ring go out
     * through the TX listener of the socket's device ({@link NetDevices#onTransmit}; with none
     * they leave to nowhere, as on a device without a carrier of its own), each address into the
     * COMPLETION ring ({@link #transmit} for the checks and counters). Runs on the caller's thread.
     *
     * @return the packets sent, or a negated errno: ENXIO when the socket is not bound, ENOBUFS
     *     when it has no TX ring (xsk_sendmsg's order)
     */
    public int kick() {
        NetDevice d = dev;
        if (state != State.BOUND || d == null) {
            return Errno.ENXIO.ret();
        }
        if (tx == null) {
            return Errno.ENOBUFS.ret();
        }
        FrameListener l = devices.txListener(d.ifindex());
        int ifindex = d.ifindex();
        int q = queueId & 0xffff;
        return transmit(TX_BATCH_SIZE, frame -> {
            if (l != null) {
                try {
                    l.frame(ifindex, q, frame);
                } catch (RuntimeException e) {
                    // the wire's failure: the packet is gone, its completion stands
                }
            }
        });
    }

    @Override
    public SocketKind kind() {
        return SocketKind.XDP;
    }

    /** An XSK socket's {@code sk_state} is TCP_CLOSE from its making ({@code sock_init_data}); CLOSED once closed. */
    @Override
    public SocketState state() {
        return state == State.CLOSED ? SocketState.CLOSED : SocketState.CLOSE;
    }

    @Override
    public boolean isOpen() {
        return state != State.CLOSED;
    }

    /** None: an XSK socket has no name ({@code sock_no_getname}). */
    @Override
    public SocketAddress localAddress() {
        return null;
    }

    @Override
    public SocketAddress remoteAddress() {
        return null;
    }

    /**
     * {@code xsk_release}: leaves its device queue (the pool goes when its last socket does) and
     * drops its rings. The core calls it when the socket's last fd closes.
     */
    @Override
    public void close() {
        synchronized (devices) {
            synchronized (this) {
                if (state == State.CLOSED) {
                    return;
                }
                Pool p = pool;
                if (p != null) {
                    synchronized (p) {
                        p.sockets.remove(this);
                        if (p.sockets.isEmpty()) {
                            devices.unregister(p);
                        }
                    }
                }
                state = State.CLOSED;
                BY_COOKIE.remove(cookie, this);
            }
        }
    }

    @Override
    public String toString() {
        NetDevice d = device();
        return "XSK socket" + (d == null ? " (unbound)" : " on " + d.name() + " queue " + Integer.toUnsignedString(queueId));
    }
}
