package org.bpfmaps.core.impl.datapath;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.impl.ProgObject;
import org.bpfmaps.core.impl.RunContext;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.SockChannel;
import org.bpfmaps.core.sock.Sockets;

/**
 * The data path of sockets whose I/O the core owns (the kernel's {@code sk_psock} receive and send
 * paths, net/core/skmsg.c and net/ipv4/tcp_bpf.c), for TCP sockets registered as
 * {@code java.nio} channels.
 *
 * <p>Threads: one selector thread owns every owned socket's reads and the writes of what others
 * redirected to it; the application's threads read and write through each socket's
 * {@link SockChannel} (SK_MSG programs run on the writing thread, as in the kernel's
 * {@code sendmsg}). Each received chunk is cut into messages by the stream parser (without one,
 * each read is a message, as {@code sk_psock_verdict_recv} does), and the verdict decides each.
 *
 * <p>Memory: each socket holds at most {@link Config#budgetPerSocket} bytes: its receive buffer
 * ({@link Config#receiveBuffer}, the largest message) plus its queue in (for the application's
 * reads, at most {@link Config#readQueue}) and its queue out (to its socket, at most
 * {@link Config#sendQueue}), kept apart as the kernel's sk_rcvbuf and sk_sndbuf: a writer waits
 * only for room to send, which the selector thread always makes by writing to the network. A
 * message that does not fit waits at the head of its source's
 * receive buffer and the source stops reading until the target drains: a slow target slows its
 * sources, and the kernel's socket buffers then slow the peers.
 *
 * <p>Runaway programs: a Java program cannot be pre-empted. A watchdog thread abandons a run of the
 * selector thread that lasts past {@link Config#runDeadlineNanos}: it counts it, drops that message,
 * and starts a new selector thread that carries on; the old thread, when its program returns,
 * sees that it was replaced and ends without touching anything. A program that never returns
 * keeps its thread forever: a CPU-bound one keeps a core busy (on a 2-core machine, half of it),
 * a blocked one only its stack. Sockets not involved lose nothing; the message in flight is
 * dropped and counted in {@link #abandonedRuns}.
 */
public final class DataPath implements AutoCloseable {
    /**
     * The budgets of each socket, kept apart as the kernel keeps {@code sk_rcvbuf} and
     * {@code sk_sndbuf}: what waits for the application's read never takes the room its writes
     * need, so an application that echoes on its own socket is never stuck waiting for itself.
     *
     * @param receiveBuffer    bytes of each socket's receive buffer: the largest message a parser may ask for
     * @param readQueue        bytes decided for a socket's read side (SK_PASS, BPF_F_INGRESS redirects)
     *                         and not yet read by the application; at least receiveBuffer
     * @param sendQueue        bytes queued to go out of a socket (the application's writes, an SK_MSG
     *                         cork, egress redirects) and not yet taken by it; at least receiveBuffer
     * @param runDeadlineNanos how long a program run of the selector thread may last before it is abandoned
     */
    public record Config(int receiveBuffer, int readQueue, int sendQueue, long runDeadlineNanos) {
        public Config {
            if (receiveBuffer <= 0) {
                throw new IllegalArgumentException("receiveBuffer " + receiveBuffer + " must be > 0");
            }
            if (readQueue < receiveBuffer || sendQueue < receiveBuffer) {
                throw new IllegalArgumentException("readQueue " + readQueue + " and sendQueue " + sendQueue
                        + " must each be at least receiveBuffer " + receiveBuffer + " (a whole message fits)");
            }
            if (runDeadlineNanos <= 0) {
                throw new IllegalArgumentException("runDeadlineNanos " + runDeadlineNanos + " must be > 0");
            }
        }

        /**
         * A total per socket: its receive buffer, and the rest split evenly between the read and
         * send queues ({@code budgetPerSocket} at least three times receiveBuffer).
         */
        public Config(int budgetPerSocket, int receiveBuffer, long runDeadlineNanos) {
            this(receiveBuffer, half(budgetPerSocket, receiveBuffer),
                    budgetPerSocket - receiveBuffer - half(budgetPerSocket, receiveBuffer), runDeadlineNanos);
        }

        private static int half(int budgetPerSocket, int receiveBuffer) {
            if (receiveBuffer <= 0 || budgetPerSocket < 3L * receiveBuffer) {
                throw new IllegalArgumentException("budgetPerSocket " + budgetPerSocket
                        + " must be at least three times receiveBuffer " + receiveBuffer + " (> 0)");
            }
            return (budgetPerSocket - receiveBuffer) / 2;
        }

        /** The most a socket holds: its receive buffer and both queues. */
        public long budgetPerSocket() {
            return (long) receiveBuffer + readQueue + sendQueue;
        }

        /** 1 MiB a socket (64 KiB messages, 480 KiB to read, 480 KiB to send), 1 s runs. */
        public static Config defaults() {
            return new Config(1 << 20, 64 << 10, 1_000_000_000L);
        }
    }

    public static final String THREAD_PREFIX = "bpfmaps-datapath";
    static final Abandoned ABANDONED = new Abandoned();

    /** Thrown on a selector thread whose run was abandoned, to end it; never leaves the thread. */
    static final class Abandoned extends Error {
        Abandoned() {
            super("run abandoned by the watchdog", null, false, false);
        }
    }

    final Config config;
    final Selector selector;
    /** By socket object (one per socket, identity equality): a lookup boxes no cookie. */
    private final Map<BpfSocket, Owned> owned = new ConcurrentHashMap<>();
    /** The chunks of every owned socket's queues. */
    final ChunkPool chunks = new ChunkPool();
    /** Work for the selector thread, guarded by itself (an ArrayDeque allocates no node per task). */
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    /** The current selector thread, for {@link #onSelectorThread}. */
    private volatile Thread selectorThread;
    private final AtomicInteger threads = new AtomicInteger();
    private final Thread watchdog;
    private volatile boolean running = true;
    final LongAdder dropped = new LongAdder();
    final LongAdder abandoned = new LongAdder();
    final LongAdder paused = new LongAdder();
    private volatile long peak;

    // The run in flight, guarded by this: which worker runs, since when (0: none), on what.
    private Worker worker;
    private long runStart;
    private Owned inFlight;
    /** The in-flight message's length, -1 for a parser run (the whole receive buffer is dropped). */
    private int inFlightLen;

    public DataPath(Config config) {
        this.config = Objects.requireNonNull(config, "config");
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (this) {
            worker = new Worker(null, 0);
            worker.thread.start();
        }
        watchdog = new Thread(this::watch, THREAD_PREFIX + "-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /**
     * Takes over the I/O of the TCP socket behind {@code sockFd}: from now on the application reads
     * and writes it through the returned channel only, and {@code programs} run on its bytes.
     *
     * @throws IllegalArgumentException when the fd is no socket, no connected TCP channel, or already owned
     */
    public SockChannel own(Bpf bpf, int sockFd, SockPrograms programs) throws IOException {
        BpfSocket s = Sockets.byFd(bpf, sockFd);
        if (s == null) {
            throw new IllegalArgumentException("fd " + sockFd + " is no connected TCP socket channel");
        }
        return own(s, programs);
    }

    /**
     * As {@link #own(Bpf, int, SockPrograms)} for the socket itself: what the core does when a
     * socket takes programs from a map ({@code sock_map_link} starting its psock).
     */
    public SockChannel own(BpfSocket s, SockPrograms programs) throws IOException {
        if (!(s.channel() instanceof SocketChannel ch) || !ch.isConnected()) {
            throw new IllegalArgumentException(s + " is no connected TCP socket channel");
        }
        Owned o = new Owned(this, s, ch, programs == null ? SockPrograms.NONE : programs);
        synchronized (ch.blockingLock()) {
            if (owned.putIfAbsent(s, o) != null) {
                throw new IllegalArgumentException(s + ": the socket's data path is already owned");
            }
            try {
                ch.configureBlocking(false);
                // registered before any other socket can redirect to it (its key takes OP_WRITE then);
                // registering does not wait for the selector thread's select (JDK 11+)
                o.key = ch.register(selector, SelectionKey.OP_READ, o);
            } catch (IOException | RuntimeException e) {
                owned.remove(s, o);
                throw e;
            }
        }
        submit(o.serviceReadTask);
        return o;
    }

    /** The application's channel of an owned socket, or null when this path does not own it. */
    public SockChannel channel(BpfSocket s) {
        return owned(s);
    }

    /**
     * The socket's programs changed (a link added or gone, a parser or verdict stopped): the next
     * message runs the new ones; with none, everything passes to the socket's read side. Returns
     * false when this path does not own the socket.
     */
    public boolean reprogram(BpfSocket s, SockPrograms programs) {
        Owned o = owned(s);
        if (o == null) {
            return false;
        }
        o.programs(programs == null ? SockPrograms.NONE : programs);
        return true;
    }

    /** The socket was closed (its fd or channel): its data path stops, queued bytes with it. */
    public void closed(BpfSocket s) {
        Owned o = owned(s);
        if (o != null) {
            o.abort();
        }
    }

    public Config config() {
        return config;
    }

    /** The owned socket behind a socket, or null (a redirect to a socket this path does not own drops). */
    Owned owned(BpfSocket s) {
        return s == null ? null : owned.get(s);
    }

    void forget(Owned o) {
        owned.remove(o.sock, o);
    }

    /** Messages dropped: SK_DROP verdicts, aborted programs, redirects to no socket or a closed one. */
    public long dropped() {
        return dropped.sum();
    }

    /**
     * Messages whose redirect found its map detached (its provider being updated) and that waited
     * for it instead of dropping.
     */
    public long pausedRedirects() {
        return paused.sum();
    }

    /** Runs the watchdog abandoned. */
    public long abandonedRuns() {
        return abandoned.sum();
    }

    /** Bytes all owned sockets hold now. */
    public long bufferedBytes() {
        long n = 0;
        for (Owned o : owned.values()) {
            n += o.bufferedBytes();
        }
        return n;
    }

    /** The most one socket has held since the start (its receive buffer plus queues). */
    public long peakBufferedPerSocket() {
        return peak;
    }

    void account(long held) {
        if (held > peak) {
            synchronized (this) {
                peak = Math.max(peak, held);
            }
        }
    }

    /** Sockets owned now (until their channel is closed). */
    public int ownedSockets() {
        return owned.size();
    }

    /** Selector threads started since the start (the first, and one per abandoned run). */
    public int threadsStarted() {
        return threads.get();
    }

    /**
     * Queues work for the selector thread: run before its next select. Another thread wakes the
     * selector; the selector thread itself does not need to (a wakeup would cost a syscall and an
     * empty select).
     */
    void submit(Runnable r) {
        synchronized (tasks) {
            tasks.add(r);
        }
        if (!onSelectorThread()) {
            selector.wakeup();
        }
    }

    private Runnable nextTask() {
        synchronized (tasks) {
            return tasks.poll();
        }
    }

    private boolean tasksWaiting() {
        synchronized (tasks) {
            return !tasks.isEmpty();
        }
    }

    /**
     * The id of the current selector thread (tests count what it allocates; the watchdog may
     * replace it), -1 before it started.
     */
    public long selectorThreadId() {
        Thread t = selectorThread;
        return t == null ? -1 : t.getId();
    }

    /** Whether the caller is the current selector thread. */
    boolean onSelectorThread() {
        return Thread.currentThread() == selectorThread;
    }

    /**
     * Runs a program on the selector thread under the watchdog's eye. {@code len}: the message's
     * length, -1 for a parser run.
     */
    int run(ProgObject p, RunContext ctx, Owned o, int len) {
        Worker me;
        synchronized (this) {
            me = worker;
            if (me.thread != Thread.currentThread()) {
                throw ABANDONED;
            }
            runStart = System.nanoTime() | 1;
            inFlight = o;
            inFlightLen = len;
        }
        int r = p.run(ctx);
        synchronized (this) {
            if (worker != me) {
                throw ABANDONED; // replaced meanwhile: the new thread dropped this message
            }
            runStart = 0;
            inFlight = null;
        }
        return r;
    }

    private void watch() {
        long period = Math.max(1_000_000L, config.runDeadlineNanos() / 4);
        while (running) {
            LockSupport.parkNanos(period);
            synchronized (this) {
                if (running && runStart != 0 && System.nanoTime() - runStart > config.runDeadlineNanos()) {
                    abandoned.increment();
                    dropped.increment();
                    runStart = 0;
                    worker = new Worker(inFlight, inFlightLen);
                    inFlight = null;
                    worker.thread.start();
                }
            }
        }
    }

    /** One selector thread; a new one replaces it when the watchdog abandons its run. */
    private final class Worker implements Runnable {
        final Thread thread;
        private final Owned skipOn;
        private final int skipLen;

        Worker(Owned skipOn, int skipLen) {
            this.skipOn = skipOn;
            this.skipLen = skipLen;
            this.thread = new Thread(this, THREAD_PREFIX + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
        }

        /** Keys the last select found ready, handled after it returned (see {@link #run}). */
        private SelectionKey[] ready = new SelectionKey[16];
        private int readyCount;
        private final Consumer<SelectionKey> collect = k -> {
            if (readyCount == ready.length) {
                ready = Arrays.copyOf(ready, readyCount * 2);
            }
            ready[readyCount++] = k;
        };

        /**
         * Selects and handles the ready keys outside the select: a program stuck in a run must
         * not hold the selector's lock, or the thread that replaces it could not select. The keys
         * go to an array of the worker's, so that a round allocates nothing (no selected-key
         * iterator); tasks queued by the handling run before the next select, which does not
         * block while any wait.
         */
        @Override
        public void run() {
            selectorThread = thread;
            try {
                if (skipOn != null) {
                    skipOn.dropHead(skipLen);
                    skipOn.serviceRead();
                }
                while (running) {
                    Runnable t;
                    while ((t = nextTask()) != null) {
                        t.run();
                    }
                    readyCount = 0;
                    if (tasksWaiting()) {
                        selector.selectNow(collect);
                    } else {
                        selector.select(collect);
                    }
                    if (!running) {
                        break;
                    }
                    for (int i = 0; i < readyCount; i++) {
                        SelectionKey k = ready[i];
                        ready[i] = null;
                        if (!k.isValid()) {
                            continue;
                        }
                        Owned o = (Owned) k.attachment();
                        if (k.isWritable()) {
                            o.flush();
                        }
                        if (k.isValid() && k.isReadable()) {
                            o.serviceRead();
                        }
                    }
                }
            } catch (Abandoned a) {
                // replaced by the watchdog: a newer thread owns the selector now
            } catch (IOException | RuntimeException e) {
                if (running) {
                    e.printStackTrace(); // a bug of the data path: say so rather than stall silently
                }
            }
        }
    }

    /** Stops the selector threads and closes every owned socket's channel. */
    @Override
    public void close() {
        running = false;
        synchronized (this) {
            runStart = 0;
        }
        selector.wakeup();
        LockSupport.unpark(watchdog);
        for (Owned o : owned.values()) {
            o.abort();
        }
        Thread t;
        synchronized (this) {
            t = worker.thread;
        }
        try {
            t.join(5000);
            watchdog.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            selector.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
