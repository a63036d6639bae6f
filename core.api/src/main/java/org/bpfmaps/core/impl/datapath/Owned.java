package org.bpfmaps.core.impl.datapath;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.core.impl.MapObject;
import org.bpfmaps.core.impl.MsgRun;
import org.bpfmaps.core.impl.ProgObject;
import org.bpfmaps.core.impl.RunContext;
import org.bpfmaps.core.impl.SkbRun;
import org.bpfmaps.core.prog.SkAction;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.SockChannel;
import org.bpfmaps.core.spi.CurrentCpu;

/**
 * One owned socket (the kernel's {@code sk_psock}): its receive buffer, which the selector thread
 * alone touches, and its queues in (for the application's reads) and out (to its socket), guarded
 * by this object's monitor. The selector thread never holds two sockets' monitors at once, and
 * runs programs under none.
 */
final class Owned implements SockChannel {
    /** Where a message goes: a socket's read side (ingress) or out of it, or nowhere. */
    private record Decision(Owned target, boolean ingress) {
        static final Decision DROP = new Decision(null, false);
        /** The redirect's map is detached: the message waits for it ({@link Owned#paused}). */
        static final Decision PAUSE = new Decision(null, false);
    }

    /** A redirect through a map that was detached: looked up again when the map is back. */
    private record Paused(MapObject map, ByteBuffer key, boolean ingress) {
    }

    /** The CPUs a run may stand for: the machine's (the thread's own fixed CPU, see {@link CurrentCpu}). */
    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    private final DataPath dp;
    final BpfSocket sock;
    private final SocketChannel ch;
    /** What the socket runs now; replaced when its links change ({@link #programs}). */
    private volatile SockPrograms progs;
    private final int limit;
    SelectionKey key;

    // The selector thread's: received bytes [start, end) of rx, and a decided message waiting for room.
    private final byte[] rx;
    private final ByteBuffer rxb;
    private volatile int start;
    private volatile int end;
    private Decision pending;
    /** With {@code pending == PAUSE}: the redirect waiting for its map. */
    private Paused paused;
    private boolean readEof;

    // Guarded by this.
    private final ArrayDeque<ByteBuffer> in = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    private long inBytes;
    private long outBytes;
    private boolean eofIn;
    private boolean shutOutRequested;
    private boolean writeWanted;
    private boolean closed;
    private IOException error;
    private final List<Owned> waiters = new ArrayList<>();
    private boolean blocking = true;

    // The application's send path: serialized by sendLock. Bytes a verdict still applies to
    // (bpf_msg_apply_bytes), and the bytes of a cork (bpf_msg_cork_bytes).
    private final Object sendLock = new Object();
    private long applyLeft;
    private Decision applyDecision;
    private volatile ByteBuffer cork;
    private int corkWant;

    Owned(DataPath dp, BpfSocket sock, SocketChannel ch, SockPrograms progs) {
        this.dp = dp;
        this.sock = sock;
        this.ch = ch;
        this.progs = progs;
        this.rx = new byte[dp.config.receiveBuffer()];
        this.rxb = ByteBuffer.wrap(rx);
        this.limit = dp.config.budgetPerSocket() - dp.config.receiveBuffer();
    }

    void programs(SockPrograms p) {
        progs = p;
    }

    // ---- the receive path (selector thread) ----

    /** Reads what the socket has and decides every whole message; stops while a target is full. */
    void serviceRead() {
        if (isClosedNow()) {
            if (key != null && key.isValid()) {
                key.interestOps(key.interestOps() & ~SelectionKey.OP_READ); // reads nothing more
            }
            return;
        }
        if (pending == Decision.PAUSE) {
            Decision d = resolvePaused();
            if (d == null) {
                return; // still detached: called again when the map is back
            }
            pending = d;
        }
        if (pending != null) {
            if (!deliver(pending, ByteBuffer.wrap(rx, start, pendingLen), this)) {
                return;
            }
            start += pendingLen;
            pending = null;
            if (!readEof && key != null && key.isValid()) {
                key.interestOps(key.interestOps() | SelectionKey.OP_READ);
            }
        }
        for (int rounds = 0; rounds < 16; rounds++) {
            if (!decideAll()) {
                return;
            }
            if (readEof) {
                return;
            }
            if (start > 0) {
                System.arraycopy(rx, start, rx, 0, end - start);
                end -= start;
                start = 0;
            }
            if (end == rx.length) {
                fail(new IOException("EMSGSIZE: the stream parser asks for a message larger than the "
                        + rx.length + "-byte receive buffer"));
                return;
            }
            int n;
            try {
                n = ch.read(rxb.limit(rx.length).position(end));
            } catch (IOException e) {
                fail(e);
                return;
            }
            if (n == 0) {
                return;
            }
            if (n < 0) {
                readEof = true;
                if (key.isValid()) {
                    key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
                }
                synchronized (this) {
                    eofIn = true; // what was left of a partial message is dropped, as strparser does
                    notifyAll();
                }
                return;
            }
            end += n;
            dp.account(bufferedBytes());
        }
        dp.submit(this::serviceRead); // more may be there: after the others' turn
    }

    private int pendingLen;

    /** Cuts and decides the received messages; false when one waits for room (reading paused). */
    private boolean decideAll() {
        while (end > start) {
            int len = end - start;
            ProgObject parser = progs.parser();
            if (parser != null) {
                SkbRun ctx = new SkbRun(parser, CurrentCpu.get(CPUS)).set(ByteBuffer.wrap(rx, start, len), sock.cookie());
                int r = dp.run(parser, ctx, this, -1);
                if (ctx.outcome() == RunContext.ABORTED || r < 0) {
                    fail(new IOException("the stream parser failed (" + r + ")")); // strp_parser_err
                    return false;
                }
                if (ctx.outcome() == RunContext.RAN) {
                    if (r == 0 || r > len) {
                        if (r > rx.length) {
                            fail(new IOException("EMSGSIZE: the stream parser asks for " + r
                                    + " bytes, more than the " + rx.length + "-byte receive buffer"));
                            return false;
                        }
                        return true; // needs more bytes
                    }
                    len = r;
                }
            }
            Decision d = verdict(len);
            if (d == Decision.PAUSE) {
                pending = d;
                pendingLen = len;
                if (key.isValid()) {
                    key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
                }
                dp.submit(this::serviceRead); // waits for the map (or finds it back already)
                return false;
            }
            if (!deliver(d, ByteBuffer.wrap(rx, start, len), this)) {
                pending = d;
                pendingLen = len;
                if (key.isValid()) {
                    key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
                }
                return false;
            }
            start += len;
        }
        return true;
    }

    private Decision verdict(int len) {
        ProgObject verdict = progs.verdict();
        if (verdict == null) {
            return new Decision(this, true);
        }
        SkbRun ctx = new SkbRun(verdict, CurrentCpu.get(CPUS)).set(ByteBuffer.wrap(rx, start, len), sock.cookie());
        int r = dp.run(verdict, ctx, this, len);
        if (r != SkAction.SK_PASS) {
            if (ctx.redirect() == null && ctx.detachedMap() != null) {
                // the map is being updated (its provider gone): no byte is dropped for it, the
                // message and the socket's reads wait until the map is back, programs still attached
                paused = new Paused(ctx.detachedMap(), ctx.detachedKey(), ctx.ingress());
                dp.paused.increment();
                return Decision.PAUSE;
            }
            return Decision.DROP;
        }
        if (ctx.redirect() == null) {
            return new Decision(this, true);
        }
        Owned t = dp.owned(ctx.redirect());
        return t == null ? Decision.DROP : new Decision(t, ctx.ingress());
    }

    /**
     * The paused redirect's target now that its map may be back: null while it is still detached
     * (this socket's {@link #serviceRead} is then called again when it is attached); the target,
     * or a drop when there is no socket at the key any more or the map was freed.
     */
    private Decision resolvePaused() {
        Paused p = paused;
        MapObject m = p.map();
        if (m.detached() && !m.freed()) {
            if (m.whenAttached(() -> dp.submit(this::serviceRead))) {
                return null;
            }
        }
        paused = null;
        Owned t = dp.owned(m.socketAt(p.key()));
        return t == null ? Decision.DROP : new Decision(t, p.ingress());
    }

    /** After an abandoned run: drops the message in flight (len -1: all that was received). */
    void dropHead(int len) {
        pending = null;
        paused = null;
        start = len < 0 ? end : Math.min(end, start + len);
    }

    /**
     * Gives a message to its target; false, with {@code waiter} noted on the target, when it does
     * not fit there now. A closed or failed target drops it.
     */
    private boolean deliver(Decision d, ByteBuffer bytes, Owned waiter) {
        if (d.target == null) {
            dp.dropped.increment();
            return true;
        }
        return d.target.take(bytes, d.ingress, waiter, false);
    }

    /**
     * Takes {@code bytes} into the read side or out of the socket. Not when over the limit: then
     * the waiter is noted (false), or with {@code block} the caller waits for room.
     */
    synchronized boolean take(ByteBuffer bytes, boolean ingress, Owned waiter, boolean block) {
        int len = bytes.remaining();
        while (!closed && error == null && !(shutOutRequested && !ingress) && inBytes + outBytes + corkHeld() + len > limit) {
            if (!block) {
                if (waiter != null && !waiters.contains(waiter)) {
                    waiters.add(waiter);
                }
                return false;
            }
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        if (closed || error != null || (shutOutRequested && !ingress)) {
            dp.dropped.increment();
            return true;
        }
        if (ingress) {
            in.add(copy(bytes));
            inBytes += len;
            notifyAll();
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
                outBytes += bytes.remaining();
                out.add(copy(bytes));
                if (!writeWanted) {
                    writeWanted = true;
                    dp.submit(this::wantWrite);
                }
            }
        }
        dp.account(inBytes + outBytes + (end - start));
        return true;
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b).flip();
        return c;
    }

    private void wantWrite() {
        if (key != null && key.isValid()) {
            key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
        }
    }

    /** Writes the out queue (selector thread, on OP_WRITE). */
    synchronized void flush() {
        while (!out.isEmpty()) {
            ByteBuffer b = out.peek();
            try {
                outBytes -= ch.write(b);
            } catch (IOException e) {
                failLocked(e);
                return;
            }
            if (b.hasRemaining()) {
                return;
            }
            out.poll();
        }
        writeWanted = false;
        if (closed) {
            closeChannel();
            return;
        }
        if (key.isValid()) {
            key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
        }
        shutdownIfDrained();
        roomMade();
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

    /** Queued bytes went: wakes the blocked writers and, when a message fits, the paused sources. */
    private void roomMade() {
        notifyAll();
        if (!waiters.isEmpty() && inBytes + outBytes + corkHeld() + dp.config.receiveBuffer() <= limit
                || closed || error != null) {
            for (Owned w : waiters) {
                dp.submit(w::serviceRead);
            }
            waiters.clear();
        }
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
        inBytes = 0;
        outBytes = 0;
        eofIn = true;
        if (key != null) {
            key.cancel();
        }
        if (closed) {
            closeChannel();
        }
        roomMade();
    }

    private synchronized boolean isClosedNow() {
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
        while (inBytes == 0) {
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
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
        }
        int n = 0;
        while (dst.hasRemaining() && !in.isEmpty()) {
            ByteBuffer b = in.peek();
            int k = Math.min(b.remaining(), dst.remaining());
            dst.put(dst.position(), b, b.position(), k).position(dst.position() + k);
            b.position(b.position() + k);
            n += k;
            if (!b.hasRemaining()) {
                in.poll();
            }
        }
        inBytes -= n;
        roomMade();
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
            boolean block = isBlocking();
            ProgObject msgVerdict = progs.msgVerdict();
            if (msgVerdict == null && applyLeft == 0 && corkWant == 0) {
                return send(new Decision(this, false), src, block);
            }
            return sendMsgs(src, block, msgVerdict);
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

    /** Sends bytes under one decision, in chunks that fit a queue; returns how many were taken. */
    private int send(Decision d, ByteBuffer src, boolean block) {
        int taken = 0;
        while (src.hasRemaining()) {
            int n = Math.min(src.remaining(), Math.min(limit, dp.config.receiveBuffer()));
            ByteBuffer chunk = src.slice(src.position(), n);
            if (d.target == null) {
                dp.dropped.increment();
            } else if (!d.target.take(chunk, d.ingress, null, block)) {
                break;
            }
            src.position(src.position() + n);
            taken += n;
        }
        return taken;
    }

    private int sendMsgs(ByteBuffer src, boolean block, ProgObject msgVerdict) throws IOException {
        int taken = 0;
        while (src.hasRemaining()) {
            if (applyLeft > 0) {
                int n = (int) Math.min(applyLeft, src.remaining());
                ByteBuffer part = src.slice(src.position(), n);
                int k = send(applyDecision, part, block);
                src.position(src.position() + k);
                applyLeft -= k;
                taken += k;
                if (k < n) {
                    break; // non-blocking and the target is full: the decision waits for the rest
                }
                continue;
            }
            ByteBuffer msg;
            boolean fromCork = false;
            if (corkWant > 0) {
                int n = Math.min(corkWant - cork.position(), src.remaining());
                cork.put(cork.position(), src, src.position(), n).position(cork.position() + n);
                src.position(src.position() + n);
                taken += n;
                if (cork.position() < corkWant) {
                    break; // all taken into the cork
                }
                msg = cork.flip();
                fromCork = true;
                cork = null;
                corkWant = 0;
            } else {
                msg = src.slice(src.position(), Math.min(src.remaining(), Math.min(limit, dp.config.receiveBuffer())));
            }
            if (msgVerdict == null) {
                // the SK_MSG program went (its last link): a cork it left is sent as it is
                int size = msg.remaining();
                int k = send(new Decision(this, false), msg, block || fromCork);
                if (!fromCork) {
                    src.position(src.position() + k);
                    taken += k;
                }
                if (k < size) {
                    break; // non-blocking and the socket is full
                }
                continue;
            }
            MsgRun ctx = new MsgRun(msgVerdict, CurrentCpu.get(CPUS)).set(msg.duplicate(), sock.cookie());
            int r = msgVerdict.run(ctx);
            int size = msg.remaining();
            if (ctx.corkBytes() > size) {
                // bpf_msg_cork_bytes: held until that many bytes are there, then decided again
                if (ctx.corkBytes() > limit) {
                    dp.dropped.increment();
                    throw new IOException("ENOMEM: cork_bytes " + ctx.corkBytes() + " is more than the "
                            + limit + " bytes a socket may queue");
                }
                corkWant = ctx.corkBytes();
                cork = ByteBuffer.allocate(corkWant).put(msg.duplicate());
                if (!fromCork) {
                    src.position(src.position() + size);
                    taken += size;
                }
                continue;
            }
            Decision d = Decision.DROP;
            if (r == SkAction.SK_PASS) {
                d = ctx.redirect() == null ? new Decision(this, false) : new Decision(dp.owned(ctx.redirect()), ctx.ingress());
            } else if (ctx.redirect() == null && ctx.detachedMap() != null) {
                // the redirect's map is being updated: the writer waits for it (a non-blocking
                // writer takes nothing now; the message is decided again at its next write)
                dp.paused.increment();
                d = awaitAttached(new Paused(ctx.detachedMap(), ctx.detachedKey(), ctx.ingress()), block || fromCork);
                if (d == null) {
                    break;
                }
            }
            if (d.target == null && !fromCork && taken == 0) {
                dp.dropped.increment();
                src.position(src.position() + size);
                throw new IOException("EACCES: the SK_MSG verdict dropped the message (" + size + " bytes)");
            }
            int apply = ctx.applyBytes();
            // apply_bytes shorter than a cork's bytes: the whole cork takes this verdict (simplified)
            int now = apply > 0 && apply < size && !fromCork ? apply : size;
            if (apply > size) {
                applyLeft = apply - size;
                applyDecision = d;
            }
            ByteBuffer first = msg.slice(msg.position(), now);
            int k = send(d, first, block || fromCork);
            if (!fromCork) {
                src.position(src.position() + k);
                taken += k;
            }
            if (k < now) {
                applyLeft += now - k; // taken later under the same verdict, not decided twice
                applyDecision = d;
                break;
            }
        }
        return taken;
    }

    /**
     * The send path's pause: waits (blocking) until the redirect's map is attached again or freed,
     * then looks the key up again; null when not blocking and the map is still detached.
     */
    private Decision awaitAttached(Paused p, boolean block) throws IOException {
        MapObject m = p.map();
        while (m.detached() && !m.freed()) {
            if (!block) {
                return null;
            }
            java.util.concurrent.CountDownLatch back = new java.util.concurrent.CountDownLatch(1);
            if (m.whenAttached(back::countDown)) {
                try {
                    back.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while the redirect's map was detached");
                }
            }
        }
        Owned t = dp.owned(m.socketAt(p.key()));
        return t == null ? Decision.DROP : new Decision(t, p.ingress());
    }

    private int corkHeld() {
        ByteBuffer c = cork;
        return c == null ? 0 : c.capacity();
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
        return inBytes + outBytes + corkHeld() + (end - start);
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
            inBytes = 0;
            if (out.isEmpty() || error != null) {
                closeChannel();
            }
            roomMade();
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
        outBytes = 0;
        try {
            ch.close();
        } catch (IOException e) {
            // closed as far as anyone can tell
        }
        sock.closed();
    }
}
