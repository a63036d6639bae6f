package org.bpfmaps.shell;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The socket calls of {@code sock} that could wait, each bounded: a connect and the accept of
 * its connection on a listener of the shell, with selectors and a deadline, so that no command
 * hangs on an address that does not answer or a listener whose queue is full. No thread is made.
 */
final class SockChannels {
    /** How long a connect (and accepting it on a listener of the shell) may take. */
    static final long TIMEOUT_MS = 5_000;

    private SockChannels() {
    }

    /** A non-blocking connect finished within the timeout; the channel is blocking again afterwards. */
    static void connect(SocketChannel c, SocketAddress addr) throws IOException {
        c.configureBlocking(false);
        try (Selector sel = Selector.open()) {
            if (!c.connect(addr)) {
                c.register(sel, SelectionKey.OP_CONNECT);
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
                while (!c.finishConnect()) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        throw new IOException("no answer within " + TIMEOUT_MS + " ms");
                    }
                    sel.select(left);
                    sel.selectedKeys().clear();
                }
            }
        }
        c.configureBlocking(true); // the selector is closed: the channel is registered nowhere
    }

    /**
     * Accepts, on a listener of the shell, the connection {@code client} just made, within the
     * timeout. A TCP connection is recognised by its addresses, and others accepted on the way (a
     * client from elsewhere) are registered too, as they are connections to the shell's listener;
     * a Unix client has no address, so the first pending connection is taken.
     */
    static List<SocketChannel> accept(ServerSocketChannel own, SocketChannel client) throws IOException {
        List<SocketChannel> out = new ArrayList<>();
        String want = SocketText.address(client.getLocalAddress());
        try (Selector sel = Selector.open()) {
            own.register(sel, SelectionKey.OP_ACCEPT);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
            while (true) {
                SocketChannel s = own.accept();
                if (s != null) {
                    out.add(s);
                    s.configureBlocking(true);
                    if (want == null || want.equals(SocketText.address(s.getRemoteAddress()))) {
                        return out;
                    }
                    continue;
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new IOException("the listener did not accept the connection within " + TIMEOUT_MS
                            + " ms");
                }
                sel.select(left);
                sel.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            for (SocketChannel x : out) {
                closeQuietly(x); // a failed connect leaves nothing behind
            }
            throw e;
        }
    }

    static void closeQuietly(NetworkChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // closing a channel that failed: nothing more to do
            }
        }
    }

    /** The family of a socket for an address: IPv4 for an IPv4 address, so that /proc/net/tcp has it. */
    static ProtocolFamily family(InetSocketAddress a) {
        return a.getAddress() instanceof java.net.Inet4Address ? StandardProtocolFamily.INET
                : StandardProtocolFamily.INET6;
    }
}
