package org.bpfmaps.core.sock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ObjAttr;
import org.bpfmaps.core.spi.ObjectHost;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The core's socket kinds, made through the extension point's entry point: each really is in the
 * state its name says (read back from the kernel as a map would), the non-sockets are open fds
 * that are no sockets, and nothing stays open once the fd and the helper ends are closed.
 */
class SocketFactoriesTest {
    private final ProviderHost runtime = Standalone.create();
    private final BpfInstance bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(2));
    private final ObjectHost host = ObjectHost.of(bpf).orElseThrow();

    @AfterEach
    void close() {
        bpf.close();
    }

    /** Opens a kind, asserts it is a socket of that kind and state, and releases it all. */
    private BpfSocket check(String kind, SocketKind sk, SocketState state) throws IOException {
        try (OpenedSocket o = SocketFactories.open(bpf, kind)) {
            BpfSocket s = Sockets.byFd(bpf, o.fd());
            assertNotNull(s, kind + " is a socket of the instance");
            assertEquals(sk, s.kind(), kind);
            assertEquals(state, s.state(), kind);
            assertEquals(state, s.state(), kind + ", read again");
            assertEquals(0, bpf.close(o.fd()));
            assertEquals(SocketState.CLOSED, s.state(), kind + ": its last fd closed it");
            return s;
        }
    }

    @Test
    void theCoreMakesEveryKindJavaNioCanMake() {
        assertTrue(SocketFactories.kinds().containsAll(Set.of("tcp_established", "tcp_accepted", "tcp6_established",
                "tcp_listen", "tcp_unconnected", "tcp_bound", "tcp_close_wait", "tcp_closed_state", "udp_bound",
                "udp_unbound", "unix_stream", "pipe", "devnull", "badfd")), SocketFactories.kinds().toString());
    }

    @Test
    void connectedTcpKindsAreEstablished() throws IOException {
        BpfSocket v4 = check("tcp_established", SocketKind.TCP, SocketState.ESTABLISHED);
        BpfSocket v6 = check("tcp6_established", SocketKind.TCP, SocketState.ESTABLISHED);
        check("tcp_accepted", SocketKind.TCP, SocketState.ESTABLISHED);
        assertTrue(v4.cookie() < v6.cookie());
        try (OpenedSocket o = SocketFactories.open(bpf, "tcp6_established")) {
            BpfSocket s = Sockets.byFd(bpf, o.fd());
            assertInstanceOf(Inet6Address.class, ((InetSocketAddress) s.localAddress()).getAddress(), "on ::1");
            assertTrue(((InetSocketAddress) s.remoteAddress()).getAddress().isLoopbackAddress());
        }
        try (OpenedSocket o = SocketFactories.open(bpf, "tcp_established")) {
            InetSocketAddress peer = (InetSocketAddress) Sockets.byFd(bpf, o.fd()).remoteAddress();
            assertInstanceOf(Inet4Address.class, peer.getAddress(), "on 127.0.0.1");
        }
    }

    @Test
    void tcpKindsThatNoMapTakesAreInTheirStates() throws IOException {
        check("tcp_listen", SocketKind.TCP, SocketState.LISTEN);
        check("tcp_unconnected", SocketKind.TCP, SocketState.CLOSE);
        try (OpenedSocket o = SocketFactories.open(bpf, "tcp_unconnected")) {
            assertFalse(Sockets.byFd(bpf, o.fd()).bound());
        }
        try (OpenedSocket o = SocketFactories.open(bpf, "tcp_bound")) {
            BpfSocket s = Sockets.byFd(bpf, o.fd());
            assertEquals(SocketState.CLOSE, s.state(), "bound only: in no hash table");
            assertTrue(s.bound());
            assertNull(s.remoteAddress());
        }
        check("tcp_close_wait", SocketKind.TCP, SocketState.CLOSE_WAIT);
        try (OpenedSocket o = SocketFactories.open(bpf, "tcp_closed_state")) {
            BpfSocket s = Sockets.byFd(bpf, o.fd());
            assertEquals(SocketState.CLOSE, s.state(), "reset: out of the kernel's tables");
            assertNotNull(s.remoteAddress(), "it was connected: the JDK still names its peer");
            AtomicInteger closes = new AtomicInteger();
            assertTrue(s.onClose(closes::incrementAndGet), "registered after its CLOSE: a map refuses it by state");
        }
    }

    @Test
    void udpAndUnixStreamKinds() throws IOException {
        check("udp_bound", SocketKind.UDP, SocketState.CLOSE);
        check("udp_unbound", SocketKind.UDP, SocketState.CLOSE);
        try (OpenedSocket b = SocketFactories.open(bpf, "udp_bound");
                OpenedSocket u = SocketFactories.open(bpf, "udp_unbound")) {
            assertTrue(Sockets.byFd(bpf, b.fd()).bound());
            assertFalse(Sockets.byFd(bpf, u.fd()).bound());
        }
        check("unix_stream", SocketKind.UNIX_STREAM, SocketState.ESTABLISHED);
        try (OpenedSocket o = SocketFactories.open(bpf, "unix_stream")) {
            Path listener = ((UnixDomainSocketAddress) Sockets.byFd(bpf, o.fd()).remoteAddress()).getPath();
            assertFalse(Files.exists(listener), "the listener's path is removed at once: " + listener);
        }
    }

    @Test
    void pipeAndDevnullAreOpenFdsThatAreNoSockets() throws IOException {
        for (String kind : List.of("pipe", "devnull")) {
            try (OpenedSocket o = SocketFactories.open(bpf, kind)) {
                assertEquals(0, host.id(o.fd()), kind + ": an open fd without an id");
                assertNull(Sockets.byFd(bpf, o.fd()), kind + " is no socket");
                ObjAttr pin = new ObjAttr();
                pin.bpfFd = o.fd();
                pin.pathname = "/sys/fs/bpf/never";
                assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.OBJ_PIN, pin), kind + " is no BPF object");
                assertEquals(0, bpf.close(o.fd()));
                assertEquals(Errno.EBADF.ret(), host.id(o.fd()));
            }
        }
    }

    @Test
    void badfdIsANumberThatIsNotOpen() throws IOException {
        try (OpenedSocket o = SocketFactories.open(bpf, "badfd")) {
            assertEquals(Errno.EBADF.ret(), host.id(o.fd()));
            SocketFactories.open(bpf, "udp_bound");
            SocketFactories.open(bpf, "pipe");
            assertEquals(Errno.EBADF.ret(), host.id(o.fd()), "never the number a later fd gets");
        }
    }

    @Test
    void aKindNoPartMakesIsReportedMissing() {
        assertFalse(SocketFactories.kinds().contains("xdp_bound_lo"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SocketFactories.open(bpf, "xdp_bound_lo"));
        assertTrue(e.getMessage().contains("'xdp_bound_lo'"), e.getMessage());
        assertTrue(e.getMessage().contains("tcp_established"), "names the kinds there are: " + e.getMessage());
    }

    @Test
    void aFailureToGiveAnFdLeavesNothingOpen() throws IOException {
        BpfInstance tiny = runtime.newInstance(new BpfSettings(2, 1 << 20, 1, 16));
        List<OpenedSocket> made = new ArrayList<>();
        try {
            IOException full = null;
            for (int i = 0; i < 20 && full == null; i++) {
                long before = openFds();
                try {
                    made.add(SocketFactories.open(tiny, "tcp_established"));
                } catch (IOException e) {
                    full = e;
                    assertEquals(before, openFds(), "the failed open closed what it had opened");
                }
            }
            assertNotNull(full, "an instance of 16 fds is full after " + made.size());
            assertTrue(full.getMessage().startsWith("EMFILE"), full.getMessage());
        } finally {
            tiny.close();
            made.forEach(OpenedSocket::close);
        }
    }

    private static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** One of every kind, its fd and helper ends closed. */
    private void everyKind() throws IOException {
        for (String kind : JdkSocketFactory.KINDS) {
            try (OpenedSocket o = SocketFactories.open(bpf, kind)) {
                bpf.close(o.fd());
            }
        }
    }

    @Test
    void everyKindReleasesEveryFdItOpened() throws IOException {
        everyKind(); // what the JVM opens lazily the first time (selector pipes, classes)
        long before = openFds();
        for (int i = 0; i < 50; i++) {
            everyKind();
        }
        assertEquals(before, openFds(), "fds of the process before and after 50 rounds of every kind");
    }
}
