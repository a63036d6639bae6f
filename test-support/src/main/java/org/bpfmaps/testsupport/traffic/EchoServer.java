package org.bpfmaps.testsupport.traffic;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * A loopback echo server, one blocking thread per connection: it writes back every byte it
 * reads, in order, and on end of stream shuts its output down (half-close) and closes. Each
 * connection keeps a CRC32C of what it received, the far end's half of the stream check. An
 * optional {@link Gate} makes it a slow reader.
 *
 * <p>Threads are named {@value #THREAD_PREFIX}...; {@link #close()} ends them all.
 */
public final class EchoServer implements AutoCloseable {
    public static final String THREAD_PREFIX = "traffic-echo";
    private static final int BUFFER = 64 * 1024;

    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final Gate gate;
    private final boolean hash;
    private final int socketBuffer;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final AtomicInteger active = new AtomicInteger();

    /** One accepted connection: what it received, and whether it has ended. */
    public final class Connection {
        private final SocketChannel ch;
        private final Thread thread;
        private final CRC32C crc = new CRC32C();
        private volatile long received;
        private volatile int receivedCrc;
        private volatile boolean sawEof;

        Connection(SocketChannel ch, int n) {
            this.ch = ch;
            this.thread = new Thread(this::echo, THREAD_PREFIX + "-" + n);
            this.thread.setDaemon(true);
        }

        public long received() {
            return received;
        }

        /** The CRC32C of the bytes received so far. */
        public int receivedCrc() {
            return receivedCrc;
        }

        /** The peer half-closed (end of stream) rather than reset or aborted. */
        public boolean sawEof() {
            return sawEof;
        }

        /** Waits until this connection's thread has ended. */
        public void awaitEnded(Duration timeout) throws InterruptedException {
            thread.join(timeout.toMillis());
            if (thread.isAlive()) {
                throw new AssertionError("echo connection still running after " + timeout.toMillis() + " ms");
            }
        }

        /** Closes the socket mid-stream (the upstream side going away). */
        public void abort() {
            closeQuietly(ch);
        }

        private void echo() {
            ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
            try {
                while (true) {
                    int want = gate == null ? BUFFER : gate.acquire(BUFFER);
                    buf.clear().limit(want);
                    int n = ch.read(buf);
                    if (gate != null) {
                        gate.refund(want - Math.max(n, 0));
                    }
                    if (n < 0) {
                        sawEof = true;
                        ch.shutdownOutput();
                        break;
                    }
                    buf.flip();
                    if (hash) {
                        crc.update(buf);
                        buf.rewind();
                        receivedCrc = (int) crc.getValue();
                    }
                    received += n;
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // reset or aborted: the connection ends; the client's check sees the short stream
            } finally {
                closeQuietly(ch);
                active.decrementAndGet();
            }
        }
    }

    private EchoServer(Gate gate, boolean hash, int socketBuffer) throws IOException {
        this.gate = gate;
        this.hash = hash;
        this.socketBuffer = socketBuffer;
        this.server = ServerSocketChannel.open();
        if (socketBuffer > 0) {
            // set on the listener, so that accepted sockets start with it (autotuning off)
            server.setOption(StandardSocketOptions.SO_RCVBUF, socketBuffer);
        }
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.acceptor = new Thread(this::accept, THREAD_PREFIX + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** An echo server that hashes what it receives. */
    public static EchoServer start() throws IOException {
        return new EchoServer(null, true, 0);
    }

    /**
     * An echo server reading only what {@code gate} grants (null: no limit), hashing or not (a
     * benchmark leaves the hash out of its latency), with SO_RCVBUF/SO_SNDBUF fixed to
     * {@code socketBuffer} (0: the kernel's autotuning).
     */
    public static EchoServer start(Gate gate, boolean hash, int socketBuffer) throws IOException {
        return new EchoServer(gate, hash, socketBuffer);
    }

    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }

    /** Every connection accepted so far, in order. */
    public List<Connection> connections() {
        return connections;
    }

    /** Connections whose thread is still running. */
    public int activeConnections() {
        return active.get();
    }

    private void accept() {
        int n = 0;
        try {
            while (true) {
                SocketChannel ch = server.accept();
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (socketBuffer > 0) {
                    ch.setOption(StandardSocketOptions.SO_SNDBUF, socketBuffer);
                }
                Connection c = new Connection(ch, n++);
                active.incrementAndGet();
                connections.add(c);
                c.thread.start();
            }
        } catch (IOException e) {
            // the server channel was closed: stop accepting
        }
    }

    @Override
    public void close() throws InterruptedException {
        closeQuietly(server);
        acceptor.join();
        if (gate != null) {
            gate.open();
        }
        for (Connection c : connections) {
            closeQuietly(c.ch);
            c.thread.join();
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing: nothing left to do with the error
        }
    }
}
