package org.bpfmaps.map.sockmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ProgAttachAttr;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.impl.Instance;
import org.bpfmaps.core.impl.datapath.DataPath;
import org.bpfmaps.core.prog.SkAction;
import org.bpfmaps.core.prog.SkSkbProgram;
import org.bpfmaps.core.sock.SockChannel;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.spi.ObjectHost;
import org.bpfmaps.testsupport.traffic.Await;
import org.bpfmaps.testsupport.traffic.Resources;
import org.bpfmaps.testsupport.traffic.StreamClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;

/**
 * An application that echoes through the data path: it reads its {@link SockChannel} and writes
 * every byte back on the same socket while the peer keeps sending. The kernel keeps a socket's
 * receive and send budgets apart (sk_rcvbuf, sk_sndbuf): bytes waiting for the application's read
 * never take the room its write needs, so the echo's write waits only for the selector to send
 * what is queued out, and never for its own thread to read. A shared budget deadlocked here.
 */
class EchoDataPathTest {
    private static final long BYTES = 64L << 20;
    private static final Duration BOUND = Duration.ofSeconds(90);
    private SockFixture fx;
    private Thread echo;

    @BeforeEach
    void fixture() {
        fx = new SockFixture();
    }

    @AfterEach
    void close() throws InterruptedException {
        fx.close();
        if (echo != null) {
            echo.join(BOUND.toMillis());
        }
        Await.until(() -> Resources.liveThreads(DataPath.THREAD_PREFIX).isEmpty(), Duration.ofSeconds(10),
                () -> "data path threads left after the instance closed: " + Resources.liveThreads(DataPath.THREAD_PREFIX));
    }

    @RepeatedTest(20)
    void anEchoOnItsOwnSocketNeverWaitsForItsOwnRead() throws Exception {
        int sockmap = fx.create(MapType.SOCKMAP, 4, 8, 2, 0);
        SkSkbProgram pass = ctx -> SkAction.SK_PASS;
        int prog = fx.bpf.bpf(BpfCmd.PROG_LOAD, new ProgLoadAttr(ProgType.SK_SKB, pass));
        assertTrue(prog > 0);
        ProgAttachAttr at = new ProgAttachAttr(sockmap, prog, ProgAttachAttr.SK_SKB_STREAM_VERDICT);
        assertEquals(0, fx.bpf.bpf(BpfCmd.PROG_ATTACH, at), at.errorMessage());

        ServerSocketChannel server = fx.keep(ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        StreamClient client = StreamClient.connect((InetSocketAddress) server.getLocalAddress(), 19, null, 0);
        int fd = fx.register(server.accept());
        assertEquals(0, fx.update(sockmap, 0, fd, 0));
        SockChannel ch = Sockets.channel(fx.bpf, fd);
        assertNotNull(ch, "the socket took a verdict: the data path owns it");
        DataPath dp = ((Instance) ObjectHost.of(fx.bpf).orElseThrow()).dataPath(false);

        Throwable[] failed = new Throwable[1];
        echo = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            try {
                while (ch.read(buf.clear()) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                }
                ch.shutdownOutput();
            } catch (IOException e) {
                failed[0] = e;
            }
        }, "echo-app");
        echo.start();
        StreamClient.Result r = client.start(BYTES).await(BOUND);
        String state = " (echo thread " + echo.getState() + ", socket holds " + ch.bufferedBytes()
                + " bytes, data path holds " + dp.bufferedBytes() + ", dropped " + dp.dropped()
                + ", echo error " + failed[0] + ")";
        assertTrue(r.intact(), r + state);
        echo.join(BOUND.toMillis());
        assertEquals(Thread.State.TERMINATED, echo.getState(), "the echo ended after the client's end of stream" + state);
        assertEquals(0, dp.dropped(), state);
        client.close();
    }
}
