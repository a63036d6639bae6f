package org.bpfmaps.core.xdp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.impl.ProgObject;
import org.bpfmaps.core.impl.XdpRun;
import org.bpfmaps.core.impl.xdp.DeviceXdp;
import org.bpfmaps.core.prog.XdpAction;
import org.bpfmaps.core.prog.XdpProgram;
import org.bpfmaps.core.spi.CurrentCpu;

/**
 * One RX queue of a device: where frames enter the emulation ({@link #receive}), on the caller's
 * thread, as a driver's NAPI poll runs a queue on one CPU. Queue {@code i} stands for CPU
 * {@code i} (folded into an instance's possible CPUs), which per-CPU maps see from the program.
 * One caller at a time runs a queue (a lock per queue, uncontended when each queue has its
 * thread, as each NAPI instance has its CPU).
 *
 * <p>Frames come one at a time ({@link #receive(ByteBuffer)}) or a NAPI poll's worth at a time
 * ({@link #receive(FrameSource, int)}, what a driver does): a poll reads the device's program once
 * and holds a reference to it until its end, so that a program replaced or detached meanwhile, and
 * the maps it holds, stay alive until no poll runs it (the kernel's RCU grace period); it publishes
 * what it did once, at its flush ({@code xdp_do_flush}): RX descriptors, FILL slots, counters, the
 * reader's wakeup. A single frame is a poll of one.
 *
 * <p>Per frame: the device's XDP program ({@link DeviceXdp}, read per poll) runs over it and its
 * verdict decides: XDP_DROP drops; XDP_ABORTED, a program that throws and an unknown verdict drop
 * and count as aborted; XDP_PASS (and no program) hands the frame to the device's pass listener
 * (the network stack); XDP_TX to its TX listener (the wire); XDP_REDIRECT puts it in the RX ring
 * of the XSK socket {@code bpf_redirect_map} chose.
 *
 * <p>Zero copy, the mode emulated devices ({@code lo} included) offer and this path emulates:
 * when an XSK socket's pool is bound to the queue, the device receives into that pool's UMEM, as
 * a zero-copy driver does ({@code xsk_buff_alloc}). A frame first takes a buffer, from the pool's
 * free list (buffers the device recycled) or else from the FILL ring; with neither, the frame is
 * dropped before the program runs, whatever its verdict would have been, and counted in the
 * socket's {@code rx_fill_ring_empty_descs} (once per attempt) and {@link
 * RxQueueStatistics#noBuffer}. The frame is written once, at the buffer's start plus the UMEM's
 * headroom plus XDP_PACKET_HEADROOM; the program reads and writes it there ({@code
 * XdpContext.frame()} is a view of the UMEM); a redirect to a socket of this queue puts a
 * descriptor of those bytes (address and length after {@code adjust_head}) in its RX ring, without
 * a copy. Every other outcome gives the buffer back to the pool's free list ({@code xsk_buff_free}),
 * never to the application: XDP_PASS and XDP_TX copy the bytes out first (the kernel builds an skb
 * or an {@code xdp_frame} from them). A queue with no socket bound receives into a buffer of its
 * own.
 *
 * <p>Which counter each drop increments:
 * <ul>
 * <li>no buffer (free list and FILL ring empty): the pool's FILL ring {@code queue_empty_descs}
 * (every bound socket's {@code rx_fill_ring_empty_descs}) and {@link RxQueueStatistics#noBuffer};
 * invalid FILL addresses skipped on the way: the FILL ring's {@link XdpRing#invalidDescs()}
 * <li>a frame longer than the buffer: {@link RxQueueStatistics#oversize}
 * <li>XDP_DROP: {@link RxQueueStatistics#drop}; XDP_ABORTED, a throw, an unknown verdict:
 * {@link RxQueueStatistics#aborted} (and the program's {@code aborted()} for a throw)
 * <li>a redirect that fails ({@code xdp_do_redirect}'s error): {@link
 * RxQueueStatistics#redirectErrors}; when the socket's RX ring is full also its {@code
 * rx_ring_full} ({@code __xsk_rcv_zc}). A socket bound to another device or queue
 * ({@code xsk_rcv_check}: EINVAL) counts nothing on the socket, as in the kernel.
 * </ul>
 *
 * @since 1.1
 */
public final class RxQueue {
    /** The largest frame a queue without a socket takes: a page less XDP_PACKET_HEADROOM and the tailroom. */
    public static final int MAX_FRAME = Umem.PAGE_SIZE - Umem.XDP_PACKET_HEADROOM - Umem.TAILROOM;

    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PACKETS = 0;
    private static final int BYTES = 1;
    private static final int PASS = 2;
    private static final int DROP = 3;
    private static final int TX = 4;
    private static final int REDIRECT = 5;
    private static final int ABORTED = 6;
    private static final int REDIRECT_ERRORS = 7;
    private static final int NO_BUFFER = 8;
    private static final int OVERSIZE = 9;

    private final NetDevices.Dev dev;
    private final int ifindex;
    private final int queue;
    private final DeviceXdp programs;
    /** The XSK pool bound to this queue, or null; set by bind and close under the devices' lock. */
    volatile XdpSocket.Pool pool;
    /**
     * The queue's own buffer: frames of a queue with no socket, and the copy a listener gets of a
     * frame that was in the UMEM. Only the thread running the queue touches it.
     */
    private final ByteBuffer own = ByteBuffer.allocateDirect(Umem.PAGE_SIZE).order(ByteOrder.nativeOrder());
    /** The view of {@link #own} listeners get, bounds set per frame. */
    private final ByteBuffer out = own.duplicate();
    /** Counters, written by the queue's thread under its lock, read by anyone (opaque: no tearing). */
    private final long[] counts = new long[10];
    /** The program the context below was made for, and the context, reused while it runs. */
    private ProgObject runFor;
    private XdpRun run;
    /** The poll's counters, published at its flush; only the thread running the queue touches them. */
    private final long[] pending = new long[10];
    /** The program of the poll under way (held), its code bound once, the CPU before it, its runs. */
    private ProgObject polled;
    private XdpProgram code;
    private int cpuBefore;
    private int ran;
    private int unbound;
    /** The socket whose RX ring holds the poll's staged descriptors, and how many. */
    private XdpSocket rxTarget;
    private int rxStaged;

    RxQueue(NetDevices.Dev dev, int queue, DeviceXdp programs) {
        this.dev = dev;
        this.ifindex = dev.device.ifindex();
        this.queue = queue;
        this.programs = programs;
    }

    public int ifindex() {
        return ifindex;
    }

    /** The queue's index on its device ({@code rx_queue_index}). */
    public int queue() {
        return queue;
    }

    /** The CPU the queue stands for: its index, which per-CPU maps fold into their CPUs. */
    public int cpu() {
        return queue;
    }

    /**
     * Receives one frame, its bytes from {@code frame}'s position to its limit (the buffer is left
     * as it was; the caller may reuse it at once): a poll of one frame, flushed before it returns.
     *
     * @return the verdict the frame got ({@link XdpAction}; XDP_ABORTED for a throw or an unknown
     *     verdict, XDP_PASS without a program), or a negated errno when it was dropped on the way:
     *     ENOMEM no buffer (free list and FILL ring empty), ENOSPC longer than the buffer, and for
     *     a failed redirect the error of {@code xdp_do_redirect}: EINVAL (no socket chosen, or one
     *     bound to another device or queue), ENXIO (the socket closed or has no RX ring), ENOBUFS
     *     (its RX ring full)
     */
    public int receive(ByteBuffer frame) {
        ProgObject prog = enterProgram();
        try {
            while (true) {
                XdpSocket.Pool p = pool;
                synchronized (this) {
                    if (p == null) {
                        if (pool != null) {
                            continue;
                        }
                        begin(prog);
                        try {
                            return receiveOwn(frame);
                        } finally {
                            flush(null);
                        }
                    }
                    synchronized (p) { // the pool's lock: XdpSocket.deliver and transmit take it too
                        if (pool != p) {
                            continue;
                        }
                        begin(prog);
                        try {
                            int len = count(frame);
                            if (len > p.umem.rxFrameLen()) {
                                return drop(OVERSIZE, Errno.ENOSPC);
                            }
                            long chunk = p.alloc();
                            if (chunk < 0) {
                                return drop(NO_BUFFER, Errno.ENOMEM); // the FILL ring counted queue_empty_descs
                            }
                            return receiveZc(p, frame, len, chunk);
                        } finally {
                            flush(p);
                        }
                    }
                }
            }
        } finally {
            exitProgram(prog);
        }
    }

    /**
     * A NAPI poll: receives up to {@code budget} frames from {@code source}, each as
     * {@link #receive(ByteBuffer)} does, and then flushes once ({@code xdp_do_flush}): the
     * descriptors of the poll are published in each socket's RX ring with one release store and one
     * wakeup of its reader, the FILL ring's slots handed back with one, the counters published
     * once. The device's program is read, held and bound once per poll, as a driver reads
     * {@code rx_ring->xdp_prog} once per NAPI poll, and the queue's CPU entered once.
     *
     * <p>With a socket bound to the queue, a frame is taken from the source only when a buffer is
     * there for it (free list or FILL ring): the poll stops at the first frame without one, which
     * stays with the source, counted once in the FILL ring's {@code queue_empty_descs}
     * (rx_fill_ring_empty_descs); with XDP_USE_NEED_WAKEUP the FILL ring's XDP_RING_NEED_WAKEUP
     * flag is then set, and cleared by a poll that found buffers ({@code xsk_set_rx_need_wakeup}).
     *
     * @return the frames taken from the source, whatever their verdicts (see {@link #statistics})
     * @throws IllegalArgumentException for a budget below 1
     */
    public int receive(FrameSource source, int budget) {
        if (budget < 1) {
            throw new IllegalArgumentException("budget " + budget + ": a poll takes at least 1 frame");
        }
        ProgObject prog = enterProgram();
        try {
            while (true) {
                XdpSocket.Pool p = pool;
                synchronized (this) {
                    if (p == null) {
                        if (pool != null) {
                            continue;
                        }
                        begin(prog);
                        int n = 0;
                        try {
                            ByteBuffer f;
                            while (n < budget && (f = source.next()) != null) {
                                n++;
                                receiveOwn(f);
                            }
                        } finally {
                            flush(null);
                        }
                        return n;
                    }
                    synchronized (p) {
                        if (pool != p) {
                            continue;
                        }
                        begin(prog);
                        int n = 0;
                        boolean dry = false;
                        try {
                            while (n < budget) {
                                long chunk = p.alloc();
                                if (chunk < 0) {
                                    dry = true;
                                    break;
                                }
                                ByteBuffer f = source.next();
                                if (f == null) {
                                    p.free(chunk);
                                    break;
                                }
                                n++;
                                int len = count(f);
                                if (len > p.umem.rxFrameLen()) {
                                    p.free(chunk);
                                    drop(OVERSIZE, Errno.ENOSPC);
                                } else {
                                    receiveZc(p, f, len, chunk);
                                }
                            }
                        } finally {
                            flush(p);
                            if (p.needWakeup) {
                                needWakeup(p, dry);
                            }
                        }
                        return n;
                    }
                }
            }
        } finally {
            exitProgram(prog);
        }
    }

    /**
     * Waits, on the device's thread between polls, until the bound socket's pool has a buffer
     * for a frame (the FILL ring or the free list), at most {@code nanos}: a driver idle until
     * the application's wakeup ({@link XdpSocket#wakeupRx}, after the need_wakeup flag a dry
     * {@link #receive(FrameSource, int)} set). At once without a bound socket.
     *
     * @return true when a buffer is there; false at the timeout or an interrupt (its status kept)
     */
    public boolean awaitFill(long nanos) {
        XdpSocket.Pool p = pool;
        if (p == null) {
            return true;
        }
        long deadline = System.nanoTime() + nanos;
        Thread me = Thread.currentThread();
        while (!hasBuffer(p)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || me.isInterrupted()) {
                return false;
            }
            p.fillWaiter = me; // a volatile write, then the ring read again: no wakeup is lost
            if (!hasBuffer(p)) {
                java.util.concurrent.locks.LockSupport.parkNanos(this, left);
            }
            p.fillWaiter = null;
        }
        return true;
    }

    private static boolean hasBuffer(XdpSocket.Pool p) {
        synchronized (p) {
            return p.hasBuffer();
        }
    }

    /** The FILL ring's need_wakeup flag after a poll: set when it ran dry, cleared when it had buffers. */
    private static void needWakeup(XdpSocket.Pool p, boolean dry) {
        int flags = p.fq.flags();
        int want = dry ? flags | XdpRing.NEED_WAKEUP : flags & ~XdpRing.NEED_WAKEUP;
        if (want != flags) {
            p.fq.flags(want);
        }
    }

    /**
     * The device's program for a poll, with a reference held until {@link #exitProgram}: the
     * control plane may replace or detach it meanwhile and drop its own reference at once, and the
     * program and the maps it holds stay alive until the poll that read it ends (the grace period
     * the kernel gets from RCU, {@code synchronize_rcu} before {@code bpf_prog_put}'s free). A
     * program whose last reference is gone was unpublished first: read again.
     */
    private ProgObject enterProgram() {
        if (programs == null) {
            return null;
        }
        while (true) {
            ProgObject prog = programs.program(ifindex);
            if (prog == null || prog.retain()) {
                return prog;
            }
            Thread.onSpinWait();
        }
    }

    /** Drops the poll's reference, outside the queue's locks (the last one frees the program). */
    private static void exitProgram(ProgObject prog) {
        if (prog != null) {
            prog.release();
        }
    }

    /** The start of a poll under the queue's lock: the program's code bound and the queue's CPU entered once. */
    private void begin(ProgObject prog) {
        polled = prog;
        if (prog != null) {
            code = prog.xdpCode();
            run = context(prog);
            cpuBefore = CurrentCpu.enter(cpu());
        } else {
            code = null;
        }
    }

    /**
     * {@code xdp_do_flush}: the RX descriptors of the poll published with one release store per
     * socket and its reader woken once ({@code __xsk_map_flush}), the FILL ring's slots handed back,
     * the counters published, the CPU left.
     */
    private void flush(XdpSocket.Pool p) {
        flushRx(p);
        for (int i = 0; i < pending.length; i++) {
            if (pending[i] != 0) {
                COUNT.setOpaque(counts, i, (long) COUNT.getOpaque(counts, i) + pending[i]);
                pending[i] = 0;
            }
        }
        ProgObject prog = polled;
        if (prog != null) {
            CurrentCpu.exit(cpuBefore);
            prog.ran(ran, unbound);
            ran = 0;
            unbound = 0;
            polled = null;
            code = null;
        }
    }

    /**
     * The FILL slots the poll took handed back, then the staged descriptors of the socket the poll
     * redirected to last published and its reader woken: in that order, so that an application
     * that sees a frame in its RX ring always finds its FILL slot free to give it back.
     */
    private void flushRx(XdpSocket.Pool p) {
        if (p != null) {
            p.releaseFill();
        }
        XdpSocket s = rxTarget;
        if (s != null && rxStaged > 0) {
            s.rxRing().producer().submit(rxStaged);
            s.wakeReader();
        }
        rxTarget = null;
        rxStaged = 0;
    }

    private int receiveOwn(ByteBuffer frame) {
        int len = count(frame);
        if (len > MAX_FRAME) {
            return drop(OVERSIZE, Errno.ENOSPC);
        }
        int data = Umem.XDP_PACKET_HEADROOM;
        own.put(data, frame, frame.position(), len);
        ProgObject prog = polled;
        if (prog == null) {
            return pass(data, data + len);
        }
        XdpRun r = run.set(own, 0, data, data + len, ifindex, queue);
        int v = runProgram(prog, r);
        switch (v) {
            case XdpAction.XDP_PASS:
                return pass(r.data(), r.dataEnd());
            case XdpAction.XDP_TX:
                return tx(r.data(), r.dataEnd());
            case XdpAction.XDP_DROP:
                return verdict(DROP, v);
            case XdpAction.XDP_REDIRECT:
                // no socket is bound here, so any socket chosen is bound elsewhere (xsk_rcv_check)
                return drop(REDIRECT_ERRORS, Errno.EINVAL);
            default:
                return verdict(ABORTED, XdpAction.XDP_ABORTED);
        }
    }

    /** A counted frame of {@code len} bytes (it fits) into {@code chunk}, a buffer the pool gave this poll. */
    private int receiveZc(XdpSocket.Pool p, ByteBuffer frame, int len, long chunk) {
        Umem u = p.umem;
        ByteBuffer mem = p.view;
        int hard = (int) chunk + u.headroom();
        int data = hard + Umem.XDP_PACKET_HEADROOM;
        mem.put(data, frame, frame.position(), len);
        ProgObject prog = polled;
        int v = XdpAction.XDP_PASS;
        int start = data;
        int end = data + len;
        XdpRun r = null;
        if (prog != null) {
            r = run.set(mem, hard, data, end, ifindex, queue);
            v = runProgram(prog, r);
            start = r.data();
            end = r.dataEnd();
        }
        switch (v) {
            case XdpAction.XDP_REDIRECT:
                return redirect(p, r.target(), chunk, start, end);
            case XdpAction.XDP_PASS:
            case XdpAction.XDP_TX:
                // copied out as the kernel builds an skb (or xdp_frame) and frees the buffer; at
                // most a chunk less sizeof(struct xdp_frame), which the queue's page holds
                own.put(0, mem, start, end - start);
                p.free(chunk);
                return v == XdpAction.XDP_PASS ? pass(0, end - start) : tx(0, end - start);
            case XdpAction.XDP_DROP:
                p.free(chunk);
                return verdict(DROP, v);
            default:
                p.free(chunk);
                return verdict(ABORTED, XdpAction.XDP_ABORTED);
        }
    }

    /**
     * {@code xsk_rcv} in zero-copy mode: the socket must be bound to this device and queue
     * ({@code xsk_rcv_check}, the u32 queue id as bound), then a descriptor of the frame where it
     * is goes in its RX ring ({@code __xsk_rcv_zc}), written now and published at the poll's flush
     * ({@code xsk_flush}); on any error the buffer goes back to the pool's free list
     * ({@code xsk_buff_free} of the driver's redirect failure).
     */
    private int redirect(XdpSocket.Pool p, XdpSocket s, long chunk, int start, int end) {
        int err;
        if (s == null) {
            err = Errno.EINVAL.ret(); // XDP_REDIRECT with no redirect_map chosen
        } else if (!s.bound() || s.rxRing() == null) {
            err = Errno.ENXIO.ret();
        } else if (s.pool() != p || s.queueId() != queue) {
            err = Errno.EINVAL.ret();
        } else {
            if (s != rxTarget) {
                flushRx(p); // another socket of the pool: the last one's descriptors go out first
                rxTarget = s;
            }
            XdpRing.Producer rx = s.rxRing().producer();
            if (rx.reserve(1) == 0) {
                s.rxQueueFull.incrementAndGet();
                err = Errno.ENOBUFS.ret();
            } else {
                rx.desc(rx.index(), start, end - start, 0);
                rxStaged++;
                return verdict(REDIRECT, XdpAction.XDP_REDIRECT);
            }
        }
        p.free(chunk);
        inc(REDIRECT_ERRORS);
        return err;
    }

    private XdpRun context(ProgObject prog) {
        XdpRun r = run;
        if (runFor != prog) {
            r = run = new XdpRun(prog, cpu()); // once per program change, not per frame
            runFor = prog;
        }
        return r;
    }

    /**
     * The program's verdict with the code the poll bound: XDP_PASS while unbound; XDP_ABORTED
     * when it throws (counted in the program's {@code aborted()} as {@link ProgObject#run} does for
     * a RuntimeException, a LinkageError or a StackOverflowError; anything else it throws, short of
     * a VirtualMachineError, aborts too): the queue's thread lives on.
     */
    private int runProgram(ProgObject prog, XdpRun r) {
        XdpProgram c = code;
        if (c == null) {
            unbound++;
            return XdpAction.XDP_PASS;
        }
        ran++;
        try {
            return c.run(r);
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            prog.abortedRun();
            return XdpAction.XDP_ABORTED;
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError) {
                throw (VirtualMachineError) t;
            }
            return XdpAction.XDP_ABORTED;
        }
    }

    private int pass(int start, int end) {
        FrameListener l = dev.pass;
        if (l != null) {
            hand(l, start, end);
        }
        return verdict(PASS, XdpAction.XDP_PASS);
    }

    private int tx(int start, int end) {
        FrameListener l = dev.tx;
        if (l != null) {
            hand(l, start, end);
        }
        return verdict(TX, XdpAction.XDP_TX);
    }

    private void hand(FrameListener l, int start, int end) {
        out.clear();
        out.position(start).limit(end);
        try {
            l.frame(ifindex, queue, out);
        } catch (RuntimeException e) {
            // the listener's failure: the frame is gone, the queue goes on
        }
    }

    private int count(ByteBuffer frame) {
        int len = frame.remaining();
        inc(PACKETS);
        add(BYTES, len);
        return len;
    }

    private int verdict(int counter, int v) {
        inc(counter);
        return v;
    }

    private int drop(int counter, Errno e) {
        inc(counter);
        return e.ret();
    }

    private void inc(int i) {
        add(i, 1);
    }

    /** Staged in the poll's counters, published at its flush. */
    private void add(int i, long n) {
        pending[i] += n;
    }

    private long get(int i) {
        return (long) COUNT.getOpaque(counts, i);
    }

    /** The queue's counters now. */
    public RxQueueStatistics statistics() {
        return new RxQueueStatistics(get(PACKETS), get(BYTES), get(PASS), get(DROP), get(TX), get(REDIRECT),
                get(ABORTED), get(REDIRECT_ERRORS), get(NO_BUFFER), get(OVERSIZE));
    }

    @Override
    public String toString() {
        return dev.device.name() + " rx queue " + queue;
    }
}
