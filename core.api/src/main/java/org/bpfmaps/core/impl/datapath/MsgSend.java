package org.bpfmaps.core.impl.datapath;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import org.bpfmaps.core.impl.MapObject;
import org.bpfmaps.core.impl.MsgRun;
import org.bpfmaps.core.impl.ProgObject;
import org.bpfmaps.core.prog.SkAction;
import org.bpfmaps.core.spi.CurrentCpu;

/**
 * An owned socket's send path (the kernel's {@code tcp_bpf_sendmsg}): the application's writes,
 * through the socket's SK_MSG verdict when it has one, on the writing thread. Called by
 * {@link Owned#write} under the socket's send lock, which serializes it; the cork's size is read
 * under the socket's monitor too ({@link #corkHeld}, it counts against the socket's send queue).
 */
final class MsgSend {
    /** The CPUs an SK_MSG run may stand for: the machine's (the writing thread's own CPU, {@link CurrentCpu}). */
    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    private final Owned o;
    private final DataPath dp;
    /** The socket's send queue budget ({@code DataPath.Config.sendQueue}): the largest cork. */
    private final int limit;
    // Bytes a verdict still applies to (bpf_msg_apply_bytes), and the bytes of a cork (bpf_msg_cork_bytes).
    private long applyLeft;
    private Decision applyDecision;
    /**
     * A redirect decided by a run whose map was detached, for a non-blocking writer that took
     * nothing of its message: looked up again at the next write, for the next {@code pausedLeft}
     * bytes, without running the program again (as a blocking writer waits for it).
     */
    private Decision.Paused pausedDecision;
    private long pausedLeft;
    private volatile ByteBuffer cork;
    private int corkWant;
    /** The run context, reused while the program stays. */
    private MsgRun msgRun;

    MsgSend(Owned o, DataPath dp, int limit) {
        this.o = o;
        this.dp = dp;
        this.limit = limit;
    }

    /**
     * Sends {@code src}: through {@code msgVerdict} when the socket has one (each write is a
     * message, at most the queue limit long), else out of the socket.
     */
    int write(ByteBuffer src, boolean block, ProgObject msgVerdict) throws IOException {
        if (msgVerdict == null && applyLeft == 0 && corkWant == 0 && pausedDecision == null) {
            return send(o.to(false), src, block);
        }
        return sendMsgs(src, block, msgVerdict);
    }

    /** Sends bytes under one decision, in chunks that fit a queue; returns how many were taken. */
    private int send(Decision d, ByteBuffer src, boolean block) {
        int taken = 0;
        while (src.hasRemaining()) {
            int n = Math.min(src.remaining(), Math.min(limit, dp.config.receiveBuffer()));
            ByteBuffer chunk = src.slice(src.position(), n);
            if (d.target() == null) {
                dp.dropped.increment();
            } else if (!d.target().take(chunk, d.ingress(), null, block)) {
                break;
            }
            src.position(src.position() + n);
            taken += n;
        }
        return taken;
    }

    private int sendMsgs(ByteBuffer src, boolean block, ProgObject msgVerdict) throws IOException {
        if (pausedDecision != null) {
            Decision d = awaitAttached(pausedDecision, block);
            if (d == null) {
                return 0; // the map is still detached: nothing taken
            }
            pausedDecision = null;
            if (d.target() == null && src.hasRemaining()) {
                // the key found no socket now: the message the run decided drops (EACCES, as at its run)
                int size = (int) Math.min(pausedLeft, src.remaining());
                dp.dropped.increment();
                src.position(src.position() + size);
                throw new IOException("EACCES: the SK_MSG verdict dropped the message (" + size + " bytes)");
            }
            applyLeft = pausedLeft;
            applyDecision = d;
        }
        int taken = 0;
        // a completed cork's rest (apply_bytes shorter than it) is decided even when src is empty
        while (src.hasRemaining() || corkWant > 0 && cork.position() == corkWant) {
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
                int k = send(o.to(false), msg, block || fromCork);
                if (!fromCork) {
                    src.position(src.position() + k);
                    taken += k;
                }
                if (k < size) {
                    break; // non-blocking and the socket is full
                }
                continue;
            }
            MsgRun ctx = msgRun;
            if (ctx == null || ctx.program() != msgVerdict) {
                ctx = msgRun = new MsgRun(msgVerdict, 0);
            }
            ctx.cpu(CurrentCpu.get(CPUS));
            ctx.set(msg.duplicate(), o.sock.cookie());
            int r = msgVerdict.run(ctx);
            int size = msg.remaining();
            if (ctx.corkBytes() > size) {
                // bpf_msg_cork_bytes: held until that many bytes are there, then decided again
                if (ctx.corkBytes() > limit) {
                    dp.dropped.increment();
                    throw new IOException("ENOMEM: cork_bytes " + ctx.corkBytes() + " is more than the "
                            + limit + " bytes a socket may queue to send (sendQueue)");
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
                d = ctx.redirect() == null ? o.to(false) : target(dp.owned(ctx.redirect()), ctx.ingress());
            } else if (ctx.redirect() == null && ctx.detachedMap() != null) {
                // the redirect's map is being updated: the writer waits for it (a non-blocking
                // writer takes nothing now; the message is decided again at its next write)
                dp.paused.increment();
                Decision.Paused p = new Decision.Paused(ctx.detachedMap(), ctx.detachedKey(), ctx.ingress());
                d = awaitAttached(p, block || fromCork);
                if (d == null) {
                    // not blocking (and not a cork: that one blocks): the decision is kept for
                    // the next write, which looks the key up again instead of running the program
                    pausedDecision = p;
                    pausedLeft = ctx.applyBytes() > 0 ? ctx.applyBytes() : size;
                    break;
                }
            }
            if (d.target() == null && !fromCork && taken == 0) {
                dp.dropped.increment();
                src.position(src.position() + size);
                throw new IOException("EACCES: the SK_MSG verdict dropped the message (" + size + " bytes)");
            }
            int apply = ctx.applyBytes();
            // apply_bytes shorter than the message: the verdict takes apply_bytes, the program runs
            // again on the rest (tcp_bpf_send_verdict, net/ipv4/tcp_bpf.c): the rest of src, or
            // of a completed cork (kept as a completed cork, decided next)
            int now = apply > 0 && apply < size ? apply : size;
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
            if (fromCork && now < size) {
                ByteBuffer rest = msg.slice(msg.position() + now, size - now);
                cork = rest.position(rest.limit());
                corkWant = size - now;
            }
        }
        return taken;
    }

    /**
     * The send path's pause: waits (blocking) until the redirect's map is attached again or freed,
     * then looks the key up again; null when not blocking and the map is still detached.
     */
    private Decision awaitAttached(Decision.Paused p, boolean block) throws IOException {
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
        return target(t, p.ingress());
    }

    private static Decision target(Owned t, boolean ingress) {
        return t == null ? Decision.DROP : t.to(ingress);
    }

    /** Bytes the cork holds (its capacity), counted against the socket's send queue. */
    int corkHeld() {
        ByteBuffer c = cork;
        return c == null ? 0 : c.capacity();
    }
}
