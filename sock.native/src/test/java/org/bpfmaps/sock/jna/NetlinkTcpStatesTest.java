package org.bpfmaps.sock.jna;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.core.sock.SocketState;
import org.junit.jupiter.api.Test;

/**
 * The netlink reader's descriptors: a thousand reads leave none behind, concurrent readers each use
 * a socket of their own and leave at most {@link NetlinkTcpStates#IDLE} open, closing the reader
 * closes those; without the native calls it answers nothing.
 */
class NetlinkTcpStatesTest {
    /**
     * The process's open socket descriptors: what these tests make and must close. Other fds are not
     * counted: the JVM opens and closes files of its own (jars, as classes load) on other threads,
     * and under a loaded build a count of every fd once saw one fewer, once one more.
     */
    private static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException gone) {
                    return false; // closed while listed (the listing's own fd among them)
                }
            }).count();
        }
    }

    /**
     * What each open fd is (its /proc/self/fd link), for a failure message: a count that differs
     * says which descriptor came or went (a run in CI once saw one more after the reader closed).
     */
    private static String fdLinks() throws IOException {
        StringBuilder b = new StringBuilder();
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) s.sorted()::iterator) {
                try {
                    b.append(' ').append(fd.getFileName()).append("->").append(Files.readSymbolicLink(fd));
                } catch (IOException e) {
                    b.append(' ').append(fd.getFileName()).append("->(gone)"); // the listing's own fd
                }
            }
        }
        return b.toString();
    }

    @Test
    void aThousandReadsLeaveNoDescriptorBehind() throws Exception {
        NetlinkTcpStates states = new NetlinkTcpStates();
        assertNull(states.unavailableReason(), "probed once, with a socket of its own, closed");
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                SocketChannel client = SocketChannel.open(server.getLocalAddress());
                SocketChannel accepted = server.accept()) {
            InetSocketAddress l = (InetSocketAddress) client.getLocalAddress();
            InetSocketAddress r = (InetSocketAddress) client.getRemoteAddress();
            long before = openFds();
            String beforeLinks = fdLinks();
            for (int i = 0; i < 1000; i++) {
                assertEquals(SocketState.ESTABLISHED, states.state(l, r));
            }
            assertEquals(1, states.idleSockets(), "one thread at a time used one socket");
            assertEquals(before + 1, openFds(), "only that idle socket");

            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> done = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    done.add(pool.submit(() -> {
                        int ok = 0;
                        for (int i = 0; i < 250; i++) {
                            ok += states.state(l, r) == SocketState.ESTABLISHED ? 1 : 0;
                            ok += states.state((InetSocketAddress) server.getLocalAddress(), null) == SocketState.LISTEN ? 1 : 0;
                        }
                        return ok;
                    }));
                }
                for (Future<Integer> f : done) {
                    assertEquals(500, f.get(30, TimeUnit.SECONDS), "every concurrent read answered right");
                }
            } finally {
                pool.shutdown();
                assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            }
            int idle = states.idleSockets();
            assertTrue(idle >= 1 && idle <= NetlinkTcpStates.IDLE, "idle sockets: " + idle);
            assertEquals(before + idle, openFds(), "the idle sockets only");
            states.close();
            assertEquals(0, states.idleSockets());
            assertEquals(before, openFds(), () -> "closing the reader closed them; before:" + beforeLinks + "; now:"
                    + links());
            assertNull(states.state(l, r), "a closed reader answers nothing: the core reads /proc");
            assertEquals(before, openFds(), () -> "before:" + beforeLinks + "; now:" + links());
        }
    }

    private static String links() {
        try {
            return fdLinks();
        } catch (IOException e) {
            return " (unreadable: " + e + ")";
        }
    }

    @Test
    void withoutTheNativeCallsItAnswersNothing() throws IOException {
        NetlinkTcpStates states = new NetlinkTcpStates(new NoClassDefFoundError("com/sun/jna/Native"));
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 1);
        assertNull(states.state(any, any));
        assertTrue(states.unavailableReason() instanceof NoClassDefFoundError);
        assertEquals(0, states.idleSockets());
    }
}
