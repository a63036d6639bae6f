package org.bpfmaps.map.sockmap;

import static org.bpfmaps.map.sockmap.SockFixture.err;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A SOCKHASH and a SOCKMAP surviving the removal and return of their provider, as the bundle's
 * update does it: ENODEV while detached, the same sockets (cookies) afterwards, minus the ones
 * closed meanwhile.
 */
class SockMapSwapTest {
    private final SockFixture f = new SockFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void sameCookiesAfterASwapAndClosedOnesDropped() throws IOException {
        int sh = f.create(MapType.SOCKHASH, 4, 8, 8, 0);
        int sm = f.create(MapType.SOCKMAP, 4, 8, 4, 0);
        int[] fds = new int[4];
        for (int i = 0; i < fds.length; i++) {
            fds[i] = f.established();
            assertEquals(0, f.update(sh, 10 + i, fds[i], 0));
            assertEquals(0, f.update(sm, i, fds[i], 0));
        }
        f.runtime.removeProvider(f.provider);
        assertEquals(err(Errno.ENODEV), f.lookup(sh, 10), "detached");
        f.sock(fds[1]).channel().close(); // closed while no provider serves the map
        f.runtime.addProvider(new SockMapProvider(), 0, "1.0.1");
        for (int i = 0; i < fds.length; i++) {
            long want = i == 1 ? err(Errno.ENOENT) : f.sock(fds[i]).cookie();
            assertEquals(want, f.lookup(sh, 10 + i), "sockhash key " + (10 + i));
            assertEquals(want, f.lookup(sm, i), "sockmap slot " + i);
        }
        // the restored map still follows its sockets' closes, and the old one no longer does
        f.sock(fds[2]).channel().close();
        assertEquals(err(Errno.ENOENT), f.lookup(sh, 12));
        assertEquals(0, f.update(sh, 12, fds[3], 0), "and takes new sockets by fd");
        assertEquals(f.sock(fds[3]).cookie(), f.lookup(sh, 12));
    }

    /**
     * While detached, an update answers what the provider would for what comes before its flags
     * (the socket the value names, from the type's traits) and the flags themselves, in the
     * kernel's order (sockmap-extra-6.18.json, sockmap_update_check_order); ENODEV only for what
     * needs the provider.
     */
    @Test
    void detachedMapsAnswerTheSocketAndFlagChecksAsAttached() throws IOException {
        int sh = f.create(MapType.SOCKHASH, 4, 8, 8, 0);
        int sm = f.create(MapType.SOCKMAP, 4, 8, 4, 0);
        int ok = f.established();
        int unconnected = f.register(java.nio.channels.SocketChannel.open());
        long[][] inputs = {{ok, 3, 0}, {ok, 8, 0}, {ok, 3, 9}, {99, 3, 0}, {sh, 3, 0}, {1L << 31, 3, 0},
            {unconnected, 3, 0}, {unconnected, 0, 9}};
        Errno[] kernel = {Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EBADF, Errno.ENOTSOCK, Errno.EINVAL,
            Errno.EOPNOTSUPP, Errno.EOPNOTSUPP};
        String[] attached = new String[inputs.length * 2];
        for (int i = 0; i < inputs.length; i++) {
            for (int m = 0; m < 2; m++) {
                long[] in = inputs[i];
                int r = f.update(m == 0 ? sm : sh, (int) in[2], in[0], in[1]);
                assertEquals(kernel[i].ret(), r, "attached, input " + i + ": " + f.why);
                attached[2 * i + m] = f.why;
            }
        }
        f.runtime.removeProvider(f.provider);
        for (int i = 0; i < inputs.length; i++) {
            for (int m = 0; m < 2; m++) {
                long[] in = inputs[i];
                int r = f.update(m == 0 ? sm : sh, (int) in[2], in[0], in[1]);
                assertEquals(kernel[i].ret(), r, "detached, input " + i + ": " + f.why);
                if (kernel[i] != Errno.EINVAL || in[0] > Integer.MAX_VALUE) {
                    assertEquals(attached[2 * i + m], f.why, "the same reason, input " + i);
                }
            }
        }
        assertEquals(Errno.ENODEV.ret(), f.update(sm, 9, ok, 0), "the index needs the provider");
        assertEquals(Errno.ENODEV.ret(), f.update(sh, 1, ok, 0), "so does the insert");
        f.runtime.addProvider(new SockMapProvider(), 0, "1.0.1");
        assertEquals(0, f.update(sh, 1, ok, 0), "attached again");
    }

    @Test
    void swapsUnderAWriterLoseNoAcknowledgedUpdate() throws Exception {
        int sh = f.create(MapType.SOCKHASH, 4, 8, 8, 0);
        int[] fds = new int[4];
        for (int i = 0; i < fds.length; i++) {
            fds[i] = f.established();
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int[] last = new int[8]; // per key, the index of the last socket written with success (-1 none)
        java.util.Arrays.fill(last, -1);
        AtomicInteger acked = new AtomicInteger();
        Thread writer = new Thread(() -> {
            try {
                for (int round = 0; !stop.get(); round++) {
                    int key = round % 8;
                    int s = round % fds.length;
                    int r = f.update(sh, key, fds[s], 0);
                    if (r == 0) {
                        last[key] = s;
                        acked.incrementAndGet();
                    } else if (r != Errno.ENODEV.ret()) {
                        throw new AssertionError("update: " + Errno.nameOf(r));
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        writer.start();
        SockMapProvider p = f.provider;
        for (int swap = 0; swap < 4; swap++) {
            int before = acked.get();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (acked.get() < before + 200 && System.nanoTime() < deadline && failure.get() == null) {
                Thread.onSpinWait();
            }
            f.runtime.removeProvider(p);
            p = new SockMapProvider();
            f.runtime.addProvider(p, 0, "1.0." + (swap + 2));
        }
        stop.set(true);
        writer.join(10_000);
        assertNull(failure.get());
        assertTrue(acked.get() >= 800, "the writer made progress: " + acked.get());
        for (int key = 0; key < 8; key++) {
            assertEquals(f.sock(fds[last[key]]).cookie(), f.lookup(sh, key), "key " + key);
        }
    }
}
