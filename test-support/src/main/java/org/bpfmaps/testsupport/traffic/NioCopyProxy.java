package org.bpfmaps.testsupport.traffic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The plain Java way to proxy TCP, the baseline the sockmap proxy is measured against: one
 * selector thread, a direct buffer per direction, read from one side and write to the other.
 *
 * <p>Backpressure by interest ops: a side is read only while the buffer of its direction is
 * empty; when a write leaves bytes behind, the source side stops being read (OP_READ off) and the
 * target side waits for OP_WRITE. So a connection holds at most two buffers' worth of bytes, however
 * slow its reader ({@link #budgetPerConnection()}), and the slowness reaches the sender through
 * TCP's own window. Half-close: end of stream on one side becomes shutdownOutput on the other once
 * the direction's buffer is drained; the connection closes when both directions have ended, or
 * at once, both sockets, when either side fails (reset, broken pipe).
 *
 * <p>The loop allocates nothing per event (select with a reusable action, attachments made at
 * accept), so that a benchmark through it measures copying, not garbage. Thread name:
 * {@value #THREAD_NAME}.
 */
public final class NioCopyProxy implements Proxy {
    public static final String THREAD_NAME = "nio-copy-proxy";
    public static final int DEFAULT_BUFFER = 64 * 1024;
    /** Reads and writes one event may do on a direction before the loop serves the others. */
    private static final int ROUNDS_PER_EVENT = 4;

    private final int bufferSize;
    private final int socketBuffer;
    private final Consumer<SelectionKey> onReady = this::ready;
    private final List<Connection> connections = new ArrayList<>();
    private Selector selector;
    private ServerSocketChannel server;
    private InetSocketAddress upstream;
    private Thread thread;
    private volatile boolean running;
    private volatile Throwable died;

    // Written by the selector thread only; volatile so that tests and benchmarks read them live.
    private volatile int open;
    private volatile long buffered;
    private volatile long peakBuffered;
    private volatile long backpressurePauses;
    /** Connections closed whose channels the selector has not yet deregistered (fds still open). */
    private int closedPendingDeregistration;

    /** A proxy with {@value #DEFAULT_BUFFER}-byte buffers and the kernel's socket buffer autotuning. */
    public NioCopyProxy() {
        this(DEFAULT_BUFFER, 0);
    }

    /**
     * @param bufferSize   bytes of each direction's buffer
     * @param socketBuffer SO_RCVBUF/SO_SNDBUF of the proxy's sockets; 0 leaves the kernel's autotuning
     */
    public NioCopyProxy(int bufferSize, int socketBuffer) {
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("bufferSize " + bufferSize + " must be > 0");
        }
        if (socketBuffer < 0) {
            throw new IllegalArgumentException("socketBuffer " + socketBuffer + " must be >= 0");
        }
        this.bufferSize = bufferSize;
        this.socketBuffer = socketBuffer;
    }

    /** One direction: bytes read from {@code from}, written to {@code to}. */
    private static final class Flow {
        final ByteBuffer buf;
        Side from;
        Side to;
        /** The buffer is flipped and holds bytes not yet written. */
        boolean pending;
        boolean eof;
        boolean shut;

        Flow(int size) {
            buf = ByteBuffer.allocateDirect(size);
        }
    }

    /** One socket of a connection; the selection key's attachment. */
    private static final class Side {
        final Connection conn;
        final SocketChannel ch;
        SelectionKey key;
        Flow out;
        Flow in;
        int ops = -1;

        Side(Connection conn, SocketChannel ch) {
            this.conn = conn;
            this.ch = ch;
        }
    }

    private final class Connection {
        final Side client;
        final Side upstream;
        boolean connected;
        boolean closed;

        Connection(SocketChannel clientCh, SocketChannel upstreamCh) {
            client = new Side(this, clientCh);
            this.upstream = new Side(this, upstreamCh);
            Flow up = new Flow(bufferSize);
            Flow down = new Flow(bufferSize);
            up.from = client;
            up.to = this.upstream;
            down.from = this.upstream;
            down.to = client;
            client.out = up;
            client.in = down;
            this.upstream.out = down;
            this.upstream.in = up;
        }
    }

    @Override
    public InetSocketAddress start(InetSocketAddress listen, InetSocketAddress upstream) throws IOException {
        if (thread != null) {
            throw new IllegalStateException("started already");
        }
        this.upstream = upstream;
        selector = Selector.open();
        server = ServerSocketChannel.open();
        try {
            server.bind(listen);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            server.close();
            selector.close();
            throw e;
        }
        running = true;
        thread = new Thread(this::loop, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
        return (InetSocketAddress) server.getLocalAddress();
    }

    @Override
    public int openConnections() {
        return open;
    }

    @Override
    public long bufferedBytes() {
        return buffered;
    }

    @Override
    public long peakBufferedBytes() {
        return peakBuffered;
    }

    @Override
    public long budgetPerConnection() {
        return 2L * bufferSize;
    }

    /** Times a write left bytes behind, so that the source side stopped being read. */
    public long backpressurePauses() {
        return backpressurePauses;
    }

    /** Why the selector thread ended, if it ended on an error rather than {@link #close()}. */
    public Throwable died() {
        return died;
    }

    private void loop() {
        try {
            while (running) {
                selector.select(onReady);
                // Closed channels keep their fds until the selector deregisters their keys, in its
                // next selection: do that now, so that a closed connection gives its fds back at
                // once and 'open' only drops once they are.
                while (closedPendingDeregistration > 0) {
                    int closed = closedPendingDeregistration;
                    closedPendingDeregistration = 0;
                    selector.selectNow(onReady);
                    open -= closed;
                }
            }
        } catch (IOException | RuntimeException e) {
            died = e;
        } finally {
            while (!connections.isEmpty()) {
                closeConnection(connections.get(connections.size() - 1));
            }
            EchoServer.closeQuietly(server);
            EchoServer.closeQuietly(selector); // deregisters every key: the channels' fds close
            open = 0;
        }
    }

    private void ready(SelectionKey key) {
        if (!key.isValid()) {
            return; // its connection closed earlier in this selection
        }
        Object a = key.attachment();
        if (a == null) {
            accept();
            return;
        }
        Side side = (Side) a;
        Connection c = side.conn;
        if (c.closed) {
            return;
        }
        try {
            int ready = key.readyOps();
            if ((ready & SelectionKey.OP_CONNECT) != 0) {
                side.ch.finishConnect();
                c.connected = true;
            }
            if ((ready & SelectionKey.OP_READ) != 0) {
                pump(side.out);
            }
            if ((ready & SelectionKey.OP_WRITE) != 0) {
                pump(side.in);
            }
            if (side.out.shut && side.in.shut) {
                closeConnection(c);
                return;
            }
            updateInterest(c.client);
            updateInterest(c.upstream);
        } catch (IOException e) {
            // reset, broken pipe, refused upstream: both sockets go
            closeConnection(c);
        }
    }

    private void accept() {
        SocketChannel clientCh;
        try {
            clientCh = server.accept();
        } catch (IOException e) {
            return; // the client went before it was accepted
        }
        if (clientCh == null) {
            return;
        }
        SocketChannel upstreamCh = null;
        Connection c = null;
        try {
            upstreamCh = SocketChannel.open();
            configure(clientCh);
            configure(upstreamCh);
            c = new Connection(clientCh, upstreamCh);
            connections.add(c);
            open++;
            c.client.key = clientCh.register(selector, 0, c.client);
            c.upstream.key = upstreamCh.register(selector, 0, c.upstream);
            c.connected = upstreamCh.connect(upstream);
            updateInterest(c.client);
            updateInterest(c.upstream);
        } catch (IOException e) {
            // the client goes as it came: nothing was proxied yet
            if (c != null) {
                closeConnection(c);
            } else {
                EchoServer.closeQuietly(clientCh);
                if (upstreamCh != null) {
                    EchoServer.closeQuietly(upstreamCh);
                }
            }
        }
    }

    private void configure(SocketChannel ch) throws IOException {
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (socketBuffer > 0) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, socketBuffer);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, socketBuffer);
        }
    }

    /**
     * Moves bytes along one direction: write what the buffer holds, and while it empties, read
     * more (a few rounds, then the other connections get their turn). End of stream read and
     * drained becomes shutdownOutput on the target.
     */
    private void pump(Flow f) throws IOException {
        for (int round = 0; round < ROUNDS_PER_EVENT; round++) {
            if (!f.pending) {
                if (f.eof) {
                    break;
                }
                int n = f.from.ch.read(f.buf);
                if (n == 0) {
                    break;
                }
                if (n < 0) {
                    f.eof = true;
                    break;
                }
                account(n);
                f.buf.flip();
                f.pending = true;
            }
            int w = f.to.ch.write(f.buf);
            account(-w);
            if (f.buf.hasRemaining()) {
                backpressurePauses++;
                break; // the target is full: stop reading the source until it drains
            }
            f.buf.clear();
            f.pending = false;
        }
        if (f.eof && !f.pending && !f.shut) {
            f.to.ch.shutdownOutput();
            f.shut = true;
        }
    }

    private void account(long delta) {
        long b = buffered + delta;
        buffered = b;
        if (b > peakBuffered) {
            peakBuffered = b;
        }
    }

    private void updateInterest(Side s) {
        int ops;
        if (!s.conn.connected) {
            ops = s == s.conn.upstream ? SelectionKey.OP_CONNECT : 0;
        } else {
            ops = 0;
            if (!s.out.eof && !s.out.pending) {
                ops |= SelectionKey.OP_READ;
            }
            if (s.in.pending) {
                ops |= SelectionKey.OP_WRITE;
            }
        }
        if (ops != s.ops) {
            s.key.interestOps(ops);
            s.ops = ops;
        }
    }

    private void closeConnection(Connection c) {
        if (c.closed) {
            return;
        }
        c.closed = true;
        for (Flow f : new Flow[] {c.client.out, c.client.in}) {
            if (f.pending) {
                account(-f.buf.remaining());
            }
        }
        EchoServer.closeQuietly(c.client.ch);
        EchoServer.closeQuietly(c.upstream.ch);
        connections.remove(c);
        closedPendingDeregistration++;
    }

    @Override
    public void close() {
        running = false;
        if (thread == null) {
            return;
        }
        selector.wakeup();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while closing the proxy", e));
        }
    }
}
