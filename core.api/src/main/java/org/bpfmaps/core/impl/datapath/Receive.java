package org.bpfmaps.core.impl.datapath;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import org.bpfmaps.core.impl.MapObject;
import org.bpfmaps.core.impl.ProgObject;
import org.bpfmaps.core.impl.RunContext;
import org.bpfmaps.core.impl.SkbRun;
import org.bpfmaps.core.prog.SkAction;
import org.bpfmaps.core.spi.CurrentCpu;

/**
 * An owned socket's receive path (the kernel's psock strparser and verdict, {@code sk_psock_strp_read},
 * {@code sk_psock_verdict_recv}): its receive buffer, read from the socket, cut into messages by
 * the parser and decided by the verdict. Only the selector thread touches it, and runs programs
 * under no lock. Nothing here allocates per message: the buffer is direct (a redirect out of
 * another socket writes it without a copy), a message is a window of one reused view, the run
 * contexts are reused while the thread and the program stay, and the decisions are the sockets' own.
 */
final class Receive {
    /** The CPUs a run may stand for: the machine's (the thread's own fixed CPU, see {@link CurrentCpu}). */
    private static final int CPUS = Runtime.getRuntime().availableProcessors();
    /** Reads one turn of a socket may do before the others get theirs. */
    private static final int ROUNDS = 16;

    private final Owned o;
    private final DataPath dp;
    // received bytes [start, end) of rx; volatile: other threads read the count (bufferedBytes)
    private final ByteBuffer rx;
    private final ByteBuffer message;
    private final ByteBuffer readOnly;
    private volatile int start;
    private volatile int end;
    /** A decided message that waits for room at its target, {@code pendingLen} bytes at start. */
    private Decision pending;
    private int pendingLen;
    /** With {@code pending == PAUSE}: the redirect waiting for its map. */
    private Decision.Paused paused;
    private boolean readEof;
    // the run contexts, made again when the program or the thread (after an abandoned run) changes
    private SkbRun parserRun;
    private SkbRun verdictRun;
    private Thread runThread;

    Receive(Owned o, DataPath dp) {
        this.o = o;
        this.dp = dp;
        this.rx = ByteBuffer.allocateDirect(dp.config.receiveBuffer());
        this.message = rx.duplicate();
        this.readOnly = rx.asReadOnlyBuffer();
    }

    /** Bytes received and not yet decided. */
    int held() {
        return end - start;
    }

    /** The message of {@code len} bytes at {@code at}, as a window of the one view. */
    private ByteBuffer message(int at, int len) {
        return message.clear().position(at).limit(at + len);
    }

    /** Reads what the socket has and decides every whole message; stops while a target is full. */
    void serviceRead() {
        if (o.isClosedNow()) {
            o.interest(SelectionKey.OP_READ, false); // reads nothing more
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
            if (!deliver(pending, pendingLen)) {
                return;
            }
            start += pendingLen;
            pending = null;
            if (!readEof) {
                o.interest(SelectionKey.OP_READ, true);
            }
        }
        int cap = rx.capacity();
        for (int rounds = 0; rounds < ROUNDS; rounds++) {
            if (!decideAll()) {
                return;
            }
            if (readEof) {
                return;
            }
            if (start > 0) {
                if (end > start) {
                    rx.limit(end).position(start);
                    rx.compact();
                }
                end -= start;
                start = 0;
            }
            if (end == cap) {
                o.fail(new IOException("EMSGSIZE: the stream parser asks for a message larger than the "
                        + cap + "-byte receive buffer"));
                return;
            }
            int n;
            try {
                n = o.ch.read(rx.limit(cap).position(end));
            } catch (IOException e) {
                o.fail(e);
                return;
            }
            if (n == 0) {
                return;
            }
            if (n < 0) {
                readEof = true;
                o.interest(SelectionKey.OP_READ, false);
                o.endOfStream(); // what was left of a partial message is dropped, as strparser does
                return;
            }
            end += n;
            dp.account(o.bufferedBytes());
        }
        dp.submit(o.serviceReadTask); // more may be there: after the others' turn
    }

    /** Cuts and decides the received messages; false when one waits for room (reading paused). */
    private boolean decideAll() {
        while (end > start) {
            int len = end - start;
            ProgObject parser = o.programs().parser();
            if (parser != null) {
                SkbRun ctx = parserRun = context(parserRun, parser);
                int r = dp.run(parser, ctx.set(readOnly, start, len, o.sock.cookie()), o, -1);
                if (ctx.outcome() == RunContext.ABORTED || r < 0) {
                    o.fail(new IOException("the stream parser failed (" + r + ")")); // strp_parser_err
                    return false;
                }
                if (ctx.outcome() == RunContext.RAN) {
                    if (r == 0 || r > len) {
                        if (r > rx.capacity()) {
                            o.fail(new IOException("EMSGSIZE: the stream parser asks for " + r
                                    + " bytes, more than the " + rx.capacity() + "-byte receive buffer"));
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
                o.interest(SelectionKey.OP_READ, false);
                dp.submit(o.serviceReadTask); // waits for the map (or finds it back already)
                return false;
            }
            pending = d;
            pendingLen = len;
            if (!deliver(d, len)) {
                o.interest(SelectionKey.OP_READ, false);
                return false;
            }
            pending = null;
            start += len;
        }
        return true;
    }

    /**
     * Delivers the {@code len} bytes at start; false when they wait for room, or the part a full
     * socket did not take does: then start and {@code pendingLen} move past what was written.
     */
    private boolean deliver(Decision d, int len) {
        ByteBuffer m = message(start, len);
        if (o.deliver(d, m)) {
            return true;
        }
        int written = m.position() - start;
        start += written;
        pendingLen = len - written;
        return false;
    }

    /** The context for a run of {@code p} on this thread: {@code c} again when it is for both. */
    private SkbRun context(SkbRun c, ProgObject p) {
        Thread t = Thread.currentThread();
        if (runThread != t) {
            // a new selector thread (the watchdog replaced one whose run it abandoned): that run's
            // contexts may still be in its program's hands
            runThread = t;
            parserRun = null;
            verdictRun = null;
            c = null;
        }
        if (c == null || c.program() != p) {
            c = new SkbRun(p, 0);
        }
        c.cpu(CurrentCpu.get(CPUS));
        return c;
    }

    private Decision verdict(int len) {
        ProgObject verdict = o.programs().verdict();
        if (verdict == null) {
            return o.to(true);
        }
        SkbRun ctx = verdictRun = context(verdictRun, verdict);
        int r = dp.run(verdict, ctx.set(readOnly, start, len, o.sock.cookie()), o, len);
        if (r != SkAction.SK_PASS) {
            if (ctx.redirect() == null && ctx.detachedMap() != null) {
                // the map is being updated (its provider gone): no byte is dropped for it, the
                // message and the socket's reads wait until the map is back, programs still attached
                paused = new Decision.Paused(ctx.detachedMap(), ctx.detachedKey(), ctx.ingress());
                dp.paused.increment();
                return Decision.PAUSE;
            }
            return Decision.DROP;
        }
        if (ctx.redirect() == null) {
            return o.to(true);
        }
        Owned t = dp.owned(ctx.redirect());
        return t == null ? Decision.DROP : t.to(ctx.ingress());
    }

    /**
     * The paused redirect's target now that its map may be back: null while it is still detached
     * ({@link #serviceRead} is then called again when it is attached); the target, or a drop when
     * there is no socket at the key any more or the map was freed.
     */
    private Decision resolvePaused() {
        Decision.Paused p = paused;
        MapObject m = p.map();
        if (m.detached() && !m.freed()) {
            if (m.whenAttached(() -> dp.submit(o.serviceReadTask))) {
                return null;
            }
        }
        paused = null;
        Owned t = dp.owned(m.socketAt(p.key()));
        return t == null ? Decision.DROP : t.to(p.ingress());
    }

    /** After an abandoned run: drops the message in flight (len -1: all that was received). */
    void dropHead(int len) {
        pending = null;
        paused = null;
        start = len < 0 ? end : Math.min(end, start + len);
    }
}
