package org.bpfmaps.core.sock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.standalone.Standalone;
import org.bpfmaps.sock.jna.NetlinkTcpStates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The native bundle's netlink reader of TCP states and the core's {@code /proc/net/tcp} reader
 * give the same state for every socket a map may be asked to take, on real loopback sockets:
 * pure IPv4 (AF_INET) sockets, the JDK's dual-stack ones (IPv4-mapped), IPv6 ones; listening,
 * connected, accepted, not accepted yet, CLOSE_WAIT, reset, FINs both ways, closed. The core
 * (on this class path, where the bundle's {@code META-INF/services} is) asks the netlink one.
 * (In the core's package, to compare with its package-private reader.)
 */
class NetlinkAgreesWithProcTest {
    private static final NetlinkTcpStates NETLINK = new NetlinkTcpStates();

    @AfterAll
    static void close() {
        NETLINK.close();
    }

    /** How each family's sockets are opened, and their loopback address. */
    private record Family(String name, ProtocolFamily family, String loopback) {
        ServerSocketChannel listen() throws IOException {
            ServerSocketChannel s = family == null ? ServerSocketChannel.open() : ServerSocketChannel.open(family);
            return s.bind(new InetSocketAddress(InetAddress.getByName(loopback), 0));
        }

        SocketChannel connect(ServerSocketChannel server) throws IOException {
            SocketChannel c = family == null ? SocketChannel.open() : SocketChannel.open(family);
            c.connect(server.getLocalAddress());
            return c;
        }
    }

    private static final Family[] FAMILIES = {
        new Family("IPv4 (AF_INET)", StandardProtocolFamily.INET, "127.0.0.1"),
        new Family("IPv4 on a dual-stack socket (::ffff:127.0.0.1)", null, "127.0.0.1"),
        new Family("IPv6", StandardProtocolFamily.INET6, "::1"),
    };

    private static InetSocketAddress local(java.nio.channels.NetworkChannel c) throws IOException {
        return (InetSocketAddress) c.getLocalAddress();
    }

    private static InetSocketAddress remote(SocketChannel c) throws IOException {
        return (InetSocketAddress) c.getRemoteAddress();
    }

    /** Both readers, and the core's choice, give {@code expected} for the socket on these addresses. */
    private static void same(SocketState expected, InetSocketAddress local, InetSocketAddress remote, String what) {
        assertEquals(expected, ProcNetTcp.stateOf(local, remote), what + ": /proc/net/tcp");
        assertEquals(expected, NETLINK.state(local, remote), what + ": netlink");
        assertEquals(expected, TcpStates.stateOf(local, remote), what + ": the core's reading");
    }

    @Test
    void theCoreFindsTheNetlinkReaderOnTheClassPath() {
        assertNull(NETLINK.unavailableReason(), "netlink sock_diag works on this kernel");
        assertTrue(TcpStates.ClassPath.FOUND.stream().anyMatch(s -> s instanceof NetlinkTcpStates),
                TcpStates.ClassPath.FOUND.toString());
    }

    /** A test on a listener, a connected socket and the accepted one, all closed after. */
    private interface OnPair {
        void run(Family f, ServerSocketChannel server, SocketChannel client, SocketChannel accepted) throws IOException;
    }

    /** Runs {@code test} on a fresh pair of sockets of each family. */
    private static void eachFamily(OnPair test) throws IOException {
        for (Family f : FAMILIES) {
            try (ServerSocketChannel server = f.listen();
                    SocketChannel client = f.connect(server);
                    SocketChannel accepted = server.accept()) {
                test.run(f, server, client, accepted);
            }
        }
    }

    @Test
    void listeningConnectedAcceptedAndNotYetAccepted() throws IOException {
        eachFamily((f, server, client, accepted) -> {
            try (SocketChannel waiting = f.connect(server)) {
                same(SocketState.LISTEN, local(server), null, f.name + " listener");
                same(SocketState.ESTABLISHED, local(client), remote(client), f.name + " connected");
                same(SocketState.ESTABLISHED, local(accepted), remote(accepted), f.name + " accepted");
                same(SocketState.ESTABLISHED, local(waiting), remote(waiting), f.name + " connected, not accepted");
                same(SocketState.CLOSE, local(server), local(waiting),
                        f.name + " the server side of a connection nobody accepted: no program holds it (inode 0)");
                same(SocketState.CLOSE, local(client), new InetSocketAddress(local(client).getAddress(), 1),
                        f.name + " no such connection");
            }
        });
    }

    @Test
    void closeWaitAfterThePeersFin() throws IOException {
        eachFamily((f, server, client, accepted) -> {
            InetSocketAddress a = local(accepted);
            accepted.close();
            assertEquals(-1, client.read(ByteBuffer.allocate(1)), "the peer's FIN");
            same(SocketState.CLOSE_WAIT, local(client), remote(client), f.name + " CLOSE_WAIT");
            same(SocketState.CLOSE, a, local(client), f.name + " the closed peer (FIN_WAIT2, no program's)");
        });
    }

    @Test
    void closeAfterAReset() throws IOException {
        eachFamily((f, server, client, accepted) -> {
            InetSocketAddress a = local(accepted);
            accepted.setOption(StandardSocketOptions.SO_LINGER, 0);
            accepted.close(); // RST
            assertThrows(IOException.class, () -> client.read(ByteBuffer.allocate(1)), "connection reset");
            same(SocketState.CLOSE, local(client), remote(client), f.name + " reset");
            same(SocketState.CLOSE, a, local(client), f.name + " the peer that reset, its listener open");
        });
    }

    @Test
    void closeAfterFinsBothWaysAndAfterClosing() throws IOException {
        eachFamily((f, server, client, accepted) -> {
            InetSocketAddress a = local(accepted);
            client.shutdownOutput();
            assertEquals(-1, accepted.read(ByteBuffer.allocate(1)));
            accepted.close();
            assertEquals(-1, client.read(ByteBuffer.allocate(1)));
            same(SocketState.CLOSE, local(client), remote(client),
                    f.name + " FINs both ways: a TIME_WAIT socket took its place, no program's");
            same(SocketState.CLOSE, a, local(client), f.name + " the closed peer, its listener open");
            InetSocketAddress l = local(client);
            InetSocketAddress r = remote(client);
            client.close();
            same(SocketState.CLOSE, l, r, f.name + " closed");
            InetSocketAddress s = local(server);
            server.close();
            same(SocketState.CLOSE, s, null, f.name + " closed listener");
        });
    }

    @Test
    void wildcardListeners() throws IOException {
        try (ServerSocketChannel dual = ServerSocketChannel.open().bind(null);
                ServerSocketChannel v4 = ServerSocketChannel.open(StandardProtocolFamily.INET).bind(null)) {
            same(SocketState.LISTEN, local(dual), null, "dual-stack on the wildcard, reported as ::");
            same(SocketState.LISTEN, local(v4), null, "IPv4 on the wildcard, reported as 0.0.0.0");
            InetSocketAddress specific = new InetSocketAddress(InetAddress.getLoopbackAddress(), local(dual).getPort());
            assertEquals(SocketState.CLOSE, ProcNetTcp.stateOf(specific, null), "no listener on 127.0.0.1 itself");
            assertNull(NETLINK.state(specific, null),
                    "the kernel answers with the wildcard listener, which is not the one asked for: netlink cannot tell");
            assertEquals(SocketState.CLOSE, TcpStates.stateOf(specific, null), "so the core reads /proc");
        }
    }

    @Test
    void aConnectUnderWayIsLeftToProc() throws IOException {
        try (ServerSocketChannel server = FAMILIES[0].listen()) {
            assertNull(NETLINK.state(null, local(server)), "no local address: no four-tuple to look up");
        }
    }

    @Test
    void theCoresSocketKindsReadThroughNetlink() throws IOException {
        try (BpfInstance bpf = Standalone.create().newInstance(BpfSettings.defaults())) {
            String[] kinds = {"tcp_established", "tcp_accepted", "tcp_listen", "tcp_close_wait", "tcp_closed_state"};
            SocketState[] states = {SocketState.ESTABLISHED, SocketState.ESTABLISHED, SocketState.LISTEN,
                SocketState.CLOSE_WAIT, SocketState.CLOSE};
            for (int i = 0; i < kinds.length; i++) {
                try (OpenedSocket o = SocketFactories.open(bpf, kinds[i])) {
                    BpfSocket s = Sockets.byFd(bpf, o.fd());
                    InetSocketAddress l = (InetSocketAddress) s.localAddress();
                    InetSocketAddress r = (InetSocketAddress) s.remoteAddress();
                    assertEquals(states[i], s.state(), kinds[i]);
                    if (l != null) {
                        same(states[i], l, r, kinds[i]);
                    }
                }
            }
        }
    }
}
