package org.bpfmaps.testsupport.traffic;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ProgAttachAttr;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.impl.Instance;
import org.bpfmaps.core.impl.datapath.DataPath;
import org.bpfmaps.core.prog.SkSkbProgram;
import org.bpfmaps.core.sock.SockChannel;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.spi.MapProvider;
import org.bpfmaps.core.spi.ObjectHost;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;

/**
 * A TCP proxy made only of a SOCKHASH and a verdict program, issue 19: PROG_LOAD of an SK_SKB
 * verdict that redirects every message to the socket at its own cookie
 * ({@code bpf_sk_redirect_hash}, egress), PROG_ATTACH of it to the hash as
 * SK_SKB_STREAM_VERDICT, and for each connection MAP_UPDATE_ELEM of each socket by fd under its
 * peer's cookie. Inserting them is what hands their I/O to the core's data path (the sockets take
 * the map's verdict); the proxy's code then only takes each socket's channel from
 * {@link Sockets#channel} to pass the half-closes on (one thread per side waiting for the end of
 * its stream) and never copies a byte. Threads are named {@value #THREAD_PREFIX}-...
 *
 * <p>Needs only core.api and the sockmap provider, passed in (test-support cannot depend on a map
 * module): tests and the benchmark give {@code new SockMapProvider()}.
 */
public final class SockmapProxy implements Proxy {
    public static final String THREAD_PREFIX = "sockmap-proxy";

    private final ProviderHost runtime = Standalone.create();
    public final BpfInstance bpf;
    private final DataPath.Config config;
    private final int hash;
    private final int verdictFd;
    private ServerSocketChannel server;
    private Thread acceptor;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<SockChannel> channels = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    /** Bytes that reached the proxy's own code: the verdict redirects all, so none should. */
    public final AtomicLong passedToProxy = new AtomicLong();
    /** Connections whose sockets the map refused (no longer established when inserted). */
    public final AtomicInteger refused = new AtomicInteger();

    private final int socketBuffer;

    public SockmapProxy(MapProvider sockmapProvider, DataPath.Config config) {
        this(sockmapProvider, config, 0);
    }

    /**
     * @param sockmapProvider the provider of SOCKHASH (map.sockmap's {@code SockMapProvider})
     * @param config          the instance's data path configuration
     * @param socketBuffer    SO_SNDBUF/SO_RCVBUF of the proxy's sockets, 0 for the kernel's autotuning
     */
    public SockmapProxy(MapProvider sockmapProvider, DataPath.Config config, int socketBuffer) {
        this.socketBuffer = socketBuffer;
        this.config = config;
        runtime.addProvider(sockmapProvider, 0, "1.0.0");
        bpf = runtime.newInstance(org.bpfmaps.core.api.BpfSettings.defaults());
        if (!instance().dataPathConfig(config)) {
            throw new IllegalStateException("the instance's data path exists already");
        }
        // made now rather than at the first socket, so that its selector's fds are the proxy's
        // from the start (the tests count fds with the proxy up)
        instance().dataPath(true);
        MapCreateAttr m = new MapCreateAttr(MapType.SOCKHASH, 8, 8, 64);
        hash = bpf.bpf(BpfCmd.MAP_CREATE, m);
        ProgLoadAttr a = new ProgLoadAttr(ProgType.SK_SKB,
                (SkSkbProgram) ctx -> ctx.skRedirectHash(0, KEY.get().putLong(0, ctx.socketCookie()), 0));
        a.mapFds = new int[] {hash};
        verdictFd = bpf.bpf(BpfCmd.PROG_LOAD, a);
        if (hash < 0 || verdictFd < 0) {
            bpf.close();
            throw new IllegalStateException("map " + Errno.nameOf(hash) + " " + m.errorMessage() + ", prog "
                    + Errno.nameOf(verdictFd) + " " + a.errorMessage());
        }
        ProgAttachAttr at = new ProgAttachAttr(hash, verdictFd, ProgAttachAttr.SK_SKB_STREAM_VERDICT);
        int r = bpf.bpf(BpfCmd.PROG_ATTACH, at);
        if (r != 0) {
            bpf.close();
            throw new IllegalStateException("PROG_ATTACH: " + Errno.nameOf(r) + " " + at.errorMessage());
        }
    }

    private Instance instance() {
        return (Instance) ObjectHost.of(bpf).orElseThrow();
    }

    /** The runtime of the proxy's instance: where a test removes and adds the sockmap provider. */
    public ProviderHost runtime() {
        return runtime;
    }

    /** The instance's data path. */
    public DataPath dataPath() {
        return instance().dataPath(false);
    }

    /** Runs of the proxy's verdict program so far (one per message the data path decided). */
    public long verdictRuns() {
        return ((org.bpfmaps.core.impl.ProgObject) instance().table().get(verdictFd)).runs();
    }

    /** The data path's configuration. */
    public DataPath.Config config() {
        return config;
    }

    /**
     * The verdict's key buffer, one per thread that runs it (the data path's selector thread): a
     * run allocates nothing (the helper copies a key it has to keep).
     */
    private static final ThreadLocal<ByteBuffer> KEY = ThreadLocal.withInitial(() -> cookieKey(0));

    static ByteBuffer cookieKey(long cookie) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, cookie);
    }

    @Override
    public InetSocketAddress start(InetSocketAddress listen, InetSocketAddress upstream) throws IOException {
        server = ServerSocketChannel.open();
        if (socketBuffer > 0) {
            server.setOption(StandardSocketOptions.SO_RCVBUF, socketBuffer); // accepted sockets start with it
        }
        server.bind(listen);
        acceptor = new Thread(() -> accept(upstream), THREAD_PREFIX + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return (InetSocketAddress) server.getLocalAddress();
    }

    private void accept(InetSocketAddress upstream) {
        try {
            while (true) {
                SocketChannel c = server.accept();
                SocketChannel u = null;
                try {
                    u = SocketChannel.open();
                    if (socketBuffer > 0) {
                        c.setOption(StandardSocketOptions.SO_SNDBUF, socketBuffer);
                        u.setOption(StandardSocketOptions.SO_SNDBUF, socketBuffer);
                        u.setOption(StandardSocketOptions.SO_RCVBUF, socketBuffer);
                    }
                    c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    u.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    u.connect(upstream);
                } catch (IOException e) {
                    c.close();
                    if (u != null) {
                        u.close();
                    }
                    continue;
                }
                join(c, u);
            }
        } catch (IOException e) {
            // the listener closed: the proxy stops
        }
    }

    private void join(SocketChannel c, SocketChannel u) throws IOException {
        int fc = Sockets.register(bpf, c);
        int fu = Sockets.register(bpf, u);
        long cc = Sockets.byFd(bpf, fc).cookie();
        long cu = Sockets.byFd(bpf, fu).cookie();
        // the upstream first: the client's bytes, decided as soon as the client's socket is in,
        // redirect to it; a redirect to a socket not in the map yet would drop
        if (!update(cookieKey(cc), fu) || !update(cookieKey(cu), fc)) {
            // a socket that is no longer established (the client half-closed already: CLOSE_WAIT)
            // cannot enter a socket map (EOPNOTSUPP, sock_map_sk_state_allowed): give up on the pair
            c.close();
            u.close();
            bpf.close(fc);
            bpf.close(fu);
            refused.incrementAndGet();
            return;
        }
        open.incrementAndGet();
        // the instance's fds go once the data path has closed the channels, after what was queued
        // out of them is written: closing an fd closes its channel at once, queued bytes with it
        Sockets.byFd(bpf, fc).onClose(() -> bpf.close(fc));
        Sockets.byFd(bpf, fu).onClose(() -> bpf.close(fu));
        SockChannel sc = Sockets.channel(bpf, fc);
        SockChannel su = Sockets.channel(bpf, fu);
        if (sc == null || su == null) {
            throw new IllegalStateException("a socket that took the verdict has no data path channel");
        }
        channels.add(sc);
        channels.add(su);
        Runnable closeBoth = new Runnable() {
            private boolean done;

            @Override
            public synchronized void run() {
                if (!done) {
                    done = true;
                    sc.close();
                    su.close();
                    open.decrementAndGet();
                }
            }
        };
        AtomicInteger eofs = new AtomicInteger();
        side(sc, su, eofs, closeBoth);
        side(su, sc, eofs, closeBoth);
    }

    private boolean update(ByteBuffer key, int fd) {
        ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, fd);
        MapElemAttr a = new MapElemAttr().set(hash, key, v, 0);
        return bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a) == 0;
    }

    /** Waits for the end of {@code from}'s stream and half-closes {@code to}; both ended: closes both. */
    private void side(SockChannel from, SockChannel to, AtomicInteger eofs, Runnable closeBoth) {
        Thread t = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocate(4096);
            try {
                int n;
                while ((n = from.read(b.clear())) >= 0) {
                    passedToProxy.addAndGet(n); // the verdict redirects all: nothing should come here
                }
                to.shutdownOutput();
                if (eofs.incrementAndGet() == 2) {
                    closeBoth.run();
                }
            } catch (IOException e) {
                closeBoth.run();
            }
        }, THREAD_PREFIX + "-side");
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    /** Elements of the proxy's SOCKHASH now (GET_NEXT_KEY from the start until ENOENT). */
    public int mapEntries() {
        int n = 0;
        ByteBuffer key = null;
        while (true) {
            ByteBuffer next = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            MapElemAttr a = new MapElemAttr().set(hash, key, null, 0);
            a.nextKey = next;
            if (bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, a) != 0 || n > 64) {
                return n;
            }
            n++;
            key = next;
        }
    }

    /** Socket fds open in the proxy's instance. */
    public int socketFds() {
        return Sockets.list(bpf).size();
    }

    @Override
    public int openConnections() {
        return open.get();
    }

    @Override
    public long bufferedBytes() {
        DataPath dp = dataPath();
        return dp == null ? 0 : dp.bufferedBytes();
    }

    @Override
    public long peakBufferedBytes() {
        DataPath dp = dataPath();
        return dp == null ? 0 : dp.peakBufferedPerSocket();
    }

    @Override
    public long budgetPerConnection() {
        return 2L * config.budgetPerSocket();
    }

    /** Stops accepting, closes every connection, the instance (its data path with it) and its threads. */
    @Override
    public void close() {
        try {
            if (server != null) {
                server.close();
            }
            if (acceptor != null) {
                acceptor.join(5000);
            }
        } catch (IOException | InterruptedException e) {
            // closing: nothing to report
        }
        for (SockChannel c : channels) {
            c.close();
        }
        bpf.close();
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
