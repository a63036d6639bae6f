package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ObjAttr;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.SocketKind;
import org.bpfmaps.core.sock.SocketState;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.spi.ObjectHost;
import org.bpfmaps.core.spi.ProviderHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real sockets on loopback as objects of an instance, through the public socket API: their fds
 * beside maps, their cookies, their states read from the kernel, and the two references (fds keep
 * the socket open, the application closing its channel closes the socket).
 */
class SocketObjectsTest {
    private final ProviderHost runtime = new StandaloneRuntime();
    private final BpfInstance bpf;
    private final List<NetworkChannel> opened = new ArrayList<>();

    @TempDir
    Path dir;

    SocketObjectsTest() {
        runtime.addProvider(new TinyArrayProvider());
        bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(2).withMemoryBudget(1 << 20));
    }

    @AfterEach
    void close() throws IOException {
        bpf.close();
        for (NetworkChannel c : opened) {
            c.close();
        }
    }

    private <C extends NetworkChannel> C keep(C c) {
        opened.add(c);
        return c;
    }

    private int register(NetworkChannel ch) {
        int fd = Sockets.register(bpf, ch);
        assertTrue(fd >= 3, Errno.nameOf(fd));
        return fd;
    }

    private BpfSocket sock(NetworkChannel ch) {
        BpfSocket s = Sockets.byFd(bpf, register(ch));
        assertNotNull(s);
        return s;
    }

    /** A listener, a client connected to it and the accepted end, on {@code ip}. */
    private record Tcp(ServerSocketChannel server, SocketChannel client, SocketChannel accepted) {
    }

    private Tcp tcp(String ip) throws IOException {
        ServerSocketChannel server = keep(ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getByName(ip), 0)));
        SocketChannel client = keep(SocketChannel.open(server.getLocalAddress()));
        return new Tcp(server, client, keep(server.accept()));
    }

    private static int read(SocketChannel ch) throws IOException {
        return ch.read(ByteBuffer.allocate(16));
    }

    /** What a map does on insert: checks that the socket is connected, then listens for its close. */
    private static AtomicInteger inAMap(BpfSocket s) {
        AtomicInteger closes = new AtomicInteger();
        assertEquals(SocketState.ESTABLISHED, s.state());
        assertTrue(s.onClose(closes::incrementAndGet));
        return closes;
    }

    @Test
    void everyChannelTypeIsASocketWithItsFdBesideTheMaps() throws IOException {
        int m = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 4));
        Tcp t = tcp("127.0.0.1");
        int fs = register(t.server());
        int fc = register(t.client());
        int fu = register(keep(DatagramChannel.open()));
        int fx = register(keep(SocketChannel.open(StandardProtocolFamily.UNIX)));
        int fl = register(keep(ServerSocketChannel.open(StandardProtocolFamily.UNIX)));
        assertEquals(List.of(3, 4, 5, 6, 7, 8), List.of(m, fs, fc, fu, fx, fl), "one table, lowest free number");
        assertEquals(List.of(SocketKind.TCP, SocketKind.TCP, SocketKind.UDP, SocketKind.UNIX_STREAM,
                SocketKind.UNIX_STREAM), List.of(fs, fc, fu, fx, fl).stream().map(fd -> Sockets.byFd(bpf, fd).kind())
                        .toList());
        assertNull(Sockets.byFd(bpf, m), "a map is no socket");
        assertNull(Sockets.byFd(bpf, 99), "not open");
        assertEquals(Errno.EBADF.ret(), ObjectHost.of(bpf).orElseThrow().id(99), "how a map tells EBADF from ENOTSOCK");
        assertEquals(0, ObjectHost.of(bpf).orElseThrow().id(fc), "an open fd without an id");
        assertSame(t.client(), Sockets.byFd(bpf, fc).channel());
        assertSame(Sockets.byFd(bpf, fc), Sockets.byFd(bpf, fc), "one object per socket");
    }

    @Test
    void cookiesAreUniqueStableAndNeverReused() throws IOException {
        Set<Long> seen = new HashSet<>();
        long last = 0;
        for (int i = 0; i < 20; i++) {
            int fd = register(keep(DatagramChannel.open()));
            BpfSocket s = Sockets.byFd(bpf, fd);
            long c = s.cookie();
            assertTrue(c > last && c > 0, "from one counter, never 0: " + c);
            assertTrue(seen.add(c));
            s.state();
            assertEquals(c, s.cookie(), "never changes");
            assertEquals(0, bpf.close(fd));
            last = c;
        }
        BpfInstance other = runtime.newInstance(BpfSettings.defaults());
        try {
            long c = Sockets.byFd(other, Sockets.register(other, keep(DatagramChannel.open()))).cookie();
            assertTrue(c > last, "one counter for every instance, as SO_COOKIE is per kernel");
        } finally {
            other.close();
        }
    }

    @Test
    void tcpStatesV4AndV6() throws IOException {
        for (String ip : new String[] {"127.0.0.1", "::1"}) {
            Tcp t = tcp(ip);
            assertEquals(SocketState.LISTEN, sock(t.server()).state(), ip);
            assertEquals(SocketState.ESTABLISHED, sock(t.client()).state(), ip);
            assertEquals(SocketState.ESTABLISHED, sock(t.accepted()).state(), ip + " accepted");
        }
        ServerSocketChannel wildcard = keep(ServerSocketChannel.open().bind(new InetSocketAddress(0)));
        assertEquals(SocketState.LISTEN, sock(wildcard).state(), "on the wildcard");
        assertEquals(SocketState.CLOSE, sock(keep(ServerSocketChannel.open())).state(), "an unbound listener");
    }

    @Test
    void unconnectedAndBoundOnlyTcpAreClose() throws IOException {
        BpfSocket unbound = sock(keep(SocketChannel.open()));
        assertEquals(SocketState.CLOSE, unbound.state());
        assertFalse(unbound.bound());
        BpfSocket bound = sock(keep(SocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))));
        assertEquals(SocketState.CLOSE, bound.state(), "bound only: in no hash table of the kernel");
        assertTrue(bound.bound());
    }

    @Test
    void aPeersFinLeavesCloseWaitAndTheSocketInItsMaps() throws IOException {
        Tcp t = tcp("127.0.0.1");
        BpfSocket client = sock(t.client());
        AtomicInteger closes = inAMap(client);
        t.accepted().close();
        assertEquals(-1, read(t.client()), "the FIN arrived");
        assertEquals(SocketState.CLOSE_WAIT, client.state());
        assertEquals(0, closes.get(), "CLOSE_WAIT stays in its maps");
    }

    @Test
    void aResetTakesTheSocketToCloseButNotOutOfItsMaps() throws IOException {
        Tcp t = tcp("::1");
        int fd = register(t.client());
        BpfSocket client = Sockets.byFd(bpf, fd);
        AtomicInteger closes = inAMap(client);
        t.accepted().setOption(StandardSocketOptions.SO_LINGER, 0);
        t.accepted().close();
        assertThrows(SocketException.class, () -> read(t.client()), "the RST arrived");
        assertEquals(SocketState.CLOSE, client.state(), "tcp_reset: tcp_done");
        assertEquals(0, closes.get(), "6.18 keeps it in its maps (no unhash hook): only its close takes it out");
        assertTrue(t.client().isOpen(), "the channel is the application's until it or the last fd closes it");
        assertEquals(0, bpf.close(fd));
        assertEquals(1, closes.get(), "its close did");
    }

    @Test
    void finsBothWaysReachClose() throws IOException {
        Tcp t = tcp("127.0.0.1");
        BpfSocket client = sock(t.client());
        BpfSocket accepted = sock(t.accepted());
        AtomicInteger closes = inAMap(client);
        t.client().shutdownOutput();
        assertEquals(-1, read(t.accepted()));
        assertEquals(SocketState.CLOSE_WAIT, accepted.state());
        t.accepted().shutdownOutput();
        assertEquals(-1, read(t.client()), "FINs both ways");
        assertEquals(SocketState.CLOSE, client.state(), "its TIME_WAIT is no socket: the socket itself is CLOSE");
        assertEquals(0, closes.get(), "still in its maps until closed, as on 6.18");
    }

    @Test
    void udpIsBoundOrNotAndConnectedOrNot() throws IOException {
        BpfSocket unbound = sock(keep(DatagramChannel.open()));
        assertFalse(unbound.bound());
        assertEquals(SocketState.CLOSE, unbound.state());
        DatagramChannel ch = keep(DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        BpfSocket bound = sock(ch);
        assertTrue(bound.bound());
        assertEquals(SocketState.CLOSE, bound.state(), "an unconnected UDP socket's sk_state");
        ch.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9));
        assertEquals(SocketState.ESTABLISHED, bound.state(), "read again: the registration said nothing");
        assertNotNull(bound.remoteAddress());
        ch.close();
        assertEquals(SocketState.CLOSED, bound.state());
        assertFalse(bound.bound());
    }

    @Test
    void unixStreamStates() throws IOException {
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("s"));
        BpfSocket listener = sock(keep(ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(path)));
        assertEquals(SocketState.LISTEN, listener.state());
        BpfSocket unconnected = sock(keep(SocketChannel.open(StandardProtocolFamily.UNIX)));
        assertEquals(SocketState.CLOSE, unconnected.state());
        SocketChannel c = keep(SocketChannel.open(path));
        BpfSocket client = sock(c);
        BpfSocket accepted = sock(keep(((ServerSocketChannel) listener.channel()).accept()));
        assertEquals(SocketState.ESTABLISHED, client.state());
        assertEquals(SocketState.ESTABLISHED, accepted.state());
        assertEquals(SocketKind.UNIX_STREAM, accepted.kind());
    }

    @Test
    void closingTheLastFdClosesTheChannelAndLeavesTheMaps() throws IOException {
        Tcp t = tcp("127.0.0.1");
        int fd = register(t.client());
        BpfSocket s = Sockets.byFd(bpf, fd);
        AtomicInteger closes = new AtomicInteger();
        s.onClose(closes::incrementAndGet);
        assertEquals(0, bpf.close(fd));
        assertFalse(t.client().isOpen(), "the fd owned the channel");
        assertEquals(1, closes.get());
        assertEquals(SocketState.CLOSED, s.state());
        assertEquals(1, closes.get(), "once");
        assertNull(Sockets.byFd(bpf, fd));
        assertEquals(-1, read(t.accepted()), "the peer saw the close");
    }

    @Test
    void theApplicationClosingTheChannelClosesTheSocketOnce() throws IOException {
        Tcp t = tcp("127.0.0.1");
        int fd = register(t.client());
        BpfSocket s = Sockets.byFd(bpf, fd);
        AtomicInteger closes = new AtomicInteger();
        AtomicInteger removed = new AtomicInteger();
        Runnable gone = removed::incrementAndGet;
        assertTrue(s.onClose(closes::incrementAndGet));
        assertTrue(s.onClose(gone));
        assertTrue(s.removeOnClose(gone));
        assertFalse(s.removeOnClose(gone));
        t.client().close();
        assertEquals(SocketState.CLOSED, s.state(), "sock_close: seen at the next read");
        assertEquals(SocketState.CLOSED, s.state());
        assertEquals(1, closes.get(), "the listeners ran once");
        assertEquals(0, removed.get(), "a removed listener never runs");
        assertNull(s.localAddress());
        assertSame(s, Sockets.byFd(bpf, fd), "the fd stays until closed");
        assertEquals(0, bpf.close(fd));
        assertEquals(1, closes.get(), "closing the fd afterwards runs nothing again");
    }

    @Test
    void readersRacingOverAClosedChannelRunTheListenersOnce() throws Exception {
        Tcp t = tcp("127.0.0.1");
        BpfSocket s = sock(t.client());
        AtomicInteger closes = inAMap(s);
        t.client().close();
        int threads = 4;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<SocketState>> reads = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                reads.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return s.state();
                }));
            }
            for (var r : reads) {
                assertEquals(SocketState.CLOSED, r.get(10, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, closes.get(), "once, whichever reader saw it first");
    }

    @Test
    void aChannelIsRegisteredOnceAndOpen() throws IOException {
        DatagramChannel ch = keep(DatagramChannel.open());
        int fd = register(ch);
        List<String> why = new ArrayList<>();
        assertEquals(Errno.EEXIST.ret(), Sockets.register(bpf, ch, (e, w, a, b) -> {
            why.add(w);
            return -e.code();
        }));
        assertTrue(why.get(0).contains("registered already"), why.toString());
        assertTrue(ch.isOpen(), "a refused registration does not take the channel");
        assertEquals(0, bpf.close(fd));
        DatagramChannel closed = DatagramChannel.open();
        closed.close();
        assertEquals(Errno.EBADF.ret(), Sockets.register(bpf, closed));
        assertThrows(IllegalArgumentException.class, () -> Sockets.register(bpf, keep(AsynchronousSocketChannel.open())));
    }

    @Test
    void socketFdsAreNotPinnedAndHaveNoInfo() throws IOException {
        int fd = register(keep(DatagramChannel.open()));
        ObjAttr pin = new ObjAttr("/sys/fs/bpf/sock", fd);
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.OBJ_PIN, pin), "bpf_fd_probe_obj on 6.18");
        assertTrue(pin.errorMessage().contains("socket"), pin.errorMessage());
        InfoAttr info = new InfoAttr(fd);
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, info), "a socket file on 6.18");
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM,
                new MapElemAttr().set(fd, ByteBuffer.allocate(4), ByteBuffer.allocate(8), 0)), "no map");
        assertEquals(Map.of(), ObjectHost.of(bpf).orElseThrow().fdinfoLines(fd));
        assertEquals(Map.of(), ObjectHost.of(bpf).orElseThrow().pinned(Sockets.KIND));
    }

    @Test
    void closingTheInstanceClosesItsSockets() throws IOException {
        BpfInstance other = runtime.newInstance(BpfSettings.defaults());
        Tcp t = tcp("127.0.0.1");
        Sockets.register(other, t.client());
        Sockets.register(other, t.server());
        other.close();
        assertFalse(t.client().isOpen());
        assertFalse(t.server().isOpen());
    }

    private static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void aThousandCyclesLeaveNoFdBehind() throws IOException {
        ServerSocketChannel server = keep(ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        long before = openFds();
        cycle(server); // what the JVM opens lazily the first time (classes, selector pipes)
        long lazy = openFds() - before;
        long base = openFds();
        for (int i = 0; i < 1000; i++) {
            cycle(server);
        }
        long after = openFds();
        assertTrue(after <= base + Math.max(lazy, 0), "fds " + base + " before, " + after + " after 1000 cycles ("
                + lazy + " opened lazily by the first one)");
    }

    /** A connection, both ends registered, their states read, then the client's fd and the channel of the other closed. */
    private void cycle(ServerSocketChannel server) throws IOException {
        SocketChannel client = SocketChannel.open(server.getLocalAddress());
        SocketChannel accepted = server.accept();
        int fc = register(client);
        int fa = register(accepted);
        assertEquals(SocketState.ESTABLISHED, Sockets.byFd(bpf, fc).state());
        BpfSocket a = Sockets.byFd(bpf, fa);
        assertNotEquals(SocketState.CLOSED, a.state());
        assertEquals(0, bpf.close(fc));
        accepted.close();
        assertEquals(SocketState.CLOSED, a.state());
        assertEquals(0, bpf.close(fa));
    }
}
