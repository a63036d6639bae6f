package org.bpfmaps.map.sockmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.bpfmaps.core.impl.datapath.DataPath;
import org.bpfmaps.testsupport.traffic.Await;
import org.bpfmaps.testsupport.traffic.EchoServer;
import org.bpfmaps.testsupport.traffic.Resources;
import org.bpfmaps.testsupport.traffic.SlowReader;
import org.bpfmaps.testsupport.traffic.SockmapProxy;
import org.bpfmaps.testsupport.traffic.StreamClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The loopback proxy of issue 19 made of a SOCKHASH and a verdict program ({@link SockmapProxy}:
 * PROG_LOAD, PROG_ATTACH, the sockets inserted by fd, their channels from
 * {@code Sockets.channel}): client -> proxy -> echo server and back, through the core's data path. The stream size is the
 * system property {@value #SIZE_PROPERTY} (bytes; 100 MiB by default).
 */
class SockmapProxyTest {
    static final String SIZE_PROPERTY = "bpfmaps.traffic.bytes";
    private static final long MIB = 1024 * 1024;
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final Duration SHORT = Duration.ofSeconds(10);
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final String[] OUR_THREADS = {EchoServer.THREAD_PREFIX, StreamClient.THREAD_PREFIX,
        SockmapProxy.THREAD_PREFIX, DataPath.THREAD_PREFIX};

    private int fdsBefore;

    /** The JDK's close marker socket pair, made once per JVM: made before fds are counted (see NioCopyProxyTest). */
    @BeforeAll
    static void loadTheJdksCloseMarker() throws Exception {
        try (FileChannel f = FileChannel.open(Path.of("/proc/self/stat"), StandardOpenOption.READ)) {
            f.size();
        }
        // and what the first instance, proxy and selector open once per JVM (lazily made parts of
        // the JDK and the runtime), so that the first test's fd count sees only its own
        try (EchoServer echo = EchoServer.start(); SockmapProxy proxy = proxy()) {
            InetSocketAddress front = proxy.start(ANY_LOOPBACK, echo.address());
            try (StreamClient client = StreamClient.connect(front, 1, null, 0).start(1024)) {
                client.await(SHORT);
            }
        }
        Await.until(() -> Resources.liveThreads(OUR_THREADS).isEmpty(), SHORT, () -> "warm-up threads");
    }

    @BeforeEach
    void noLeftovers() {
        assertEquals(List.of(), Resources.liveThreads(OUR_THREADS), "threads of an earlier test");
        fdsBefore = Resources.openFds();
    }

    @AfterEach
    void everythingGivenBack() {
        Await.until(() -> Resources.liveThreads(OUR_THREADS).isEmpty(), SHORT,
                () -> "threads left: " + Resources.liveThreads(OUR_THREADS));
        Await.until(() -> Resources.openFds() == fdsBefore, SHORT,
                () -> "fds " + Resources.openFds() + ", before the test " + fdsBefore + ": " + fdList());
    }

    @Test
    void aStreamEachWayArrivesWholeAndInOrder() throws Exception {
        long bytes = Long.getLong(SIZE_PROPERTY, 100 * MIB);
        try (EchoServer echo = EchoServer.start(); SockmapProxy proxy = proxy()) {
            InetSocketAddress front = proxy.start(ANY_LOOPBACK, echo.address());
            long t0 = System.nanoTime();
            StreamClient.Result r;
            try (StreamClient client = StreamClient.connect(front, 19, null, 0).start(bytes)) {
                r = client.await(DEADLINE);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("SockmapProxyTest: %d MiB each way in %.2f s (%.0f MiB/s each way)%n",
                    bytes / MIB, seconds, bytes / MIB / seconds);
            assertTrue(r.intact(), r.toString());
            EchoServer.Connection far = echo.connections().get(0);
            far.awaitEnded(SHORT);
            assertEquals(bytes, far.received());
            assertEquals(r.sentCrc(), far.receivedCrc());
            assertTrue(far.sawEof(), "the client's half-close reached the echo server");
            Await.until(() -> proxy.openConnections() == 0, SHORT, () -> "proxy connections left");
            assertEquals(0, proxy.passedToProxy.get(), "the verdict redirected every byte: none reached the proxy's code");
            assertEquals(0, proxy.dataPath().dropped());
            assertEquals(0, proxy.dataPath().ownedSockets());
            // the channels close once what was queued out of them is written; their entries go with them
            Await.until(() -> proxy.mapEntries() == 0, SHORT, () -> proxy.mapEntries() + " map entries left");
            assertTrue(proxy.peakBufferedBytes() <= proxy.config().budgetPerSocket());
        }
    }

    /**
     * The sockmap bundle updated mid-stream (its provider removed, then a new one added): the
     * SOCKHASH is detached meanwhile, the verdict's redirects through it pause (the message waits
     * at its source, which stops reading: backpressure) and go on when the map is back with its
     * verdict still attached; no byte is lost, duplicated or reordered.
     */
    @Test
    void aProviderSwapMidStreamPausesAndLosesNothing() throws Exception {
        long bytes = 64 * MIB;
        SockMapProvider first = new SockMapProvider();
        try (EchoServer echo = EchoServer.start();
                SockmapProxy proxy = new SockmapProxy(first, DataPath.Config.defaults())) {
            InetSocketAddress front = proxy.start(ANY_LOOPBACK, echo.address());
            StreamClient c = StreamClient.connect(front, 23, null, 0).start(bytes);
            c.awaitReceived(4 * MIB, SHORT);
            proxy.runtime().removeProvider(first);
            Await.until(() -> proxy.dataPath().pausedRedirects() > 0, SHORT,
                    () -> "no redirect found the map detached");
            proxy.runtime().addProvider(new SockMapProvider(), 0, "1.0.1");
            StreamClient.Result r = c.await(DEADLINE);
            assertTrue(r.intact(), r.toString());
            EchoServer.Connection far = echo.connections().get(0);
            far.awaitEnded(SHORT);
            assertEquals(bytes, far.received());
            assertEquals(r.sentCrc(), far.receivedCrc());
            assertEquals(0, proxy.dataPath().dropped(), "nothing dropped across the swap");
            assertEquals(0, proxy.passedToProxy.get());
            Await.until(() -> proxy.openConnections() == 0, SHORT, () -> "proxy connections left");
            Await.until(() -> proxy.mapEntries() == 0, SHORT, () -> proxy.mapEntries() + " map entries left");
        }
    }

    @Test
    void theClientClosingMidStreamCleansUp() throws Exception {
        midStreamClose(true);
    }

    @Test
    void theUpstreamClosingMidStreamCleansUp() throws Exception {
        midStreamClose(false);
    }

    private void midStreamClose(boolean client) throws Exception {
        try (EchoServer echo = EchoServer.start(); SockmapProxy proxy = proxy()) {
            InetSocketAddress front = proxy.start(ANY_LOOPBACK, echo.address());
            int fdsServersUp = Resources.openFds();
            StreamClient c = StreamClient.connect(front, 1, null, 0).start(1024 * MIB);
            c.awaitReceived(4 * MIB, SHORT);
            if (client) {
                c.abort();
            } else {
                echo.connections().get(0).abort();
            }
            StreamClient.Result r = c.await(SHORT);
            assertFalse(r.timedOut(), r.toString());
            assertTrue(r.firstMismatch() < 0, "bytes up to the close arrive in order: " + r);
            Await.until(() -> proxy.openConnections() == 0, SHORT, () -> proxy.openConnections() + " connections open");
            Await.until(() -> echo.activeConnections() == 0, SHORT, () -> "echo connections still running");
            Await.until(() -> proxy.dataPath().ownedSockets() == 0, SHORT, () -> "owned sockets left");
            Await.until(() -> Resources.liveThreads(SockmapProxy.THREAD_PREFIX + "-side").isEmpty(), SHORT,
                    () -> "proxy threads left: " + Resources.liveThreads(SockmapProxy.THREAD_PREFIX + "-side"));
            // the selector releases closed channels' fds at its next select
            Await.until(() -> Resources.openFds() == fdsServersUp, SHORT,
                    () -> "fds " + Resources.openFds() + ", with only the servers up " + fdsServersUp);
            assertEquals(0, proxy.bufferedBytes());
            assertEquals(0, proxy.mapEntries(), "every map entry left with its socket");
            assertEquals(0, proxy.socketFds(), "every socket fd of the instance closed");
            assertEquals(1, proxy.dataPath().threadsStarted(), "no selector thread was lost");
        }
    }

    @Test
    void aSlowClientKeepsMemoryWithinTheBudget() throws Exception {
        slowReader(true);
    }

    @Test
    void aSlowUpstreamKeepsMemoryWithinTheBudget() throws Exception {
        slowReader(false);
    }

    /**
     * {@link SlowReader}'s check with a small budget (256 KiB a socket, 64 KiB messages): the peak
     * is the data path's own accounting, per socket, against its budget; nothing is dropped.
     */
    private void slowReader(boolean slowClient) throws Exception {
        DataPath.Config config = new DataPath.Config(256 * 1024, 64 * 1024, 1_000_000_000L);
        SockmapProxy proxy = SlowReader.check(slowClient, b -> new SockmapProxy(new SockMapProvider(), config, b), SHORT, ANY_LOOPBACK);
        assertTrue(proxy.peakBufferedBytes() <= config.budgetPerSocket(),
                "peak " + proxy.peakBufferedBytes() + " > budget " + config.budgetPerSocket());
        assertEquals(0, proxy.dataPath().dropped());
    }

    private static SockmapProxy proxy() {
        return new SockmapProxy(new SockMapProvider(), DataPath.Config.defaults());
    }

    private static String fdList() {
        try (var s = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
            return s.map(p -> {
                try {
                    return p.getFileName() + "->" + java.nio.file.Files.readSymbolicLink(p);
                } catch (IOException e) {
                    return p.getFileName() + "->?";
                }
            }).toList().toString();
        } catch (IOException e) {
            return "?";
        }
    }
}
