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

/**
 * One RX queue of a device: where frames enter the emulation ({@link #receive}), on the caller's
 * thread, as a driver's NAPI poll runs a queue on one CPU. Queue {@code i} stands for CPU
 * {@code i} (folded into an instance's possible CPUs), which per-CPU maps see from the program.
 * One caller at a time runs a queue (a lock per queue, uncontended when each queue has its
 * thread, as each NAPI instance has its CPU).
 *
 * <p>Per frame: the device's XDP program ({@link DeviceXdp}, read per frame) runs over it and its
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
     * as it was; the caller may reuse it at once).
     *
     * @return the verdict the frame got ({@link XdpAction}; XDP_ABORTED for a throw or an unknown
     *     verdict, XDP_PASS without a program), or a negated errno when it was dropped on the way:
     *     ENOMEM no buffer (free list and FILL ring empty), ENOSPC longer than the buffer, and for
     *     a failed redirect the error of {@code xdp_do_redirect}: EINVAL (no socket chosen, or one
     *     bound to another device or queue), ENXIO (the socket closed or has no RX ring), ENOBUFS
     *     (its RX ring full)
     */
    public int receive(ByteBuffer frame) {
        while (true) {
            XdpSocket.Pool p = pool;
            synchronized (this) {
                if (p == null) {
                    if (pool != null) {
                        continue;
                    }
                    return receiveOwn(frame);
                }
                synchronized (p) { // the pool's lock: XdpSocket.deliver and transmit take it too
                    if (pool != p) {
                        continue;
                    }
                    return receiveZc(p, frame);
                }
            }
        }
    }

    private int receiveOwn(ByteBuffer frame) {
        int len = count(frame);
        if (len > MAX_FRAME) {
            return drop(OVERSIZE, Errno.ENOSPC);
        }
        int data = Umem.XDP_PACKET_HEADROOM;
        own.put(data, frame, frame.position(), len);
        ProgObject prog = programs == null ? null : programs.program(ifindex);
        if (prog == null) {
            return pass(data, data + len);
        }
        XdpRun r = context(prog).set(own, 0, data, data + len, ifindex, queue);
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

    private int receiveZc(XdpSocket.Pool p, ByteBuffer frame) {
        int len = count(frame);
        Umem u = p.umem;
        if (len > u.rxFrameLen()) {
            return drop(OVERSIZE, Errno.ENOSPC);
        }
        long chunk = p.alloc();
        if (chunk < 0) {
            return drop(NO_BUFFER, Errno.ENOMEM); // the FILL ring counted queue_empty_descs
        }
        ByteBuffer mem = p.view;
        int hard = (int) chunk + u.headroom();
        int data = hard + Umem.XDP_PACKET_HEADROOM;
        mem.put(data, frame, frame.position(), len);
        ProgObject prog = programs == null ? null : programs.program(ifindex);
        int v = XdpAction.XDP_PASS;
        int start = data;
        int end = data + len;
        XdpRun r = null;
        if (prog != null) {
            r = context(prog).set(mem, hard, data, end, ifindex, queue);
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
     * is goes in its RX ring ({@code __xsk_rcv_zc}); on any error the buffer goes back to the
     * pool's free list ({@code xsk_buff_free} of the driver's redirect failure).
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
            XdpRing.Producer rx = s.rxRing().producer();
            if (rx.reserve(1) == 0) {
                s.rxQueueFull.incrementAndGet();
                err = Errno.ENOBUFS.ret();
            } else {
                rx.desc(rx.index(), start, end - start, 0);
                rx.submit(1);
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

    /** The program's verdict; anything it throws is XDP_ABORTED (ProgObject.run catches the common ones). */
    private static int runProgram(ProgObject prog, XdpRun r) {
        try {
            return prog.run(r);
        } catch (Throwable t) { // an Error the run lets through: the queue's thread lives on
            if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
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

    private void add(int i, long n) {
        COUNT.setOpaque(counts, i, (long) COUNT.getOpaque(counts, i) + n);
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
