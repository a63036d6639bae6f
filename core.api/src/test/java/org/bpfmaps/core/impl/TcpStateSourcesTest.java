package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.SocketState;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.sock.TcpStateSource;
import org.bpfmaps.core.standalone.Standalone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The TCP state extension point as the component feeds it: an installed source answers for a
 * socket's state, asked with the socket's addresses (no peer for a listener); one that cannot tell,
 * fails, or answers what is no kernel state leaves the answer to the next and at last to
 * {@code /proc/net/tcp}; a source that went away is no longer asked.
 */
class TcpStateSourcesTest {
    private final BpfInstance bpf = Standalone.create().newInstance(BpfSettings.defaults());
    private final List<TcpStateSource> added = new ArrayList<>();

    @AfterEach
    void close() {
        added.forEach(ServiceList.TCP_STATE_SOURCES::remove);
        bpf.close();
    }

    private void add(TcpStateSource s) {
        added.add(s);
        ServiceList.TCP_STATE_SOURCES.add(s);
    }

    @Test
    void theFirstSourceThatCanTellAnswers() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            SocketChannel client = SocketChannel.open(server.getLocalAddress());
            BpfSocket s = Sockets.byFd(bpf, Sockets.register(bpf, client));
            BpfSocket l = Sockets.byFd(bpf, Sockets.register(bpf, server));
            assertEquals(SocketState.ESTABLISHED, s.state(), "/proc/net/tcp, with no source installed");

            List<String> asked = new ArrayList<>();
            add((local, remote) -> {
                asked.add(local + " " + remote);
                return null; // cannot tell
            });
            add((local, remote) -> {
                throw new IllegalStateException("a broken source");
            });
            add((local, remote) -> SocketState.CLOSED); // no kernel state
            assertEquals(SocketState.ESTABLISHED, s.state(), "none could tell: /proc");
            assertEquals(SocketState.LISTEN, l.state());
            assertEquals(List.of(client.getLocalAddress() + " " + client.getRemoteAddress(),
                    server.getLocalAddress() + " null"), asked, "the socket's addresses; no peer for a listener");

            TcpStateSource fake = (local, remote) -> SocketState.SYN_RECV;
            add(fake);
            add((local, remote) -> SocketState.FIN_WAIT1);
            assertEquals(SocketState.SYN_RECV, s.state(), "the first answer, not /proc's");
            ServiceList.TCP_STATE_SOURCES.remove(fake);
            assertEquals(SocketState.FIN_WAIT1, s.state(), "the source that went away is not asked");
            client.close();
            assertEquals(SocketState.CLOSED, s.state(), "a closed channel is closed, whatever a source says");
            assertNull(Sockets.byCookie(s.cookie()));
        }
    }
}
