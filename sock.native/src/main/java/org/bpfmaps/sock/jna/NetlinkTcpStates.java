package org.bpfmaps.sock.jna;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Supplier;
import org.bpfmaps.core.sock.SocketState;
import org.bpfmaps.core.sock.TcpStateSource;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * TCP states by an exact {@code NETLINK_SOCK_DIAG} lookup of the socket's four-tuple
 * ({@link InetDiag}): one hash lookup in the kernel, where {@code /proc/net/tcp6} prints every TCP
 * socket of the namespace. A service in a framework, listed in {@code META-INF/services} for a
 * plain class path. Without JNA, on a platform whose {@code size_t} is not 8 bytes, or on a kernel
 * without TCP socket diagnostics, it answers null and the core reads {@code /proc}.
 *
 * <p>Any thread may ask: each call takes a netlink socket of its own from a small pool of idle ones
 * (opening one when none is idle) and gives it back after, so that no descriptor is shared and at
 * most {@link #IDLE} stay open between calls; one that failed is closed, never reused.
 */
@Component(service = TcpStateSource.class)
public final class NetlinkTcpStates implements TcpStateSource {
    /** Idle netlink sockets kept open between calls, at most. */
    static final int IDLE = 4;

    private final BlockingQueue<DiagSocket> idle = new ArrayBlockingQueue<>(IDLE);
    /**
     * Why the native calls cannot be made, or null; asked at the first call, not when the component
     * is made, since loading JNA's native part costs 110-150 ms of every start of the jar.
     */
    private final Supplier<Throwable> nativeCalls;
    /** Why this source cannot answer, or null when it can; found at the first call. */
    private volatile Throwable unavailable;
    private volatile boolean probed;
    private volatile boolean closed;

    public NetlinkTcpStates() {
        this(() -> NativeCalls.UNAVAILABLE);
    }

    /** A source that knows the native calls can or (with a reason) cannot be made. */
    NetlinkTcpStates(Throwable unavailable) {
        this(() -> unavailable);
    }

    private NetlinkTcpStates(Supplier<Throwable> nativeCalls) {
        this.nativeCalls = nativeCalls;
    }

    @Override
    public SocketState state(InetSocketAddress local, InetSocketAddress remote) {
        if (local == null || local.getAddress() == null || remote != null && remote.getAddress() == null
                || !usable()) {
            return null; // a connect under way (no local address yet), an unresolved address: /proc
        }
        DiagSocket s = take();
        if (s == null) {
            return null;
        }
        try {
            SocketState st = s.lookup(local, remote);
            giveBack(s);
            return st;
        } catch (IOException | RuntimeException e) {
            s.close();
            return null;
        }
    }

    /** Why this source cannot answer here (no JNA, no TCP diagnostics in the kernel), or null when it can. */
    public Throwable unavailableReason() {
        usable();
        return unavailable;
    }

    /** Whether the native calls work and the kernel has TCP diagnostics for both families: found once. */
    private boolean usable() {
        if (!probed) {
            probe();
        }
        return unavailable == null && !closed;
    }

    private synchronized void probe() {
        if (probed) {
            return;
        }
        try {
            unavailable = nativeCalls.get();
            if (unavailable != null) {
                // no JNA, or its native part did not load: /proc answers
            } else if (!Libc.LP64) {
                unavailable = new UnsupportedOperationException("size_t is not 8 bytes on this platform");
            } else {
                try (DiagSocket s = DiagSocket.open()) {
                    for (int family : new int[] {InetDiag.AF_INET, InetDiag.AF_INET6}) {
                        if (!s.hasTcpDiag(family)) {
                            unavailable = new UnsupportedOperationException(
                                    "the kernel has no TCP socket diagnostics for address family " + family);
                            break;
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            unavailable = e;
        }
        probed = true;
    }

    /** An idle socket, or a new one; null when none can be opened (EMFILE). */
    private DiagSocket take() {
        DiagSocket s = idle.poll();
        if (s != null) {
            return s;
        }
        try {
            return DiagSocket.open();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Keeps {@code s} for the next call, or closes it when enough are idle or the source is closed. */
    private void giveBack(DiagSocket s) {
        if (closed || !idle.offer(s)) {
            s.close();
        } else if (closed) {
            drain(); // closed while it was given back
        }
    }

    private void drain() {
        DiagSocket s;
        while ((s = idle.poll()) != null) {
            s.close();
        }
    }

    /** The idle sockets open now (for tests). */
    int idleSockets() {
        return idle.size();
    }

    /** Closes the idle sockets; a call under way closes its own after. */
    @Deactivate
    public void close() {
        closed = true;
        drain();
    }
}
