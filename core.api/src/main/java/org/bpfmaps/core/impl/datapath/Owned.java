package org.bpfmaps.core.impl.datapath;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.SockChannel;

/**
 * One owned socket (the kernel's {@code sk_psock}): its {@link Receive receive path}, which the
 * selector thread alone touches, and its queues in (for the application's reads) and out (to its
 * socket), guarded by this object's monitor, with the application's side of it (a
 * {@link SockChannel}; its SK_MSG send path is {@link MsgSend}). The selector thread never holds two
 * sockets' monitors at once, and runs programs under none. The queues are {@link ByteQueue}s of
 * pooled direct chunks: queueing a message allocates nothing.
 */
final class Owned implements SockChannel {
    private final DataPath dp;
    final BpfSocket sock;
    final SocketChannel ch;
    /** What the socket runs now; replaced when its links change ({@link #programs}). */
    private volatile SockPrograms progs;
    /** The read side's and the send side's budgets (sk_rcvbuf, sk_sndbuf): kept apart. */
    private final int readLimit;
    private final int sendLimit;
    SelectionKey key;
    private final Receive rx;
    /** The receive path's turn, queued on the selector thread when a target made room or a map came back. */
    final Runnable serviceReadTask = this::serviceRead;
    /** This socket as a target: into its read side, out of it. */
    private final Decision toApp = new Decision(this, true);
    private final Decision toWire = new Decision(this, false);

    // Guarded by this.
    private final ByteQueue in;
    private final ByteQueue out;
    private boolean eofIn;
    private boolean shutOutRequested;
    private boolean closed;
    private IOException error;
    /** Sources waiting for room here, on the read side and the send side. */
    private final Waiters readWaiters = new Waiters();
    private final Waiters sendWaiters = new Waiters();
    private boolean blocking = true;
    /**
     * Threads waiting in {@link #read} for bytes and in {@link #take} for room on the read side or
     * the send side: each kind is woken only when its condition may have changed (a notify wakes
     * every waiter of the monitor, a wakeup is a context switch).
     */
    private int readersWaiting;
    private int writersWaitingRead;
    private int writersWaitingSend;

    /** The application's send path (SK_MSG), serialized by sendLock. */
    private final Object sendLock = new Object();
    private final MsgSend send;

    Owned(DataPath dp, BpfSocket sock, SocketChannel ch, SockPrograms progs) {
        this.dp = dp;
        this.sock = sock;
        this.ch = ch;
        this.progs = progs;
        this.readLimit = dp.config.readQueue();
        this.sendLimit = dp.config.sendQueue();
        this.in = new ByteQueue(dp.chunks);
        this.out = new ByteQueue(dp.chunks);
        this.rx = new Receive(this, dp);
        this.send = new MsgSend(this, dp, sendLimit);
    }

    void programs(SockPrograms p) {
        progs = p;
    }

    SockPrograms programs() {
        return progs;
    }

    /** A message to this socket: into its read side ({@code ingress}) or out of it. */
    Decision to(boolean ingress) {
        return ingress ? toApp : toWire;
    }

    // ---- the receive path's side (selector thread) ----

    void serviceRead() {
        rx.serviceRead();
    }

    /** After an abandoned run: drops the message in flight (len -1: all that was received). */
    void dropHead(int len) {
        rx.dropHead(len);
    }

    /**
     * Sets or clears one interest op of the socket's key, atomically (the selector thread and the
     * application's writers both change them), waking the selector when another thread changed them.
     */
    void interest(int op, boolean on) {
        SelectionKey k = key;
        if (k == null) {
            return;
        }
        try {
            int old = on ? k.interestOpsOr(op) : k.interestOpsAnd(~op);
            if (((old & op) != 0) != on && !dp.onSelectorThread()) {
                dp.selector.wakeup();
            }
        } catch (CancelledKeyException e) {
            // closed or failed: nothing more to select
        }
    }

    /** The receive path read the end of the stream. */
    synchronized void endOfStream() {
        eofIn = true;
        notifyAll();
    }

    /**
     * Gives a message to its target; false, with this socket noted on the target, when it does
     * not fit there now or was written only in part ({@code bytes}' position past what went). A
     * closed or failed target drops it.
     */
    boolean deliver(Decision d, ByteBuffer bytes) {
        if (d.target() == null) {
            dp.dropped.increment();
            return true;
        }
        return d.target().take(bytes, d.ingress(), this, false);
    }

    /**
     * Takes {@code bytes} into the read side or out of the socket. Not when over that side's
     * budget (the read queue's, or the send queue's with the cork: a writer never waits for the
     * read side, which only the application's reads drain): then the waiter is noted (false), or
     * with {@code block} the caller waits for room. A message
     * redirected out of this socket by another socket's receive path ({@code waiter} set) is not
     * taken either while the out queue holds bytes, and what of it the socket does not take when
     * written is left to the source (false, with {@code bytes}' position past what went): the
     * socket is full, and the rest waits in its source's receive buffer until the socket is
     * writable again, as a copy loop stops reading while its buffer is pending. So the receive path
     * copies no byte in user space (socket to receive buffer to socket), and the source's peer is
     * slowed by TCP as soon as this socket is. Only the application's writes are queued.
     */
    synchronized boolean take(ByteBuffer bytes, boolean ingress, Owned waiter, boolean block) {
        int len = bytes.remaining();
        while (!closed && error == null && !(shutOutRequested && !ingress)
                && (ingress ? in.size() + len > readLimit
                        : sendQueued() + len > sendLimit || waiter != null && !out.isEmpty())) {
            if (!block) {
                if (waiter != null) {
                    (ingress ? readWaiters : sendWaiters).add(waiter);
                }
                return false;
            }
            if (ingress) {
                writersWaitingRead++;
            } else {
                writersWaitingSend++;
            }
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                if (ingress) {
                    writersWaitingRead--;
                } else {
                    writersWaitingSend--;
                }
            }
        }
        if (closed || error != null || (shutOutRequested && !ingress)) {
            dp.dropped.increment();
            return true;
        }
        if (ingress) {
            in.add(bytes);
            if (readersWaiting > 0) {
                notifyAll();
            }
        } else {
            if (out.isEmpty()) {
                try {
                    ch.write(bytes);
                } catch (IOException e) {
                    failLocked(e);
                    dp.dropped.increment();
                    return true;
                }
            }
            if (bytes.hasRemaining()) {
                interest(SelectionKey.OP_WRITE, true);
                if (waiter != null) {
                    // the receive path's message: what the socket did not take stays in the
                    // source's buffer (bytes' position says how much went) until it is writable
                    sendWaiters.add(waiter);
                    return false;
                }
                out.add(bytes);
            }
        }
        dp.account(queued() + rx.held());
        return true;
    }

    /** Bytes in the queues and the cork. */
    private long queued() {
        return in.size() + sendQueued();
    }

    /** Bytes of the send side: the out queue and the cork. */
    private long sendQueued() {
        return out.size() + send.corkHeld();
    }

    /** Sources paused on one side of a socket (no iterator, no allocation once grown). */
    private static final class Waiters {
        private Owned[] at = new Owned[2];
        private int count;

        void add(Owned w) {
            for (int i = 0; i < count; i++) {
                if (at[i] == w) {
                    return;
                }
            }
            if (count == at.length) {
                at = java.util.Arrays.copyOf(at, count * 2);
            }
            at[count++] = w;
        }

        /** Resumes every source (on the selector thread) and forgets them. */
        void resume(DataPath dp) {
            for (int i = 0; i < count; i++) {
                dp.submit(at[i].serviceReadTask);
                at[i] = null;
            }
            count = 0;
        }
    }

    /** Writes the out queue (selector thread, on OP_WRITE), in one gathering write. */
    synchronized void flush() {
        if (!out.isEmpty()) {
            try {
                out.writeTo(ch);
            } catch (IOException e) {
                failLocked(e);
                return;
            }
            if (!out.isEmpty()) {
                return;
            }
        }
        if (closed) {
            closeChannel();
            return;
        }
        interest(SelectionKey.OP_WRITE, false);
        shutdownIfDrained();
        sendRoomMade();
    }

    private void shutdownIfDrained() {
        if (shutOutRequested && out.isEmpty() && ch.isOpen()) {
            try {
                ch.shutdownOutput();
            } catch (IOException e) {
                failLocked(e);
            }
        }
    }

    /**
     * The application read: wakes the writers blocked on the read side and, when a message fits,
     * the sources paused on it.
     */
    private void readRoomMade() {
        if (writersWaitingRead > 0) {
            notifyAll(); // not for a reader waiting for bytes, nor a writer waiting to send
        }
        if (in.size() + dp.config.receiveBuffer() <= readLimit) {
            readWaiters.resume(dp);
        }
    }

    /**
     * Queued bytes went out: wakes the writers blocked on the send side and, when a message fits,
     * the sources paused on it (a source redirecting out of this socket while its out queue still
     * holds bytes finds no room and waits again: {@link #flush} wakes it when the queue is written).
     */
    private void sendRoomMade() {
        if (writersWaitingSend > 0) {
            notifyAll();
        }
        if (sendQueued() + dp.config.receiveBuffer() <= sendLimit) {
            sendWaiters.resume(dp);
        }
    }

    /** Closed or failed: everyone waiting here goes on (and finds the socket gone). */
    private void allGone() {
        notifyAll();
        readWaiters.resume(dp);
        sendWaiters.resume(dp);
    }

    void fail(IOException e) {
        synchronized (this) {
            failLocked(e);
        }
    }

    private void failLocked(IOException e) {
        if (error == null) {
            error = e;
        }
        in.clear();
        out.clear();
        eofIn = true;
        if (key != null) {
            key.cancel();
        }
        if (closed) {
            closeChannel();
        }
        allGone();
    }

    synchronized boolean isClosedNow() {
        return closed || error != null;
    }

    // ---- the application's side ----

    @Override
    public BpfSocket socket() {
        return sock;
    }

    @Override
    public synchronized SockChannel configureBlocking(boolean block) {
        blocking = block;
        return this;
    }

    @Override
    public synchronized boolean isBlocking() {
        return blocking;
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        while (in.isEmpty()) {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (error != null) {
                throw new IOException(error.getMessage(), error);
            }
            if (eofIn) {
                return -1;
            }
            if (!blocking || !dst.hasRemaining()) {
                return 0;
            }
            readersWaiting++;
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            } finally {
                readersWaiting--;
            }
        }
        int n = in.read(dst);
        readRoomMade();
        return n;
    }

    /**
     * Sends {@code src}: through the SK_MSG program when the socket has one (each write is a
     * message, at most the queue limit long), else out of the socket. A verdict of SK_DROP on the
     * first message of the write answers EACCES, as {@code tcp_bpf_sendmsg} does; after bytes were
     * taken, the write returns their count.
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        synchronized (sendLock) {
            checkWritable();
            return send.write(src, isBlocking(), progs.msgVerdict());
        }
    }

    private void checkWritable() throws IOException {
        synchronized (this) {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (error != null) {
                throw new IOException(error.getMessage(), error);
            }
            if (shutOutRequested) {
                throw new java.nio.channels.ClosedChannelException();
            }
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        synchronized (sendLock) {
            synchronized (this) {
                if (closed) {
                    throw new ClosedChannelException();
                }
                shutOutRequested = true;
                if (out.isEmpty()) {
                    shutdownIfDrained();
                }
            }
        }
    }

    @Override
    public synchronized long bufferedBytes() {
        return queued() + rx.held();
    }

    @Override
    public boolean isOpen() {
        synchronized (this) {
            return !closed;
        }
    }

    /**
     * Closes the socket. What was queued out of it is still written, as the kernel sends what a
     * closed socket's send queue holds; then its channel closes (at once when nothing is queued,
     * or when the peer stops taking bytes: a write error). What was queued for the application
     * goes; sources paused on this socket drop their message and go on.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            in.clear();
            if (out.isEmpty() || error != null) {
                closeChannel();
            }
            allGone();
        }
        dp.forget(this);
        dp.selector.wakeup();
    }

    /** Closes the socket at once, dropping what was queued out of it too (the data path stops). */
    void abort() {
        close();
        synchronized (this) {
            closeChannel();
        }
    }

    /** Closes the channel; the socket leaves its maps now, the selector releases the fd at its next select. */
    private void closeChannel() {
        out.clear();
        try {
            ch.close();
        } catch (IOException e) {
            // closed as far as anyone can tell
        }
        sock.closed();
    }
}
