package org.bpfmaps.bench;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.bpfmaps.core.impl.datapath.DataPath;
import org.bpfmaps.map.sockmap.SockMapProvider;
import org.bpfmaps.testsupport.traffic.EchoServer;
import org.bpfmaps.testsupport.traffic.NioCopyProxy;
import org.bpfmaps.testsupport.traffic.Proxy;
import org.bpfmaps.testsupport.traffic.SockmapProxy;
import org.bpfmaps.testsupport.traffic.StreamPattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A loopback TCP proxy through the sockmap data path against the plain Java way, issue 19: an NIO
 * copy loop ({@link NioCopyProxy}: one selector thread, direct buffers, backpressure by interest
 * ops). Both copy through the JVM, so the copy loop is the baseline to match.
 *
 * <p>The sockmap proxy is {@link SockmapProxy}: a SOCKHASH, an SK_SKB verdict redirecting each
 * message to the peer socket, the sockets inserted by fd; the core's data path moves the bytes.
 *
 * <p>Throughput ({@code sockmapProxy}, {@code nioCopyProxy}): one op is one message of {@code messageSize} bytes written
 * by a streaming client and read whole at the far end (client -> proxy -> far end). The
 * benchmark thread is both the client and the far end, on non-blocking sockets: it writes the
 * message, reads whatever the far end has, and waits in a selector only when neither can move. A
 * message counts when written, and the writer never runs more than {@link Stream#WINDOW} bytes
 * ahead of what the far end has read, so the op rate is the far end's rate to within one window
 * per iteration (1 MiB against hundreds of MiB a second), like a streaming client held by TCP's
 * window. Nothing is allocated per op: one message buffer, one read buffer, a select with a
 * reusable action.
 *
 * <p>Latency ({@code roundTripSockmap}, {@code roundTripNioCopy}, SampleTime: p50, p99): one message to an echo server
 * through the proxy and read whole back, on a blocking socket.
 *
 * <p>Pairs for {@code scripts/bench-ratio.sh} (which measures both sides in avgt ns/op, so a ratio
 * below 1 means the sockmap proxy is faster):
 * {@code 'SockmapProxyBench.sockmapProxy/SockmapProxyBench.nioCopyProxy@messageSize=4096'} and
 * {@code 'SockmapProxyBench.roundTripSockmap/SockmapProxyBench.roundTripNioCopy@messageSize=4096'}
 * (the p99 goal: the round-trip pair with {@code MODE=p99 scripts/bench-ratio.sh ...}, which runs
 * both sides in sample mode and compares their p0.99 rows).
 */
public class SockmapProxyBench {
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** A streaming client and a far end, both driven by the benchmark thread, a proxy between. */
    @State(Scope.Thread)
    public abstract static class Stream {
        /** How far the writer may run ahead of the far end's reads, in bytes. */
        static final long WINDOW = 1 << 20;

        @Param({"64", "4096", "65536"})
        public int messageSize;

        private final Consumer<SelectionKey> nothing = k -> { };
        private Proxy proxy;
        private ServerSocketChannel server;
        private SocketChannel client;
        private SocketChannel far;
        private Selector selector;
        private SelectionKey clientKey;
        private ByteBuffer message;
        private ByteBuffer in;
        private long sent;
        private long received;

        /** The proxy under test, not yet started. */
        protected abstract Proxy newProxy();

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            server = ServerSocketChannel.open().bind(ANY_LOOPBACK);
            proxy = newProxy();
            InetSocketAddress front = proxy.start(ANY_LOOPBACK, (InetSocketAddress) server.getLocalAddress());
            client = SocketChannel.open(front);
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            far = server.accept();
            client.configureBlocking(false);
            far.configureBlocking(false);
            selector = Selector.open();
            clientKey = client.register(selector, 0);
            far.register(selector, SelectionKey.OP_READ);
            message = ByteBuffer.allocateDirect(messageSize);
            new StreamPattern(messageSize).fill(message, 0);
            in = ByteBuffer.allocateDirect(Math.max(64 * 1024, messageSize));
        }

        /** Writes one message and keeps the far end within {@link #WINDOW} bytes of the writer. */
        void sendOne() throws IOException {
            message.clear();
            while (message.hasRemaining()) {
                if (client.write(message) == 0 && drain() == 0) {
                    await(SelectionKey.OP_WRITE);
                }
            }
            sent += messageSize;
            while (sent - received > WINDOW) {
                if (drain() == 0) {
                    await(0);
                }
            }
        }

        /** Reads what the far end has; returns how many bytes. */
        private long drain() throws IOException {
            long got = 0;
            int n;
            while ((n = far.read(in.clear())) > 0) {
                got += n;
            }
            if (n < 0) {
                throw new EOFException("the proxy closed the far end after " + received + " bytes");
            }
            received += got;
            return got;
        }

        /** Waits until the far end is readable or (with OP_WRITE) the client writable. */
        private void await(int clientOps) throws IOException {
            if (clientKey.interestOps() != clientOps) {
                clientKey.interestOps(clientOps);
            }
            long start = System.nanoTime();
            while (selector.select(nothing, 1000) == 0) {
                if (System.nanoTime() - start > STALL_NANOS) {
                    throw new IOException("nothing moved through the proxy for 10 s: sent " + sent
                            + ", far end read " + received);
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            client.close();
            far.close();
            selector.close();
            server.close();
            proxy.close();
        }
    }

    /** A client on a blocking socket, an echo server, a proxy between. */
    @State(Scope.Thread)
    public abstract static class RoundTrip {
        @Param({"64", "4096", "65536"})
        public int messageSize;

        private Proxy proxy;
        private EchoServer echo;
        private SocketChannel client;
        private ByteBuffer message;
        private ByteBuffer in;

        protected abstract Proxy newProxy();

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            echo = EchoServer.start(null, false, 0);
            proxy = newProxy();
            client = SocketChannel.open(proxy.start(ANY_LOOPBACK, echo.address()));
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            message = ByteBuffer.allocateDirect(messageSize);
            new StreamPattern(messageSize).fill(message, 0);
            in = ByteBuffer.allocateDirect(messageSize);
        }

        /** Sends one message and reads its echo whole. */
        int roundTrip() throws IOException {
            message.clear();
            while (message.hasRemaining()) {
                client.write(message);
            }
            in.clear();
            while (in.hasRemaining()) {
                if (client.read(in) < 0) {
                    throw new EOFException("the proxy closed the client mid-message");
                }
            }
            return in.get(messageSize - 1);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException, InterruptedException {
            client.close();
            proxy.close();
            echo.close();
        }
    }

    @State(Scope.Thread)
    public static class NioCopyStream extends Stream {
        @Override
        protected Proxy newProxy() {
            return new NioCopyProxy();
        }
    }

    @State(Scope.Thread)
    public static class NioCopyRoundTrip extends RoundTrip {
        @Override
        protected Proxy newProxy() {
            return new NioCopyProxy();
        }
    }

    // === sockmap proxy (issue 19's data path) ===
    // The proxy made of a SOCKHASH and a verdict program (PROG_LOAD, PROG_ATTACH, sockets inserted
    // by fd; the core's data path owns their I/O), with the data path's default configuration.

    @State(Scope.Thread)
    public static class SockmapStream extends Stream {
        @Override
        protected Proxy newProxy() {
            return new SockmapProxy(new SockMapProvider(), DataPath.Config.defaults());
        }
    }

    @State(Scope.Thread)
    public static class SockmapRoundTrip extends RoundTrip {
        @Override
        protected Proxy newProxy() {
            return new SockmapProxy(new SockMapProvider(), DataPath.Config.defaults());
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void sockmapProxy(SockmapStream s) throws IOException {
        s.sendOne();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int roundTripSockmap(SockmapRoundTrip s) throws IOException {
        return s.roundTrip();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void nioCopyProxy(NioCopyStream s) throws IOException {
        s.sendOne();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int roundTripNioCopy(NioCopyRoundTrip s) throws IOException {
        return s.roundTrip();
    }
}
