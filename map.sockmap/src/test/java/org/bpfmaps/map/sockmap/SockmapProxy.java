package org.bpfmaps.map.sockmap;

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
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.impl.datapath.DataPath;
import org.bpfmaps.core.impl.datapath.SockPrograms;
import org.bpfmaps.core.prog.SkSkbProgram;
import org.bpfmaps.core.sock.SockChannel;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.testsupport.traffic.Proxy;

/**
 * A TCP proxy made of a SOCKHASH and a verdict program: each proxied socket's peer is in the hash
 * under the socket's own cookie, and the verdict redirects every message to the socket at its own cookie ({@code bpf_sk_redirect_hash},
 * egress). The proxy's own code only accepts, connects, fills the map and passes the half-closes
 * on (one thread per side waiting for end of stream on its {@link SockChannel}); it never copies a
 * byte. Threads are named {@value #THREAD_PREFIX}-...
 */
final class SockmapProxy implements Proxy {
    static final String THREAD_PREFIX = "sockmap-proxy";

    private final SockFixture fx = new SockFixture();
    final DataPath dp;
    private final int hash;
    private final int verdictFd;
    private final SockPrograms progs;
    private ServerSocketChannel server;
    private Thread acceptor;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<SockChannel> channels = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    final AtomicLong passedToProxy = new AtomicLong();
    /** Connections whose sockets the map refused (no longer established when inserted). */
    final AtomicInteger refused = new AtomicInteger();

    private final int socketBuffer;

    SockmapProxy(DataPath.Config config) {
        this(config, 0);
    }

    /** {@code socketBuffer}: SO_SNDBUF/SO_RCVBUF of the proxy's sockets, 0 for the kernel's autotuning. */
    SockmapProxy(DataPath.Config config, int socketBuffer) {
        this.socketBuffer = socketBuffer;
        dp = new DataPath(config);
        hash = fx.create(MapType.SOCKHASH, 8, 8, 64, 0);
        ProgLoadAttr a = new ProgLoadAttr(ProgType.SK_SKB, (SkSkbProgram) ctx -> ctx.skRedirectHash(0, cookieKey(ctx.socketCookie()), 0));
        a.mapFds = new int[] {hash};
        verdictFd = fx.bpf.bpf(BpfCmd.PROG_LOAD, a);
        if (hash < 0 || verdictFd < 0) {
            throw new IllegalStateException("map " + hash + " prog " + verdictFd + ": " + a.errorMessage());
        }
        progs = SockPrograms.of(fx.bpf, 0, verdictFd, 0);
    }

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
        int fc = Sockets.register(fx.bpf, c);
        int fu = Sockets.register(fx.bpf, u);
        long cc = Sockets.byFd(fx.bpf, fc).cookie();
        long cu = Sockets.byFd(fx.bpf, fu).cookie();
        if (!update(cookieKey(cc), fu) || !update(cookieKey(cu), fc)) {
            // a socket that is no longer established (the client half-closed already: CLOSE_WAIT)
            // cannot enter a socket map (EOPNOTSUPP, sock_map_sk_state_allowed): give up on the pair
            c.close();
            u.close();
            fx.bpf.close(fc);
            fx.bpf.close(fu);
            refused.incrementAndGet();
            return;
        }
        open.incrementAndGet();
        // the instance's fds go once the data path has closed the channels, after what was queued
        // out of them is written: closing an fd closes its channel at once, queued bytes with it
        Sockets.byFd(fx.bpf, fc).onClose(() -> fx.bpf.close(fc));
        Sockets.byFd(fx.bpf, fu).onClose(() -> fx.bpf.close(fu));
        SockChannel sc = dp.own(fx.bpf, fc, progs);
        SockChannel su = dp.own(fx.bpf, fu, progs);
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
        MapElemAttr a = new MapElemAttr().set(hash, key, SockFixture.u64(fd), 0);
        return fx.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a) == 0;
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
    int mapEntries() {
        int n = 0;
        ByteBuffer key = null;
        while (true) {
            ByteBuffer next = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            MapElemAttr a = new MapElemAttr().set(hash, key, null, 0);
            a.nextKey = next;
            if (fx.bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, a) != 0 || n > 64) {
                return n;
            }
            n++;
            key = next;
        }
    }

    /** Socket fds open in the proxy's instance. */
    int socketFds() {
        return Sockets.list(fx.bpf).size();
    }

    @Override
    public int openConnections() {
        return open.get();
    }

    @Override
    public long bufferedBytes() {
        return dp.bufferedBytes();
    }

    @Override
    public long peakBufferedBytes() {
        return dp.peakBufferedPerSocket();
    }

    @Override
    public long budgetPerConnection() {
        return 2L * dp.config().budgetPerSocket();
    }

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
        dp.close();
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        fx.close();
    }
}
