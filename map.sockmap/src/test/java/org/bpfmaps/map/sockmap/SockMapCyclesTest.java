package org.bpfmaps.map.sockmap;

import static org.bpfmaps.map.sockmap.SockFixture.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.sock.Sockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A thousand open / insert / close cycles through both map types leave no fd, thread or entry behind. */
class SockMapCyclesTest {
    private final SockFixture f = new SockFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void aThousandCycles() throws IOException {
        ServerSocketChannel server = f.keep(ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        int sm = f.create(MapType.SOCKMAP, 4, 8, 4, 0);
        int sh = f.create(MapType.SOCKHASH, 4, 8, 2, 0);
        cycle(server, sm, sh, 0); // what the JVM opens lazily the first time
        long fds = openFds();
        int threads = Thread.activeCount();
        for (int i = 1; i <= 1000; i++) {
            cycle(server, sm, sh, i);
        }
        assertTrue(openFds() <= fds, "fds: " + fds + " before, " + openFds() + " after");
        assertTrue(Thread.activeCount() <= threads, "threads: " + threads + " before, " + Thread.activeCount());
    }

    /** Both ends in both maps; the client's last fd and the accepted end's channel closed: every entry gone. */
    private void cycle(ServerSocketChannel server, int sm, int sh, int i) throws IOException {
        SocketChannel client = SocketChannel.open(server.getLocalAddress());
        SocketChannel accepted = server.accept();
        int fc = Sockets.register(f.bpf, client);
        int fa = Sockets.register(f.bpf, accepted);
        assertEquals(0, f.update(sm, i % 4, fc, 0), f.why);
        assertEquals(0, f.update(sm, (i + 1) % 4, fa, 0), f.why);
        assertEquals(0, f.update(sh, i, fc, 0), f.why);
        assertEquals(0, f.update(sh, i + 1, fa, 0), "the hash has room again: " + f.why);
        assertEquals(0, f.bpf.close(fc));
        accepted.close();
        assertEquals(err(Errno.ENOENT), f.lookup(sm, i % 4));
        assertEquals(err(Errno.ENOENT), f.lookup(sm, (i + 1) % 4));
        assertEquals(err(Errno.ENOENT), f.next(sh, null), "the sockhash is empty");
        assertEquals(0, f.bpf.close(fa));
    }
}
