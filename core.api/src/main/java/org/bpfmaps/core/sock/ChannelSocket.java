package org.bpfmaps.core.sock;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bpfmaps.core.spi.HostedObject;
import org.bpfmaps.core.spi.ObjectKind;

/**
 * A registered {@code java.nio} channel as a socket of the object table. The two references of the
 * kernel: the fds keep it open ({@link #release} on the last one closes the channel), and the
 * channel's own close is the socket's {@code sock_close}, seen at the next read of the state, that
 * takes it out of every map (the close listeners) while its fds stay in the table until closed, as
 * a kernel fd would stay on a socket that was shut down.
 */
final class ChannelSocket implements BpfSocket {
    /** Cookies of every socket of the JVM, as the kernel's {@code sk_cookie} counter: from 1, never reused. */
    private static final AtomicLong COOKIES = new AtomicLong();

    /** Channels handed to an instance and not yet released: a channel is one socket, registered once. */
    static final Set<NetworkChannel> REGISTERED = ConcurrentHashMap.newKeySet();

    /**
     * The sockets that have not left every map yet, by cookie: how a map restored after its bundle's
     * update finds its sockets again ({@link Sockets#byCookie}). A socket leaves at its close.
     */
    static final java.util.Map<Long, ChannelSocket> LIVE = new ConcurrentHashMap<>();

    private final NetworkChannel channel;
    private final SocketKind kind;
    private final long cookie = COOKIES.incrementAndGet();

    /** The close listeners; null once the socket left every map (they ran). Guarded by this. */
    private List<Runnable> listeners = new ArrayList<>();
    /** A TCP socket was seen in a state of the kernel's hash tables (connected or listening). Guarded by this. */
    private boolean hashed;

    ChannelSocket(NetworkChannel channel, SocketKind kind) {
        this.channel = channel;
        this.kind = kind;
        LIVE.put(cookie, this);
    }

    @Override
    public long cookie() {
        return cookie;
    }

    @Override
    public SocketKind kind() {
        return kind;
    }

    /** The socket as the object table holds it: its fds' object. */
    final Handle handle = new Handle();

    /**
     * The socket's face to the object table ({@link HostedObject#kind()} names the object kind,
     * {@link BpfSocket#kind()} the socket's, hence two objects). No info (OBJ_GET_INFO_BY_FD on a
     * socket is EINVAL) and no BPF fdinfo lines, as the kernel's socket files have none.
     */
    final class Handle implements HostedObject {
        ChannelSocket socket() {
            return ChannelSocket.this;
        }

        @Override
        public ObjectKind kind() {
            return Sockets.KIND;
        }

        @Override
        public void release() {
            ChannelSocket.this.release();
        }
    }

    @Override
    public SocketState state() {
        SocketState s = channel.isOpen() ? read() : SocketState.CLOSED;
        if (s != SocketState.CLOSED && !channel.isOpen()) {
            s = SocketState.CLOSED; // closed while its state was read
        }
        boolean left;
        synchronized (this) {
            if (kind == SocketKind.TCP && s != SocketState.CLOSE && s != SocketState.CLOSED) {
                hashed = true;
            }
            left = s == SocketState.CLOSED || s == SocketState.CLOSE && hashed;
        }
        if (left) {
            leaveMaps();
        }
        return s;
    }

    /** The state of the open channel, from the kernel for TCP, from the channel for the others. */
    private SocketState read() {
        try {
            if (channel instanceof ServerSocketChannel) {
                SocketAddress local = channel.getLocalAddress();
                if (local == null) {
                    return SocketState.CLOSE;
                }
                return kind == SocketKind.TCP ? ProcNetTcp.stateOf((InetSocketAddress) local, null)
                        : SocketState.LISTEN; // a bound ServerSocketChannel listens: bind() calls listen()
            }
            if (channel instanceof SocketChannel sc) {
                if (kind != SocketKind.TCP) {
                    return sc.isConnected() ? SocketState.ESTABLISHED : SocketState.CLOSE;
                }
                SocketAddress remote = sc.getRemoteAddress();
                SocketAddress local = sc.getLocalAddress();
                if (remote == null) {
                    return SocketState.CLOSE; // never connected, or only bound: in no hash table
                }
                return ProcNetTcp.stateOf((InetSocketAddress) local, (InetSocketAddress) remote);
            }
            DatagramChannel dc = (DatagramChannel) channel;
            return dc.isConnected() ? SocketState.ESTABLISHED : SocketState.CLOSE;
        } catch (IOException e) {
            return SocketState.CLOSED; // ClosedChannelException: the application closed it meanwhile
        }
    }

    @Override
    public boolean bound() {
        return localAddress() != null;
    }

    @Override
    public SocketAddress localAddress() {
        try {
            return channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public SocketAddress remoteAddress() {
        try {
            if (channel instanceof SocketChannel sc) {
                return sc.getRemoteAddress();
            }
            if (channel instanceof DatagramChannel dc) {
                return dc.getRemoteAddress();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public NetworkChannel channel() {
        return channel;
    }

    @Override
    public synchronized boolean onClose(Runnable listener) {
        java.util.Objects.requireNonNull(listener, "listener");
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
    }

    /** The last fd is closed (or the instance): the socket's sock_close. */
    void release() {
        try {
            channel.close();
        } catch (IOException e) {
            // closed as far as anyone can tell: the JDK released the descriptor
        } finally {
            REGISTERED.remove(channel);
            leaveMaps();
        }
    }

    @Override
    public String toString() {
        return "socket " + kind + " cookie " + cookie;
    }
}
