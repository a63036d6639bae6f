package org.bpfmaps.core.sock;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bpfmaps.core.spi.HostedObject;
import org.bpfmaps.core.spi.ObjectHost;
import org.bpfmaps.core.spi.ObjectKind;

/**
 * What every socket of the object table shares, whatever it is made of (a {@code java.nio} channel,
 * a bundle's {@link NativeSocket}): the cookie, the cookie table, the close listeners and the two
 * references of the kernel. The fds keep it open ({@link #release} on the last one closes it), and
 * its own close is the socket's {@code sock_close}, seen at the next read of the state, that takes
 * it out of every map (the close listeners) while its fds stay in the table until closed, as a
 * kernel fd would stay on a socket that was shut down.
 */
abstract class SocketObject implements BpfSocket {
    /** Cookies of every socket of the JVM, as the kernel's {@code sk_cookie} counter: from 1, never reused. */
    private static final AtomicLong COOKIES = new AtomicLong();

    /**
     * What was handed to an instance and not yet released (channels, native sockets): one of them is
     * one socket, registered once.
     */
    static final Set<Object> REGISTERED = ConcurrentHashMap.newKeySet();

    /**
     * The sockets that have not left every map yet, by cookie: how a map restored after its bundle's
     * update finds its sockets again ({@link Sockets#byCookie}). A socket leaves at its close.
     */
    static final java.util.Map<Long, SocketObject> LIVE = new ConcurrentHashMap<>();

    private final SocketKind kind;
    private final long cookie = COOKIES.incrementAndGet();
    /** The channel or native socket behind it, as registered (the key of {@link #REGISTERED}). */
    private final Object registered;

    /** The close listeners; null once the socket left every map (they ran). Guarded by this. */
    private List<Runnable> listeners = new ArrayList<>();

    /** The programs the socket took from maps (its {@code sk_psock}'s progs). */
    private final SocketPrograms programs = new SocketPrograms(this);

    /** The instance that holds the socket's fds (set at registration): whose data path owns its I/O. */
    volatile ObjectHost host;

    /** The socket as the object table holds it: its fds' object. */
    final Handle handle = new Handle();

    SocketObject(SocketKind kind, Object registered) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.registered = registered;
        LIVE.put(cookie, this);
    }

    /**
     * The socket's face to the object table ({@link HostedObject#kind()} names the object kind,
     * {@link BpfSocket#kind()} the socket's, hence two objects). No info (OBJ_GET_INFO_BY_FD on a
     * socket is EINVAL) and no BPF fdinfo lines, as the kernel's socket files have none.
     */
    final class Handle implements HostedObject {
        SocketObject socket() {
            return SocketObject.this;
        }

        @Override
        public ObjectKind kind() {
            return Sockets.KIND;
        }

        @Override
        public void release() {
            SocketObject.this.release();
        }
    }

    /** Whether the socket itself is still open (not closed by its owner or by {@link #release}). */
    abstract boolean isOpen();

    /** The state of the open socket, read from it now; {@link SocketState#CLOSED} when it closed meanwhile. */
    abstract SocketState read();

    /** Closes the socket itself; called once, by {@link #release}. */
    abstract void closeSocket() throws Exception;

    @Override
    public final long cookie() {
        return cookie;
    }

    @Override
    public final SocketKind kind() {
        return kind;
    }

    /**
     * The state now; a socket found closed leaves every map. Only its close does: on 6.18 a TCP
     * socket that reaches TCP_CLOSE in a map (a reset, or FINs both ways) stays there until it is
     * closed, as sockmap no longer hooks {@code unhash} (recorded: lookup still gives its cookie,
     * delete still finds it).
     */
    @Override
    public final SocketState state() {
        SocketState s = isOpen() ? read() : SocketState.CLOSED;
        if (s != SocketState.CLOSED && !isOpen()) {
            s = SocketState.CLOSED; // closed while its state was read
        }
        if (s == SocketState.CLOSED) {
            leaveMaps();
        }
        return s;
    }

    @Override
    public final boolean closed() {
        if (isOpen()) {
            return false;
        }
        leaveMaps();
        return true;
    }

    @Override
    public final SocketPrograms programs() {
        return programs;
    }

    @Override
    public boolean bound() {
        return localAddress() != null;
    }

    @Override
    public synchronized boolean onClose(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        if (listeners == null) {
            return false;
        }
        listeners.add(listener);
        return true;
    }

    @Override
    public synchronized boolean removeOnClose(Runnable listener) {
        if (listeners == null) {
            return false;
        }
        for (int i = 0; i < listeners.size(); i++) {
            if (listeners.get(i) == listener) {
                listeners.remove(i);
                return true;
            }
        }
        return false;
    }

    @Override
    public synchronized List<SocketLink> links() {
        List<SocketLink> out = new ArrayList<>();
        if (listeners != null) {
            for (Runnable r : listeners) {
                if (r instanceof SocketLink l) {
                    out.add(l);
                }
            }
        }
        return out;
    }

    /** Runs the close listeners, once, outside the lock; a throwing listener does not stop the others. */
    private void leaveMaps() {
        List<Runnable> run;
        synchronized (this) {
            run = listeners;
            listeners = null;
        }
        if (run == null) {
            return;
        }
        LIVE.remove(cookie, this);
        for (Runnable r : run) {
            try {
                r.run();
            } catch (RuntimeException e) {
                // a map's listener failing must not keep the socket in the others
            }
        }
        // sock_map_close: a closed socket runs nothing. The links of maps that were detached when
        // it closed (their provider gone: no listener ran for them) go too, else the programs the
        // socket took would never be released; the map's next provider does not take it back.
        programs.dropAtClose();
    }

    /** The last fd is closed (or the instance): the socket's sock_close. */
    final void release() {
        try {
            closeSocket();
        } catch (Exception e) {
            // closed as far as anyone can tell: the descriptor was released
        } finally {
            REGISTERED.remove(registered);
            leaveMaps();
        }
    }

    @Override
    public String toString() {
        return "socket " + kind + " cookie " + cookie;
    }
}
