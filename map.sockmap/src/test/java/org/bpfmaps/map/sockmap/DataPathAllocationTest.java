package org.bpfmaps.map.sockmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicReference;
import org.bpfmaps.core.impl.datapath.DataPath;
import org.bpfmaps.testsupport.traffic.SockmapProxy;
import org.junit.jupiter.api.Test;

/**
 * The sockmap data path allocates nothing per message once warm (issue 19's 0 B/op): the JVM's
 * allocation counter of the data path's selector thread, read around a stretch of a stream
 * through {@link SockmapProxy} (read, verdict program, redirect lookup in the SOCKHASH, write or
 * queue out of the peer socket), stays under a fixed slack however many messages it decided. One
 * allocation per message (the smallest object is 16 bytes) over the thousands the stretch decides
 * is well past the slack. The stream's reader is slowed now and then so that the target's queue
 * and backpressure (pause and resume of the source) are part of the stretch.
 */
class DataPathAllocationTest {
    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final int MESSAGE = 4096;
    private static final long WARM_UP = 256L << 20;
    private static final long MEASURED = 128L << 20;
    /** What the selector thread may allocate in the measured stretch without a per-message cost. */
    private static final long SLACK_BYTES = 8192;
    /**
     * Runs the stretch must decide for the bound to mean something: the smallest Java object is 16
     * bytes, so 1000 runs allocating one each come to 16000, over the slack. (Without a parser a
     * verdict runs per read, up to 64 KiB: 128 MiB gives about 2048 runs, fewer on a loaded machine.)
     */
    private static final int MIN_RUNS = 1000;

    @Test
    void aWarmProxyDecidesMessagesWithoutAllocating() throws Exception {
        assertTrue(MX.isThreadAllocatedMemorySupported() && MX.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count the bytes a thread allocates");
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(ANY_LOOPBACK);
                SockmapProxy proxy = new SockmapProxy(new SockMapProvider(), DataPath.Config.defaults())) {
            InetSocketAddress front = proxy.start(ANY_LOOPBACK, (InetSocketAddress) server.getLocalAddress());
            try (SocketChannel client = SocketChannel.open(front); SocketChannel far = server.accept()) {
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                AtomicReference<Throwable> writerFailed = new AtomicReference<>();
                Thread writer = new Thread(() -> {
                    ByteBuffer m = ByteBuffer.allocateDirect(MESSAGE);
                    try {
                        for (long sent = 0; sent < WARM_UP + MEASURED; sent += MESSAGE) {
                            m.clear().putLong(0, sent);
                            while (m.hasRemaining()) {
                                client.write(m);
                            }
                        }
                    } catch (IOException e) {
                        writerFailed.set(e);
                    }
                }, "allocation-test-writer");
                writer.setDaemon(true);
                writer.start();

                ByteBuffer in = ByteBuffer.allocateDirect(64 << 10);
                readFully(far, in, WARM_UP);
                DataPath dp = proxy.dataPath();
                long tid = dp.selectorThreadId();
                long runs0 = proxy.verdictRuns();
                long before = MX.getThreadAllocatedBytes(tid);
                readFully(far, in, MEASURED);
                long allocated = MX.getThreadAllocatedBytes(tid) - before;
                long runs = proxy.verdictRuns() - runs0;
                writer.join(10_000);
                assertEquals(null, writerFailed.get(), "the writer failed");
                assertEquals(tid, dp.selectorThreadId(), "the selector thread was replaced meanwhile");
                assertEquals(0, dp.dropped(), "messages dropped");
                assertTrue(runs >= MIN_RUNS, "the stretch decided only " + runs
                        + " messages: too few for the bound to catch a per-message allocation");
                assertTrue(allocated < SLACK_BYTES, "the selector thread allocated " + allocated + " bytes for "
                        + runs + " messages (" + (double) allocated / runs + " B/message)");
            }
        }
    }

    /**
     * Reads {@code bytes} from the far end; every 64th
     * read waits a little, so that the proxy's target fills and its source pauses.
     */
    private static void readFully(SocketChannel far, ByteBuffer in, long bytes) throws IOException {
        long got = 0;
        int reads = 0;
        while (got < bytes) {
            int n = far.read(in.clear().limit((int) Math.min(in.capacity(), bytes - got)));
            if (n < 0) {
                throw new EOFException("the proxy closed the far end after " + got + " bytes");
            }
            got += n;
            if ((++reads & 63) == 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
        }
    }
}
