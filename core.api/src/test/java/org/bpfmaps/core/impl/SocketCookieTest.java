package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.SocketState;
import org.bpfmaps.core.sock.Sockets;
import org.junit.jupiter.api.Test;

/** {@link Sockets#byCookie}: a live socket by its cookie, in any instance, until it leaves every map. */
class SocketCookieTest {
    @Test
    void aSocketIsFoundByCookieUntilItCloses() throws IOException {
        StandaloneRuntime runtime = new StandaloneRuntime();
        BpfInstance bpf = runtime.newInstance(BpfSettings.defaults());
        try {
            DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int fd = Sockets.register(bpf, ch);
            BpfSocket s = Sockets.byFd(bpf, fd);
            assertSame(s, Sockets.byCookie(s.cookie()));
            assertSame(s, Sockets.byFd((org.bpfmaps.core.spi.ObjectHost) bpf, fd));
            assertNull(Sockets.byCookie(s.cookie() + 1_000_000));
            ch.close();
            assertSame(s, Sockets.byCookie(s.cookie()), "not noticed until a state read");
            assertEquals(SocketState.CLOSED, s.state());
            assertNull(Sockets.byCookie(s.cookie()), "closed: gone");
            DatagramChannel other = DatagramChannel.open();
            BpfSocket o = Sockets.byFd(bpf, Sockets.register(bpf, other));
            assertSame(o, Sockets.byCookie(o.cookie()));
            bpf.close(); // the instance closing releases its sockets' last fds
            assertNull(Sockets.byCookie(o.cookie()), "its last fd closed");
        } finally {
            bpf.close();
        }
    }
}
