package org.bpfmaps.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The instance's Unix domain socket: runs the command of each connection (see {@link Frames} for
 * the protocol) in a Gogo session of its own and streams back its output and exit code.
 *
 * <p>What a client does must not disturb the instance or the other clients, so:
 * <ul>
 * <li>Requests are read by one selector thread, without blocking: a client that sends nothing, or
 *     half a request, holds no thread, and is dropped at its deadline ({@value #REQUEST_TIMEOUT_MS}
 *     ms by default). At most {@value #MAX_PENDING} connections may wait so; a new one beyond that
 *     drops the one that has sent nothing for longest, else the oldest with half a request, once
 *     it has had {@value #GRACE_MS} ms to send (new ones wait in the kernel's queue meanwhile). A
 *     request that has arrived is never dropped to make room (see {@link #makeRoom}).
 * <li>A request is refused unread past its header when it claims more than {@link Frames#MAX_REQUEST}
 *     bytes, or starts with anything but the magic; the answer is an {@code Error:} line and 255.
 * <li>Commands run on at most {@value #WORKERS} threads with {@value #QUEUE} more waiting; beyond
 *     that a client is told the instance is busy (exit code 255).
 * <li>A write that the client does not read for {@value #WRITE_TIMEOUT_MS} ms closes the
 *     connection; once a client is gone its command is interrupted (as Ctrl-C would) and the
 *     rest of its output dropped, and its session closed.
 * </ul>
 */
final class CommandServer implements AutoCloseable {
    static final int WORKERS = 4;
    static final int QUEUE = 16;
    static final int MAX_PENDING = 64;
    /**
     * Connections the kernel queues until they are accepted. A client may send its request as
     * soon as it is queued, so a deep queue gives a real client caught in a flood of silent
     * connections time to send before it is accepted, and then it is served at once.
     */
    static final int BACKLOG = 256;
    /**
     * What a connection may take to send its request before it can be dropped to make room: a
     * flood of silent connections cannot push out a real client that is slow to send (a JVM
     * that starts, on a busy machine) however fast it connects; it is accepted at most
     * {@value #MAX_PENDING} per {@value #GRACE_MS} ms instead.
     */
    static final long GRACE_MS = 50;
    private static final long GRACE_NS = TimeUnit.MILLISECONDS.toNanos(GRACE_MS);
    static final long REQUEST_TIMEOUT_MS = 5_000;
    static final long WRITE_TIMEOUT_MS = 10_000;
    /** Output is sent in frames of up to this size (and at the end of each command). */
    static final int BUFFER = 8 * 1024;

    /**
     * Runs one command, given as its words, printing on {@code out} and {@code err}; tells the
     * connection what stops the command ({@link Connection#onGone}) should the client leave while it runs.
     */
    interface Runner {
        int run(List<String> words, PrintStream out, PrintStream err, Connection connection);
    }

    private final SocketPath where;
    private final FileChannel lockFile;
    private final FileLock lock;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Runner runner;
    private final PrintStream log;
    private final long requestTimeoutMs;
    private final long writeTimeoutMs;
    private final ThreadPoolExecutor workers;
    private final ScheduledThreadPoolExecutor watchdog;
    private final Thread acceptor;
    private final SelectionKey listening;
    /** The connections whose request is still being read, oldest first (the acceptor's thread only). */
    private final Set<Pending> waiting = new LinkedHashSet<>();
    /** Those whose request has arrived in this round of the acceptor, to be dispatched at its end. */
    private final List<Pending> ready = new ArrayList<>();
    private volatile boolean closed;

    private CommandServer(SocketPath where, FileChannel lockFile, FileLock lock, ServerSocketChannel server,
            Runner runner, PrintStream log) throws IOException {
        this.where = where;
        this.lockFile = lockFile;
        this.lock = lock;
        this.server = server;
        this.runner = runner;
        this.log = log;
        this.requestTimeoutMs = Long.getLong("bpfmaps.server.request.timeout.ms", REQUEST_TIMEOUT_MS);
        this.writeTimeoutMs = Long.getLong("bpfmaps.server.write.timeout.ms", WRITE_TIMEOUT_MS);
        this.selector = Selector.open();
        server.configureBlocking(false);
        this.listening = server.register(selector, SelectionKey.OP_ACCEPT);
        this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), daemons("bpfmaps-client-"));
        workers.allowCoreThreadTimeOut(true);
        this.watchdog = new ScheduledThreadPoolExecutor(1, daemons("bpfmaps-watchdog-"));
        watchdog.setRemoveOnCancelPolicy(true);
        this.acceptor = daemons("bpfmaps-listen-").newThread(this::acceptLoop);
    }

    /**
     * Listens on {@code where} and serves commands with {@code runner}; null when another live
     * instance listens there already (it holds the lock). A socket file that no live instance
     * holds is a stale one, left by an instance that was killed: it is replaced.
     */
    static CommandServer listen(SocketPath where, Runner runner, PrintStream log) throws IOException {
        FileChannel lockFile = FileChannel.open(where.lock(), java.util.Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(SocketPath.OWNER_ONLY_FILE));
        FileLock lock = null;
        try {
            try {
                lock = lockFile.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this JVM listens already
            }
            if (lock == null) {
                lockFile.close();
                return null;
            }
            Files.deleteIfExists(where.socket());
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                server.bind(UnixDomainSocketAddress.of(where.socket()), BACKLOG);
                // The folder is the user's only; the socket too, whatever the umask made of it.
                Files.setPosixFilePermissions(where.socket(), SocketPath.OWNER_ONLY_FILE);
                CommandServer s = new CommandServer(where, lockFile, lock, server, runner, log);
                s.acceptor.start();
                return s;
            } catch (IOException | RuntimeException e) {
                server.close();
                Files.deleteIfExists(where.socket());
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            if (lock != null) {
                lock.release();
            }
            lockFile.close();
            throw e;
        }
    }

    SocketPath where() {
        return where;
    }

    /** A connection whose request is being read: what has arrived so far, and until when it may. */
    private static final class Pending {
        final SocketChannel ch;
        final long accepted;
        final long deadline;
        final ByteBuffer header = ByteBuffer.allocate(Frames.MAGIC.length + 4);
        ByteBuffer body;
        SelectionKey key;

        Pending(SocketChannel ch, long accepted, long deadline) {
            this.ch = ch;
            this.accepted = accepted;
            this.deadline = deadline;
        }

        /** Nothing of the request has arrived yet. */
        boolean idle() {
            return header.position() == 0;
        }
    }

    private void acceptLoop() {
        try {
            while (!closed) {
                // New connections only while there is room; else they wait in the kernel's queue
                // until the oldest may be dropped, the earliest that room can be made.
                boolean room = makeRoom();
                listening.interestOps(room ? SelectionKey.OP_ACCEPT : 0);
                long wait = 0;
                if (!waiting.isEmpty()) {
                    Pending oldest = waiting.iterator().next();
                    long next = room ? oldest.deadline : Math.min(oldest.deadline, oldest.accepted + GRACE_NS);
                    wait = Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime()) + 1);
                }
                selector.select(wait);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) {
                        continue; // dropped, or its request read, earlier in this round
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else if (key.isReadable()) {
                        read((Pending) key.attachment());
                    }
                }
                expire();
                if (!ready.isEmpty()) {
                    selector.selectNow(); // deregisters the cancelled keys, so the channels may block
                    for (Pending p : ready) {
                        dispatch(p);
                    }
                    ready.clear();
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                log.println("bpfmaps: the socket listener stopped: " + LineRunner.message(e));
            }
        }
    }

    /**
     * Takes one connection from the kernel's queue and reads at once what it has sent: a client
     * that sent its request while queued is served without waiting among the others.
     */
    private void accept() {
        SocketChannel ch;
        try {
            ch = server.accept();
        } catch (IOException e) {
            return; // out of file descriptors, say: the connection waits in the kernel's queue
        }
        if (ch == null) {
            return;
        }
        long now = System.nanoTime();
        Pending p = new Pending(ch, now, now + TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs));
        try {
            ch.configureBlocking(false);
            p.key = ch.register(selector, SelectionKey.OP_READ, p);
        } catch (IOException e) {
            closeQuietly(ch);
            return;
        }
        waiting.add(p);
        read(p);
    }

    /**
     * Reads what has arrived for a waiting connection: once its request is complete it is ready
     * to run; garbage, or a client gone, is dropped. Either way it no longer waits.
     */
    private void read(Pending p) {
        if (readRequest(p.key, p.ch, p)) {
            waiting.remove(p);
            ready.add(p);
        } else if (!p.key.isValid()) {
            waiting.remove(p);
        }
    }

    /**
     * Makes room for one more connection, if need be, by dropping without an answer one whose
     * request has not arrived and that has had {@link #GRACE_MS} to send it: the one that has sent
     * nothing for longest, else the one that has waited longest with part of its request. False
     * when all are younger: no connection is accepted until the oldest has had its time. A flood
     * of silent connections thus loses its oldest members, not a real client, which sends at
     * once: while queued in the kernel (then it is served on accept), or within its grace. Each is
     * read once more before it is dropped, and one whose request has come meanwhile is served
     * instead, so that a request that has arrived is never lost to make room.
     */
    private boolean makeRoom() {
        long now = System.nanoTime();
        while (waiting.size() >= MAX_PENDING) {
            Pending victim = null;
            for (Pending p : waiting) {
                if (now - p.accepted < GRACE_NS) {
                    break; // it and all after it (they came later) still have time to send
                }
                if (p.idle()) {
                    victim = p; // the oldest that has sent nothing: the first choice
                    break;
                }
                if (victim == null) {
                    victim = p;
                }
            }
            if (victim == null) {
                return false;
            }
            boolean wasIdle = victim.idle();
            read(victim);
            if (!waiting.contains(victim) || wasIdle && !victim.idle()) {
                continue; // its request came (it will run), it was dropped, or it has begun to send
            }
            waiting.remove(victim);
            victim.key.cancel();
            closeQuietly(victim.ch);
        }
        return true;
    }

    /**
     * Connections whose request has not arrived in time are dropped without an answer (after a
     * last read, so that a request that came at its deadline still runs).
     */
    private void expire() {
        long now = System.nanoTime();
        List<Pending> late = new ArrayList<>();
        for (Pending p : waiting) {
            if (now - p.deadline < 0) {
                break; // in the order they came, so in the order of their deadlines
            }
            late.add(p);
        }
        for (Pending p : late) {
            read(p);
            if (waiting.remove(p)) {
                p.key.cancel();
                closeQuietly(p.ch);
            }
        }
    }

    /** Reads what has arrived; true once the request is complete (the key is then cancelled). */
    private boolean readRequest(SelectionKey key, SocketChannel ch, Pending p) {
        try {
            ByteBuffer target = p.body == null ? p.header : p.body;
            if (ch.read(target) < 0) {
                drop(key, ch, p.header.position() == 0 && p.body == null ? null
                        : "the request ended early: " + (p.body == null ? "half a header" : "half a request"));
                return false;
            }
            if (p.body == null && !p.header.hasRemaining()) {
                byte[] magic = Arrays.copyOf(p.header.array(), Frames.MAGIC.length);
                int len = p.header.getInt(Frames.MAGIC.length);
                if (!Arrays.equals(magic, Frames.MAGIC)) {
                    String expected = new String(Frames.MAGIC, StandardCharsets.US_ASCII);
                    drop(key, ch, Arrays.equals(magic, Frames.MAGIC_V1)
                            ? "a request of protocol BPF1, from an older bpfmaps: this instance speaks " + expected
                            : "not a bpfmaps request (protocol " + expected + " expected)");
                    return false;
                }
                if (len < Frames.MIN_REQUEST || len > Frames.MAX_REQUEST) {
                    drop(key, ch, "a request of " + Integer.toUnsignedString(len) + " bytes: it must be "
                            + Frames.MIN_REQUEST + " to " + Frames.MAX_REQUEST);
                    return false;
                }
                p.body = ByteBuffer.allocate(len);
                ch.read(p.body);
            }
            if (p.body != null && !p.body.hasRemaining()) {
                key.cancel();
                return true;
            }
            return false;
        } catch (IOException e) {
            drop(key, ch, null);
            return false;
        }
    }

    /** Ends a connection before its command ran: with an Error line and 255 when there is a reason. */
    private static void drop(SelectionKey key, SocketChannel ch, String why) {
        key.cancel();
        if (why != null) {
            refuse(ch, why);
        } else {
            closeQuietly(ch);
        }
    }

    private void dispatch(Pending p) {
        SocketChannel ch = p.ch;
        try {
            ch.configureBlocking(true);
        } catch (IOException e) {
            closeQuietly(ch);
            return;
        }
        List<String> words;
        try {
            words = Frames.words(p.body.flip());
        } catch (Frames.BadRequest e) {
            refuse(ch, e.getMessage());
            return;
        }
        try {
            workers.execute(() -> serve(ch, words));
        } catch (RejectedExecutionException e) {
            refuse(ch, "the instance is busy: " + WORKERS + " commands run and " + QUEUE + " wait; try again");
        }
    }

    /**
     * Answers an Error line and exit status 255, then closes. A small answer into an empty socket
     * buffer: it does not block, even on a non-blocking channel.
     */
    private static void refuse(SocketChannel ch, String why) {
        try {
            byte[] text = ("Error: " + why + "\n").getBytes(StandardCharsets.UTF_8);
            Frames.write(ch, Frames.ERR, text, 0, text.length);
            Frames.writeExit(ch, LineRunner.FAILED);
        } catch (IOException e) {
            // The client has gone: nothing to tell it.
        }
        closeQuietly(ch);
    }

    private void serve(SocketChannel ch, List<String> words) {
        Connection c = new Connection(ch);
        try {
            PrintStream out = new PrintStream(c.stream(Frames.OUT), false, StandardCharsets.UTF_8);
            PrintStream err = new PrintStream(c.stream(Frames.ERR), false, StandardCharsets.UTF_8);
            int code;
            try {
                code = runner.run(words, out, err, c);
            } catch (Throwable t) { // the instance goes on, whatever one command did
                err.println("Error: " + LineRunner.message(t));
                code = LineRunner.FAILED;
            }
            out.flush();
            err.flush();
            c.exit(code);
        } finally {
            closeQuietly(ch);
        }
    }

    /**
     * One client's connection while its command runs: output coalesced into frames in the order
     * written, each write guarded by the watchdog, and the news that the client has gone.
     */
    final class Connection {
        private final SocketChannel ch;
        private final byte[] buf = new byte[BUFFER];
        private int len;
        private byte type = Frames.OUT;
        private volatile boolean gone;
        private volatile Runnable onGone;

        Connection(SocketChannel ch) {
            this.ch = ch;
        }

        /** What to do when the client goes away while the command runs (interrupt it). */
        void onGone(Runnable r) {
            onGone = r;
            if (gone) {
                r.run();
            }
        }

        boolean gone() {
            return gone;
        }

        OutputStream stream(byte t) {
            return new OutputStream() {
                @Override
                public void write(int b) {
                    Connection.this.write(t, new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int n) {
                    Connection.this.write(t, b, off, n);
                }

                @Override
                public void flush() {
                    Connection.this.flush();
                }
            };
        }

        synchronized void write(byte t, byte[] b, int off, int n) {
            if (gone) {
                return;
            }
            if (t != type) {
                flush();
                type = t;
            }
            while (n > 0) {
                int k = Math.min(n, buf.length - len);
                System.arraycopy(b, off, buf, len, k);
                len += k;
                off += k;
                n -= k;
                if (len == buf.length) {
                    flush();
                }
            }
        }

        synchronized void flush() {
            if (len == 0 || gone) {
                len = 0;
                return;
            }
            send(() -> Frames.write(ch, type, buf, 0, len));
            len = 0;
        }

        synchronized void exit(int code) {
            flush();
            send(() -> Frames.writeExit(ch, code & 0xff));
        }

        private interface Io {
            void run() throws IOException;
        }

        /** One write, which the watchdog ends by closing the channel if the client does not read. */
        private void send(Io io) {
            if (gone) {
                return;
            }
            java.util.concurrent.atomic.AtomicBoolean fired = new java.util.concurrent.atomic.AtomicBoolean();
            ScheduledFuture<?> guard = watchdog.schedule(() -> {
                fired.set(true);
                closeQuietly(ch);
            }, writeTimeoutMs, TimeUnit.MILLISECONDS);
            try {
                io.run();
            } catch (IOException e) {
                if (fired.get()) {
                    log.println("bpfmaps: a client read nothing for " + writeTimeoutMs + " ms: its connection is closed");
                }
                gone = true;
                Runnable r = onGone;
                if (r != null) {
                    r.run();
                }
            } finally {
                guard.cancel(false);
            }
        }
    }

    /** Stops listening: no new connection; commands running are interrupted; the socket file goes. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        selector.wakeup();
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey k : selector.keys()) {
            closeQuietly(k.channel());
        }
        closeQuietly(selector);
        workers.shutdownNow();
        watchdog.shutdownNow();
        try {
            Files.deleteIfExists(where.socket());
        } catch (IOException e) {
            // The next instance replaces it.
        }
        try {
            lock.release();
            lockFile.close();
        } catch (IOException e) {
            // Released with the process anyway.
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // Closing is all that is left to do.
        }
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
