package org.bpfmaps.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.impl.Instance;
import org.bpfmaps.core.impl.ProgObject;
import org.bpfmaps.core.prog.XdpAction;
import org.bpfmaps.core.prog.XdpProgram;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.bpfmaps.core.xdp.FrameSource;
import org.bpfmaps.core.xdp.NetDevices;
import org.bpfmaps.core.xdp.RingType;
import org.bpfmaps.core.xdp.RxQueue;
import org.bpfmaps.core.xdp.UmemConfig;
import org.bpfmaps.core.xdp.XdpRing;
import org.bpfmaps.core.xdp.XdpSocket;
import org.bpfmaps.map.xsk.XskMapProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Control;

/**
 * Frames handed from one thread to another, issue 21: the XDP path against the plain Java way.
 * Each is a JMH group of one producer and one consumer thread; an op is one frame delivered (the
 * consumers' rows are the results).
 *
 * <p>{@code xskPath}: the producer is a device's driver: a NAPI poll of up to {@link #BUDGET}
 * frames from an in-memory generator ({@link RxQueue#receive(FrameSource, int)}): each frame is
 * written into a UMEM frame taken from the FILL ring, an XDP program redirects it by queue through
 * an XSKMAP ({@code redirect_map(xsks, rx_queue_index, XDP_PASS)}), its descriptor goes in the
 * socket's RX ring; the poll publishes its descriptors and wakes the reader once. The consumer, as
 * an AF_XDP application (libxdp's {@code xdpsock}): peeks the RX ring for up to a batch, reads each
 * frame in the UMEM (one frame an op), and when the batch is done releases the RX slots and gives
 * the frames back through the FILL ring, waking the device only when the FILL ring asks for it
 * (XDP_USE_NEED_WAKEUP). The UMEM has as many frames as the RX ring holds, so the RX ring is never
 * full: the FILL ring is the back pressure (a poll stops when it runs dry, the frame staying with
 * the generator). Idle sides spin briefly, yield, then sleep until the other wakes them: the
 * consumer in {@link XdpSocket#pollRx} (poll(POLLIN)), the device in {@link RxQueue#awaitFill}.
 *
 * <p>{@code blockingQueue}: the same frames as a Java user hands them over: a new {@code byte[]}
 * per frame (allocation included) through an {@link ArrayBlockingQueue} of the RX ring's capacity,
 * blocking on a full or empty queue (timed, so that an iteration's end never leaves a thread
 * parked).
 *
 * <p>In both groups what a thread writes as it goes is its own {@code Scope.Thread} state (the
 * generator's position, the consumer's batch), not the group's shared state: a producer's counter
 * beside the fields the consumer reads would move a cache line between the cores per frame, which
 * neither a driver nor a Java user has. The rings' ends keep their own words apart in the same way
 * ({@link XdpRing}).
 *
 * <p>Compare the consumers' rows,
 * {@code 'XdpBench.xskPath:xskConsume/XdpBench.blockingQueue:queueConsume@frameSize=64'} in
 * {@code scripts/bench-ratio.sh} (avgt: ns per frame; a ratio of 0.33 or less is 3x the frame
 * rate); Mpps = 1000 / ns.
 */
public class XdpBench {
    /**
     * Frames in flight at most: the RX ring's and the queue's capacity (the same, so that neither
     * side gets a deeper buffer). Measured on the 2-core machine against libxdp's default of 2048
     * ({@code XSK_RING_CONS__DEFAULT_NUM_DESCS}, with the consumer peeking all there is): the
     * queue gains as much as the XSK path from the deeper buffer (its 64-byte frames 131 to
     * 49-91 ns, the path's 70 to 42-97 ns) and the ratio swung from run to run (0.47 to 1.6 at
     * 64 B, 0.30-0.34 at 1500 B), where 256 gave 0.53 twice. {@code -Dxdpbench.ring=N} and
     * {@code -Dxdpbench.batch=N} try others.
     */
    static final int RING = Integer.getInteger("xdpbench.ring", 256);
    /** UMEM frames: the RX ring's worth, so that it is never full (the FILL ring holds them all at first). */
    static final int FRAMES = RING;
    /** Frames of a NAPI poll at most (the kernel's NAPI_POLL_WEIGHT). */
    static final int BUDGET = 64;
    /** Entries the consumer peeks at most: one RX release, one FILL submit and at most one wakeup per batch. */
    static final int CBATCH = Integer.getInteger("xdpbench.batch", BUDGET);
    static final int CHUNK = 2048;
    /** Distinct frames the generator cycles through. */
    static final int PATTERNS = 64;

    /** The generator's frames: Ethernet, IPv4 and UDP headers and a payload, each a little different. */
    static ByteBuffer[] frames(int size) {
        ByteBuffer[] out = new ByteBuffer[PATTERNS];
        for (int k = 0; k < PATTERNS; k++) {
            ByteBuffer b = ByteBuffer.allocateDirect(size).order(ByteOrder.BIG_ENDIAN);
            for (int i = 0; i < size; i++) {
                b.put(i, (byte) (k + i));
            }
            b.putShort(12, (short) 0x0800); // IPv4
            b.put(14, (byte) 0x45).put(23, (byte) 17); // IHL 5, UDP
            b.putShort(36, (short) (4000 + k)); // UDP destination port
            out[k] = b;
        }
        return out;
    }

    /** A device with one queue, an XSK socket bound to it, its XSKMAP and the redirecting program. */
    @State(Scope.Group)
    public static class Xsk {
        ProviderHost runtime;
        BpfInstance bpf;
        RxQueue queue;
        XdpRing.Producer fill;
        XdpRing.Consumer rx;
        ByteBuffer umem;
        XdpSocket socket;

        @Setup(Level.Trial)
        public void setUp() {
            runtime = Standalone.create();
            runtime.addProvider(new XskMapProvider(), 0, "1.0.0");
            bpf = runtime.newInstance(BpfSettings.defaults());
            ErrorSink err = (e, why, a, b) -> {
                throw new IllegalStateException(e + ": " + String.format(why, a, b));
            };
            NetDevices devs = NetDevices.of(bpf);
            int eth = devs.add("eth0", 1, err);
            int fd = XdpSocket.open(bpf, err);
            XdpSocket s = XdpSocket.byFd(bpf, fd);
            s.registerUmem(UmemConfig.of(FRAMES, CHUNK), err);
            s.createRing(RingType.FILL, FRAMES, err);
            s.createRing(RingType.COMPLETION, FRAMES, err);
            s.createRing(RingType.RX, RING, err);
            s.bind(eth, 0, XdpSocket.XDP_USE_NEED_WAKEUP, 0, err);
            int map = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.XSKMAP, 4, 4, 1));
            ByteBuffer key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, 0);
            ByteBuffer value = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, fd);
            check(bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(map, key, value, 0)), "XSKMAP update");
            XdpProgram byQueue = ctx -> ctx.redirectMap(0, ctx.rxQueueIndex(), XdpAction.XDP_PASS);
            int prog = bpf.bpf(BpfCmd.PROG_LOAD, new ProgLoadAttr(ProgType.XDP, byQueue).maps(map));
            check(prog, "PROG_LOAD");
            ((Instance) bpf).deviceXdp().set(eth, (ProgObject) ((Instance) bpf).table().get(prog));
            queue = devs.rxQueue(eth, 0);
            fill = s.ring(RingType.FILL).producer();
            rx = s.ring(RingType.RX).consumer();
            umem = s.umem().buffer();
            socket = s;
            fill.reserve(FRAMES);
            for (int i = 0; i < FRAMES; i++) {
                fill.addr(fill.index() + i, (long) i * CHUNK);
            }
            fill.submit(FRAMES);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            bpf.close();
        }
    }

    /** The queue both threads share. */
    @State(Scope.Group)
    public static class Queue {
        ArrayBlockingQueue<byte[]> queue;

        @Setup(Level.Trial)
        public void setUp() {
            queue = new ArrayBlockingQueue<>(RING);
        }
    }

    /**
     * A producer's frames: the device's hardware ring (always a frame waiting) or the Java
     * producer's input. The producer's own state, apart from what the consumer writes, in both groups.
     */
    @State(Scope.Thread)
    public static class Generator {
        @Param({"64", "1500"})
        public int frameSize;

        ByteBuffer[] frames;
        int next;
        FrameSource source;

        @Setup(Level.Trial)
        public void setUp() {
            frames = frames(frameSize);
            source = this::next;
        }

        ByteBuffer next() {
            return frames[next++ & (PATTERNS - 1)];
        }
    }

    /** The AF_XDP application's batch: RX entries peeked and left to read, the next RX and FILL indices. */
    @State(Scope.Thread)
    public static class Batch {
        int batch;
        int left;
        int rxAt;
        int fillAt;
    }

    /**
     * Idle tries a side spins, and then yields, before it sleeps: 1024 spins, as an AF_XDP
     * application that busy-polls its own core. Measured on the 2-core machine, idle (load
     * 0.5-1.4, one run each, 64-byte frames, XSK / queue frame rate): 64 spins 2.2x, 256 2.6x,
     * 1024 3.6x and 2.7x, 4096 2.7x, 16384 2.8x; 1500-byte frames 4.3-4.5x from 256 to 1024. Under
     * load the other way round: a yield phase let the other processes run for a time slice
     * (0.06-1.8 M frames/s), and 2000 spins made the 64-byte case 6x slower than 64 spins (a side
     * spun while the other was descheduled). {@code -Dxdpbench.spins=N -Dxdpbench.yields=N} try others.
     */
    static final int SPINS = Integer.getInteger("xdpbench.spins", 1024);
    static final int YIELDS = Integer.getInteger("xdpbench.yields", 0);
    /** The longest sleep of an idle side (a wakeup normally ends it first). */
    static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    static void check(int r, String what) {
        if (r < 0) {
            throw new IllegalStateException(what + " failed: " + r);
        }
    }

    /** A side with nothing to do: spin, then yield, then true (the caller sleeps until woken). */
    static boolean idle(int tries) {
        if (tries < SPINS) {
            Thread.onSpinWait();
            return false;
        }
        if (tries < SPINS + YIELDS) {
            Thread.yield();
            return false;
        }
        return true;
    }

    /** The device's side: a NAPI poll of the generator's frames, again until it takes some. */
    @Benchmark
    @Group("xskPath")
    @GroupThreads(1)
    public int xskProduce(Xsk s, Generator g, Control c) {
        int n;
        int tries = 0;
        while ((n = s.queue.receive(g.source, BUDGET)) == 0 && !c.stopMeasurement) {
            // the FILL ring ran dry (the poll set its need_wakeup): the consumer is behind
            if (idle(tries++)) {
                s.queue.awaitFill(WAIT_NANOS);
            }
        }
        return n;
    }

    /**
     * The application's side: one frame of the RX ring read in the UMEM; RX slots released and the
     * frames given back to the FILL ring once per batch, the device woken when it asks.
     */
    @Benchmark
    @Group("xskPath")
    @GroupThreads(1)
    public long xskConsume(Xsk s, Batch b, Control c) {
        XdpRing.Consumer rx = s.rx;
        XdpRing.Producer fill = s.fill;
        if (b.left == 0) {
            int n;
            int tries = 0;
            while ((n = rx.peek(CBATCH)) == 0) {
                if (c.stopMeasurement) {
                    return 0;
                }
                if (idle(tries++)) {
                    s.socket.pollRx(WAIT_NANOS); // poll(POLLIN): woken by the RX path's flush
                }
            }
            if (fill.reserve(n) != n) { // never short: the FILL ring holds every UMEM frame
                throw new IllegalStateException("FILL ring short of " + n + " slots");
            }
            b.batch = b.left = n;
            b.rxAt = rx.index();
            b.fillAt = fill.index();
        }
        int i = b.rxAt++;
        long addr = rx.descAddr(i);
        long v = s.umem.getLong((int) addr + 36) + rx.descLen(i); // the frame's ports, where they were received
        fill.addr(b.fillAt++, addr);
        if (--b.left == 0) {
            rx.release(b.batch);
            fill.submit(b.batch);
            if (fill.needsWakeup()) {
                s.socket.wakeupRx(); // recvfrom(MSG_DONTWAIT): the device waits for FILL frames
            }
        }
        return v;
    }

    /** A Java producer: the frame's bytes into a new array, put on the queue. */
    @Benchmark
    @Group("blockingQueue")
    @GroupThreads(1)
    public boolean queueProduce(Queue s, Generator g, Control c) throws InterruptedException {
        ByteBuffer f = g.next();
        byte[] b = new byte[f.capacity()];
        f.get(0, b);
        while (!s.queue.offer(b, 10, TimeUnit.MILLISECONDS)) {
            if (c.stopMeasurement) {
                return false;
            }
        }
        return true;
    }

    /** A Java consumer: a frame off the queue, read. */
    @Benchmark
    @Group("blockingQueue")
    @GroupThreads(1)
    public long queueConsume(Queue s, Control c) throws InterruptedException {
        byte[] b;
        while ((b = s.queue.poll(10, TimeUnit.MILLISECONDS)) == null) {
            if (c.stopMeasurement) {
                return 0;
            }
        }
        return ((b[36] & 0xffL) << 8 | (b[37] & 0xff)) + b.length;
    }
}
