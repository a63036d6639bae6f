package org.bpfmaps.testsupport.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The NIO copy-loop proxy with real loopback traffic: client -> proxy -> echo server and back.
 * The stream size is the system property {@value #SIZE_PROPERTY} (bytes; 100 MiB by default,
 * the size issue 19 asks of the sockmap proxy).
 */
class NioCopyProxyTest {
    static final String SIZE_PROPERTY = "bpfmaps.traffic.bytes";
    private static final long MIB = 1024 * 1024;
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Duration SHORT = Duration.ofSeconds(10);
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final String[] OUR_THREADS = {EchoServer.THREAD_PREFIX, StreamClient.THREAD_PREFIX,
        NioCopyProxy.THREAD_NAME};

    private int fdsBefore;

    /**
     * The JDK keeps one socket pair open for the life of the JVM, made when its FileDispatcherImpl
     * first loads (closing a channel that another thread is blocked in dup2()s it over the fd):
     * load it before any fd is counted, or the first such close counts as a leak.
     */
    @BeforeAll
    static void loadTheJdksCloseMarker() throws IOException {
        try (FileChannel f = FileChannel.open(Path.of("/proc/self/stat"), StandardOpenOption.READ)) {
            f.size();
        }
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
        try (EchoServer echo = EchoServer.start(); NioCopyProxy proxy = new NioCopyProxy()) {
            InetSocketAddress front = proxy.start(ANY_LOOPBACK, echo.address());
            long t0 = System.nanoTime();
            StreamClient.Result r;
            try (StreamClient client = StreamClient.connect(front, 19, null, 0).start(bytes)) {
                r = client.await(DEADLINE);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("NioCopyProxyTest: %d MiB each way in %.2f s (%.0f MiB/s each way)%n",
                    bytes / MIB, seconds, bytes / MIB / seconds);
            assertTrue(r.intact(), r.toString());
            EchoServer.Connection far = echo.connections().get(0);
            far.awaitEnded(SHORT);
            // the far end's half of the check: the client -> echo direction on its own
            assertEquals(bytes, far.received());
            assertEquals(r.sentCrc(), far.receivedCrc());
            assertTrue(far.sawEof(), "the client's half-close reached the echo server");
            Await.until(() -> proxy.openConnections() == 0, SHORT, () -> "proxy connections left after both half-closes");
            assertEquals(0, proxy.bufferedBytes());
            assertNull(proxy.died());
        }
    }

    @Test
    void theClientClosingMidStreamClosesBothSockets() throws Exception {
        try (EchoServer echo = EchoServer.start(); NioCopyProxy proxy = new NioCopyProxy()) {
            InetSocketAddress front = proxy.start(ANY_LOOPBACK, echo.address());
            int fdsServersUp = Resources.openFds();
            StreamClient client = StreamClient.connect(front, 1, null, 0).start(1024 * MIB);
            client.awaitReceived(4 * MIB, SHORT);
            client.abort();
            StreamClient.Result r = client.await(SHORT);
            assertFalse(r.timedOut());
            assertTrue(r.received() < r.bytes(), r.toString());
            assertCleanedUp(echo, proxy, fdsServersUp);
        }
    }

    @Test
    void theUpstreamClosingMidStreamClosesBothSockets() throws Exception {
        try (EchoServer echo = EchoServer.start(); NioCopyProxy proxy = new NioCopyProxy()) {
            InetSocketAddress front = proxy.start(ANY_LOOPBACK, echo.address());
            int fdsServersUp = Resources.openFds();
            StreamClient client = StreamClient.connect(front, 2, null, 0).start(1024 * MIB);
            client.awaitReceived(4 * MIB, SHORT);
            echo.connections().get(0).abort();
            // the client's stream ends by itself, short: the proxy passed the close on
            StreamClient.Result r = client.await(SHORT);
            assertFalse(r.timedOut(), r.toString());
            assertFalse(r.intact(), r.toString());
            assertTrue(r.firstMismatch() < 0, "bytes up to the close arrive in order: " + r);
            assertCleanedUp(echo, proxy, fdsServersUp);
        }
    }

    private static void assertCleanedUp(EchoServer echo, NioCopyProxy proxy, int fdsServersUp) {
        Await.until(() -> proxy.openConnections() == 0, SHORT, () -> proxy.openConnections() + " proxy connections open");
        Await.until(() -> echo.activeConnections() == 0, SHORT, () -> "echo connections still running");
        Await.until(() -> Resources.liveThreads(StreamClient.THREAD_PREFIX).isEmpty(), SHORT, () -> "client threads");
        // both of the proxy's sockets and the client's and the echo's are closed: back to the
        // servers' own fds (listeners, selector)
        Await.until(() -> Resources.openFds() == fdsServersUp, SHORT,
                () -> "fds " + Resources.openFds() + ", with only the servers up " + fdsServersUp + ": " + fdList());
        assertEquals(0, proxy.bufferedBytes());
        assertNull(proxy.died());
    }

    @Test
    void aSlowClientKeepsTheProxysBuffersBounded() throws Exception {
        slowReader(true);
    }

    @Test
    void aSlowUpstreamKeepsTheProxysBuffersBounded() throws Exception {
        slowReader(false);
    }

    /** {@link SlowReader}'s check, and the copy loop's own counters: it paused reading, never died. */
    private void slowReader(boolean slowClient) throws Exception {
        NioCopyProxy proxy = SlowReader.check(slowClient, b -> new NioCopyProxy(NioCopyProxy.DEFAULT_BUFFER, b),
                SHORT, ANY_LOOPBACK);
        assertTrue(proxy.backpressurePauses() > 0);
        assertNull(proxy.died());
    }

    @Test
    void aHalfCloseFromUpstreamLeavesTheOtherDirectionOpen() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             NioCopyProxy proxy = new NioCopyProxy()) {
            InetSocketAddress front = proxy.start(ANY_LOOPBACK, (InetSocketAddress) upstream.getLocalSocketAddress());
            upstream.setSoTimeout((int) SHORT.toMillis());
            try (Socket client = new Socket(front.getAddress(), front.getPort());
                 Socket far = upstream.accept()) {
                client.setSoTimeout((int) SHORT.toMillis());
                far.setSoTimeout((int) SHORT.toMillis());
                far.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                far.shutdownOutput();
                assertEquals("hello", readToEof(client.getInputStream()));
                OutputStream out = client.getOutputStream();
                out.write("still open".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                assertEquals("still open", readToEof(far.getInputStream()));
            }
            Await.until(() -> proxy.openConnections() == 0, SHORT, () -> "proxy connection left");
        }
    }

    @Test
    void aRefusedUpstreamClosesTheClient() throws Exception {
        InetSocketAddress nobody;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobody = (InetSocketAddress) s.getLocalSocketAddress();
        }
        try (NioCopyProxy proxy = new NioCopyProxy()) {
            InetSocketAddress front = proxy.start(ANY_LOOPBACK, nobody);
            try (Socket client = new Socket(front.getAddress(), front.getPort())) {
                client.setSoTimeout((int) SHORT.toMillis());
                assertEquals(-1, client.getInputStream().read());
            }
            Await.until(() -> proxy.openConnections() == 0, SHORT, () -> "proxy connection left");
        }
    }

    private static String readToEof(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }

    private static String fdList() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(p -> {
                try {
                    return p.getFileName() + "->" + Files.readSymbolicLink(p);
                } catch (IOException e) {
                    return p.getFileName() + "->?";
                }
            }).toList().toString();
        } catch (IOException e) {
            return "?";
        }
    }
}
