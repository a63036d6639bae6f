package org.bpfmaps.shell;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.bpfmaps.core.xdp.RingType;
import org.bpfmaps.core.xdp.Umem;
import org.bpfmaps.core.xdp.XdpRing;
import org.bpfmaps.core.xdp.XdpSocket;

/**
 * The application half of an XSK socket the shell made: which UMEM frames the application holds,
 * and the ring ends it works ({@code xsk fill}, {@code xsk read}), as xdpsock keeps its free frames
 * and polls its RX ring. A frame is the application's until it goes into the FILL ring; a frame
 * read from the RX ring goes straight back there (recycled), as a consumer that is done with it
 * does. One lock per socket: commands of several clients take turns, and each ring end stays with
 * one thread at a time (the lock's happens-before hands it over).
 */
final class XskFrames {
    private static final Map<XdpSocket, XskFrames> BY_SOCKET = new WeakHashMap<>();

    private final XdpSocket socket;
    /** Frames never handed out yet: indices from here to the UMEM's last. */
    private int nextUnused;
    /** Frames handed back (COMPLETION ring, a FILL ring that was full). */
    private final ArrayDeque<Long> free = new ArrayDeque<>();

    private XskFrames(XdpSocket socket) {
        this.socket = socket;
    }

    static XskFrames of(XdpSocket s) {
        synchronized (BY_SOCKET) {
            return BY_SOCKET.computeIfAbsent(s, XskFrames::new);
        }
    }

    /** Frames the application holds now. */
    synchronized long held() {
        Umem u = socket.umem();
        return u == null ? 0 : free.size() + (long) u.chunks() - nextUnused;
    }

    private long take() {
        Long f = free.poll();
        return f != null ? f : (long) nextUnused++ * socket.umem().chunkSize();
    }

    /**
     * Puts up to {@code n} of the application's frames in the FILL ring, as many as it holds and the
     * ring has room for; the COMPLETION ring's frames come back to the application first.
     *
     * @return the frames put
     */
    synchronized int fill(long n) {
        reap();
        XdpRing ring = socket.ring(RingType.FILL);
        if (ring == null || socket.umem() == null) {
            return 0;
        }
        XdpRing.Producer p = ring.producer();
        int want = (int) Math.min(Math.min(n, held()), p.free(ring.size()));
        if (want <= 0 || p.reserve(want) == 0) {
            return 0;
        }
        for (int i = 0; i < want; i++) {
            p.addr(p.index() + i, take());
        }
        p.submit(want);
        return want;
    }

    /** The COMPLETION ring's frames (sent) back to the application. */
    private void reap() {
        XdpRing comp = socket.ring(RingType.COMPLETION);
        if (comp == null) {
            return;
        }
        XdpRing.Consumer c = comp.consumer();
        int n = c.peek(comp.size());
        for (int i = 0; i < n; i++) {
            free.add(frameOf(c.addr(c.index() + i)));
        }
        c.release(n);
    }

    private long frameOf(long addr) {
        return addr & ~(long) (socket.umem().chunkSize() - 1);
    }

    /** One received frame: where it lay in the UMEM and its bytes. */
    record Received(long addr, int len, byte[] bytes) {
    }

    /**
     * Reads up to {@code max} frames from the RX ring, waiting up to {@code waitNanos} for the first
     * {@code want} of them (poll(2) on the socket), and gives each frame back to the FILL ring; with
     * {@code forward}, sends each out of the TX ring first, as it is, at the same address (xdpsock's
     * l2fwd), the frame coming back to the FILL ring through the COMPLETION ring.
     */
    List<Received> read(int max, int want, long waitNanos, boolean forward) throws InterruptedException {
        List<Received> out = new ArrayList<>();
        long deadline = System.nanoTime() + waitNanos;
        while (true) {
            synchronized (this) {
                readSome(out, max, forward);
            }
            if (out.size() >= Math.min(want, max) || System.nanoTime() - deadline >= 0) {
                return out;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            // the device's thread publishes with a release store; a short park between looks, as poll() sleeps
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
    }

    /** Frames sent by {@code forward} reads, and those the TX ring had no room for (given back instead). */
    private long sent;
    private long unsent;

    synchronized long sent() {
        return sent;
    }

    private void readSome(List<Received> out, int max, boolean forward) {
        XdpRing rx = socket.ring(RingType.RX);
        if (rx == null || out.size() >= max) {
            return;
        }
        XdpRing.Consumer c = rx.consumer();
        int n = c.peek(max - out.size());
        if (n == 0) {
            return;
        }
        ByteBuffer umem = socket.umem().buffer();
        for (int i = 0; i < n; i++) {
            long addr = c.descAddr(c.index() + i);
            int len = c.descLen(c.index() + i);
            byte[] b = new byte[len];
            umem.get((int) addr, b);
            out.add(new Received(addr, len, b));
            if (!forward || !queueTx(addr, len)) {
                free.add(frameOf(addr));
            }
        }
        c.release(n);
        if (forward) {
            kick();
        }
        fill(n); // recycled: the frames read (and those sent) go back to the device
    }

    /** A descriptor of the frame in the TX ring; false when the socket has none or it is full. */
    private boolean queueTx(long addr, int len) {
        XdpRing tx = socket.ring(RingType.TX);
        if (tx == null || tx.producer().reserve(1) == 0) {
            unsent++;
            return false;
        }
        XdpRing.Producer p = tx.producer();
        p.desc(p.index(), addr, len, 0);
        p.submit(1);
        return true;
    }

    /** sendto() until the TX ring is empty (each sends at most TX_BATCH_SIZE). */
    private void kick() {
        XdpRing tx = socket.ring(RingType.TX);
        while (tx != null && tx.filled() > 0) {
            int n = socket.kick();
            if (n <= 0) {
                return; // not bound, or the COMPLETION ring is full: the rest waits for the next kick
            }
            sent += n;
        }
    }
}
