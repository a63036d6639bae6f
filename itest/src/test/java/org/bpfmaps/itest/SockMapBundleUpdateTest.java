package org.bpfmaps.itest;

import static org.bpfmaps.itest.Calls.lookup;
import static org.bpfmaps.itest.Calls.lookupRet;
import static org.bpfmaps.itest.Calls.update;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.itest.SockLayer.Pair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWiring;

/**
 * A SOCKHASH and a SOCKMAP holding real loopback TCP sockets across an update, a stop and an
 * uninstall of map.sockmap in Felix. The sockets are the core's ({@code org.bpfmaps.core.sock}),
 * not the bundle's: they keep working throughout, and the maps come back holding the same sockets
 * (the same cookies), less those that were closed meanwhile, as the kernel's {@code sock_map_close}
 * would have taken them out. A socket that reached TCP CLOSE while detached (a reset, or FINs both
 * ways) stays, as on 6.18 (sockmap has had no unhash hook since 6.2): still held, refused by a new
 * insert, and gone from every map once it is closed; one that only got its peer's FIN
 * (CLOSE_WAIT) stays as well.
 *
 * <p>Each test gets a framework of its own (it changes the installed bundles).
 */
class SockMapBundleUpdateTest {
    static final String SOCKMAP_BUNDLE = "org.bpfmaps.map.sockmap";
    private static final String SOCK_PROVIDER = "(&" + OsgiFramework.MAP_PROVIDER + "(bpf.map.types=sockhash))";
    private static final int PAIRS = 5;
    /** SOCKHASH keys and SOCKMAP slots 0..9 hold the sockets (2i: pair i's client, 2i+1: its accepted end). */
    private static final int HELD = 2 * PAIRS;
    /** The writer's SOCKHASH keys: HELD .. HELD+WRITTEN-1. */
    private static final int WRITTEN = 8;
    /**
     * Acknowledged updates the writer makes before the update, and again after the bundle is back.
     * Each reads the socket's TCP state from /proc/net/tcp6, linear in the host's TCP sockets.
     */
    private static final int PROGRESS = 100;

    private OsgiFramework osgi;
    private Bpf bpf;
    private SockLayer sockets;
    private final List<Pair> pairs = new ArrayList<>();
    /** The socket fds, by slot: pair i's client at 2i, its accepted end at 2i+1. */
    private final int[] fds = new int[HELD];
    private final long[] cookies = new long[HELD];
    private int sockhash;
    private int sockmap;

    @BeforeEach
    void start(TestInfo test) throws Exception {
        osgi = OsgiFramework.start(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName(),
                List.of(SOCKMAP_BUNDLE), Map.of());
        osgi.awaitService(SOCK_PROVIDER);
        osgi.awaitMapType(MapType.SOCKHASH, true);
        bpf = osgi.bpf();
        sockets = new SockLayer(osgi);
        sockhash = create(MapType.SOCKHASH, HELD + WRITTEN, "sh");
        sockmap = create(MapType.SOCKMAP, HELD, "sm");
        for (int i = 0; i < PAIRS; i++) {
            Pair p = Pair.open();
            pairs.add(p);
            fds[2 * i] = sockets.register(bpf, p.client());
            fds[2 * i + 1] = sockets.register(bpf, p.accepted());
        }
        for (int slot = 0; slot < HELD; slot++) {
            cookies[slot] = sockets.cookie(bpf, fds[slot]);
            assertEquals(0, update(bpf, sockhash, slot, fds[slot]), "sockhash key " + slot);
            assertEquals(0, update(bpf, sockmap, slot, fds[slot]), "sockmap slot " + slot);
        }
        assertHeld(new Detached(), "before");
    }

    @AfterEach
    void stop() throws Exception {
        for (Pair p : pairs) {
            p.close();
        }
        if (osgi != null) {
            osgi.close();
        }
    }

    private int create(MapType type, int entries, String name) {
        MapCreateAttr a = new MapCreateAttr(type, 4, 8, entries).name(name);
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, a);
        assertTrue(fd >= 3, () -> type + ": " + Errno.nameOf(fd) + " " + a.errorMessage());
        return fd;
    }

    /**
     * Bundle.update() of map.sockmap while a thread writes sockets into the SOCKHASH: during the
     * update (seen at the UPDATED event, when the new revision is installed and not yet started)
     * both maps answer ENODEV; afterwards every socket is back under its key with its cookie,
     * the writer's acknowledged updates included, and the sockets kept working throughout.
     */
    @Test
    void socketsSurviveAnUpdateUnderAWriter() throws Exception {
        Bundle bundle = osgi.bundle(SOCKMAP_BUNDLE);
        BundleRevision before = bundle.adapt(BundleRevision.class);
        int[] duringUpdate = new int[2];
        SynchronousBundleListener atUpdated = e -> {
            if (e.getBundle() == bundle && e.getType() == BundleEvent.UPDATED) {
                duringUpdate[0] = lookupRet(bpf, sockhash, 0);
                duringUpdate[1] = lookupRet(bpf, sockmap, 0);
            }
        };
        osgi.context().addBundleListener(atUpdated);

        Writer writer = new Writer();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> written = pool.submit(writer);
            assertTrue(writer.running.await(OsgiFramework.TIMEOUT_MS, TimeUnit.MILLISECONDS),
                    "the writer made no progress: " + (written.isDone() ? written.get() : "running"));
            talk("while the writer runs");

            bundle.update();
            osgi.awaitService(SOCK_PROVIDER);
            osgi.awaitMapType(MapType.SOCKHASH, true);
            writer.back = true;
            talk("after the update");

            assertNull(written.get(3 * OsgiFramework.TIMEOUT_MS, TimeUnit.MILLISECONDS), "the writer");
            System.out.printf("SockMapBundleUpdateTest: the writer made %d updates, %d answered ENODEV%n",
                    writer.acked.get(), writer.enodev.get());
        } finally {
            pool.shutdownNow();
            osgi.context().removeBundleListener(atUpdated);
        }
        assertNotSame(before, bundle.adapt(BundleRevision.class), "a new revision serves");
        assertEquals(Errno.ENODEV.ret(), duringUpdate[0], "sockhash lookup during the update");
        assertEquals(Errno.ENODEV.ret(), duringUpdate[1], "sockmap lookup during the update");

        assertHeld(new Detached(), "after the update");
        for (int k = 0; k < WRITTEN; k++) {
            int s = writer.last[k];
            int key = HELD + k;
            if (s < 0) {
                assertEquals(Errno.ENOENT.ret(), lookupRet(bpf, sockhash, key), "never written key " + key);
            } else {
                assertEquals(cookies[s], lookup(bpf, sockhash, key), "the last acknowledged socket of key " + key);
            }
        }
        assertServesByFd();
        osgi.assertNoProblems();
    }

    /**
     * Stopped, the maps answer ENODEV; what happens to their sockets meanwhile counts when the
     * bundle, updated while stopped, starts again: a socket closed by the application is gone
     * from both maps; one reset by its peer, or whose FINs went both ways (TCP CLOSE), is still
     * there until it is closed, as on 6.18; one whose peer only shut down its side (CLOSE_WAIT)
     * is still there, and so is every other.
     */
    @Test
    void socketsClosedWhileStoppedAreGoneWhenTheUpdatedBundleStarts() throws Exception {
        Bundle bundle = osgi.bundle(SOCKMAP_BUNDLE);
        bundle.stop();
        osgi.awaitMapType(MapType.SOCKHASH, false);
        for (int map : new int[] {sockhash, sockmap}) {
            assertEquals(Errno.ENODEV.ret(), lookupRet(bpf, map, 0), "lookup while stopped");
            assertEquals(Errno.ENODEV.ret(), update(bpf, map, 1, fds[0]), "update while stopped");
        }
        Detached detached = leaveWhileDetached();
        bundle.update();
        assertTrue((bundle.getState() & (Bundle.INSTALLED | Bundle.RESOLVED)) != 0, "updated, still stopped");
        assertEquals(Errno.ENODEV.ret(), lookupRet(bpf, sockhash, 0), "still detached after the update");
        bundle.start();
        osgi.awaitService(SOCK_PROVIDER);
        osgi.awaitMapType(MapType.SOCKHASH, true);

        assertHeld(detached, "after stop, update and start");
        assertServesByFd();
        assertEndedLeaveOnlyWhenClosed(detached, "after stop, update and start");
        osgi.assertNoProblems();
    }

    /**
     * Uninstalled and refreshed, map.sockmap's class loader is not kept alive by its detached maps
     * nor by the sockets that were in them (the core's sockets drop the old revision's close
     * listeners); reinstalled, it takes the maps back, less the sockets closed meanwhile (those
     * reset or with FINs both ways stay until closed).
     */
    @Test
    void uninstallFreesTheOldRevisionAndReinstallBringsTheSocketsBack() throws Exception {
        ReferenceQueue<ClassLoader> collected = new ReferenceQueue<>();
        WeakReference<ClassLoader> loader = new WeakReference<>(
                osgi.bundle(SOCKMAP_BUNDLE).adapt(BundleWiring.class).getClassLoader(), collected);
        osgi.bundle(SOCKMAP_BUNDLE).uninstall();
        osgi.refresh();
        osgi.awaitMapType(MapType.SOCKHASH, false);
        assertEquals(Errno.ENODEV.ret(), lookupRet(bpf, sockhash, 0));
        assertEquals(Errno.ENODEV.ret(), lookupRet(bpf, sockmap, 0));
        assertTrue(OsgiFramework.awaitCollected(collected), "the uninstalled map.sockmap class loader is still reachable");
        assertNull(loader.get());

        Detached detached = leaveWhileDetached();
        osgi.install(SOCKMAP_BUNDLE).start();
        osgi.awaitService(SOCK_PROVIDER);
        osgi.awaitMapType(MapType.SOCKHASH, true);

        assertHeld(detached, "after uninstall and install");
        assertServesByFd();
        assertEndedLeaveOnlyWhenClosed(detached, "after uninstall and install");
        osgi.assertNoProblems();
    }

    /**
     * What happened to the sockets while no provider held the maps, by slot: {@code closed} ones
     * left every map (their close), {@code ended} ones reached TCP CLOSE or LAST_ACK (a reset,
     * FINs both ways) and stay until closed, {@code closeWait} ones got their peer's FIN only.
     */
    private static final class Detached {
        final boolean[] closed = new boolean[HELD];
        final boolean[] ended = new boolean[HELD];
        final boolean[] closeWait = new boolean[HELD];

        /** Whether pair i still talks both ways (neither end closed nor shut down). */
        boolean talks(int pair) {
            for (int slot = 2 * pair; slot <= 2 * pair + 1; slot++) {
                if (closed[slot] || ended[slot] || closeWait[slot]) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * With no provider: pair 1's client is closed by the application (its accepted end gets the
     * FIN: CLOSE_WAIT); pair 2's client is reset (its peer closes with SO_LINGER 0); pair 3's
     * client gets its peer's FIN only; pair 4's ends both shut down their output (FINs both ways,
     * neither closed). Each waits for the end concerned to see what happened (a read: the reset,
     * the end of stream), so that the state is the kernel's before the bundle returns.
     */
    private Detached leaveWhileDetached() throws IOException {
        Detached d = new Detached();
        Pair closed = pairs.get(1);
        closed.client().close();
        d.closed[2] = true;
        assertEquals(-1, closed.accepted().socket().getInputStream().read(), "the accepted end sees the FIN");
        d.closeWait[3] = true;

        Pair reset = pairs.get(2);
        reset.accepted().setOption(StandardSocketOptions.SO_LINGER, 0);
        reset.accepted().close();
        assertThrows(SocketException.class, () -> reset.client().socket().getInputStream().read(),
                "the client sees the reset");
        d.ended[4] = true; // the reset client: TCP CLOSE, its channel open
        d.closed[5] = true; // the accepted end: its channel closed

        Pair fin = pairs.get(3);
        fin.accepted().shutdownOutput();
        assertEquals(-1, fin.client().socket().getInputStream().read(), "the client sees the FIN");
        d.closeWait[6] = true; // the client can still send; its peer, in FIN_WAIT2, still reads

        Pair both = pairs.get(4);
        both.client().shutdownOutput();
        assertEquals(-1, both.accepted().socket().getInputStream().read(), "the accepted end sees the FIN");
        both.accepted().shutdownOutput();
        assertEquals(-1, both.client().socket().getInputStream().read(), "the client sees the FIN: both ways");
        d.ended[8] = true; // TIME_WAIT is no socket: the client itself is TCP CLOSE
        d.ended[9] = true; // LAST_ACK, then CLOSE at the client's ACK
        return d;
    }

    /**
     * Both maps hold, at every slot not closed, the socket put there (its cookie), and answer
     * ENOENT at the closed ones; every pair still connected still talks, and a client in
     * CLOSE_WAIT still sends.
     */
    private void assertHeld(Detached d, String when) throws IOException {
        for (int slot = 0; slot < HELD; slot++) {
            if (d.closed[slot]) {
                assertEquals(Errno.ENOENT.ret(), lookupRet(bpf, sockhash, slot), when + ": sockhash key " + slot);
                assertEquals(Errno.ENOENT.ret(), lookupRet(bpf, sockmap, slot), when + ": sockmap slot " + slot);
            } else {
                assertEquals(cookies[slot], lookup(bpf, sockhash, slot), when + ": sockhash key " + slot);
                assertEquals(cookies[slot], lookup(bpf, sockmap, slot), when + ": sockmap slot " + slot);
            }
        }
        for (int i = 0; i < PAIRS; i++) {
            Pair p = pairs.get(i);
            if (d.talks(i)) {
                p.assertTalks(when + ", pair " + i);
            } else if (d.closeWait[2 * i] && !d.closed[2 * i + 1]) {
                // CLOSE_WAIT: the client still sends
                byte[] sent = ("half-closed, " + when).getBytes(StandardCharsets.UTF_8);
                ByteBuffer b = ByteBuffer.wrap(sent);
                while (b.hasRemaining()) {
                    p.client().write(b);
                }
                assertArrayEquals(sent, Pair.readN(p.accepted(), sent.length), when + ", pair " + i);
            }
        }
    }

    /**
     * The sockets that stayed in the restored maps without being connected (TCP CLOSE or LAST_ACK,
     * and CLOSE_WAIT) are refused by a new insert (EOPNOTSUPP, the map unchanged), and their close
     * takes them out of both maps, through the close listeners the returned provider registered
     * when it took them back: the reset client by its last fd, pair 4's client by its channel
     * (the application's close), its accepted end by its fd; the CLOSE_WAIT ones stay.
     */
    private void assertEndedLeaveOnlyWhenClosed(Detached d, String when) throws IOException {
        int freeKey = HELD;
        int freeSlot = 2; // pair 1's closed client left it
        assertTrue(d.closed[freeSlot]);
        for (int slot = 0; slot < HELD; slot++) {
            if (d.ended[slot] || d.closeWait[slot]) {
                assertEquals(Errno.EOPNOTSUPP.ret(), update(bpf, sockhash, freeKey, fds[slot]),
                        when + ": a new sockhash insert of slot " + slot + "'s socket");
                assertEquals(Errno.EOPNOTSUPP.ret(), update(bpf, sockmap, freeSlot, fds[slot]),
                        when + ": a new sockmap insert of slot " + slot + "'s socket");
            }
        }
        assertEquals(Errno.ENOENT.ret(), lookupRet(bpf, sockhash, freeKey), when + ": the refused inserts left nothing");
        assertEquals(Errno.ENOENT.ret(), lookupRet(bpf, sockmap, freeSlot), when + ": the refused inserts left nothing");

        assertEquals(0, bpf.close(fds[4]), "the reset client's last fd");
        assertFalse(pairs.get(2).client().isOpen(), "closing the last fd closed the channel");
        pairs.get(4).client().close();
        d.closed[4] = true;
        d.closed[8] = true;
        assertHeld(d, when + ", the reset client and pair 4's client closed");
        assertEquals(0, bpf.close(fds[9]), "pair 4's accepted end's last fd");
        d.closed[9] = true;
        assertHeld(d, when + ", pair 4's accepted end closed");
    }

    private void talk(String when) throws IOException {
        for (int i = 0; i < PAIRS; i++) {
            pairs.get(i).assertTalks(when + ", pair " + i);
        }
    }

    /** The returned provider takes sockets by fd: pair 0's accepted end under a new key, then deleted. */
    private void assertServesByFd() {
        int key = HELD + WRITTEN - 1;
        assertEquals(0, update(bpf, sockhash, key, fds[1]), "a new element by fd");
        assertEquals(cookies[1], lookup(bpf, sockhash, key));
        assertEquals(0, bpf.bpf(BpfCmd.MAP_DELETE_ELEM, new MapElemAttr().set(sockhash, Calls.u32(key), null, 0)));
    }

    /**
     * Writes the pairs' sockets into SOCKHASH keys HELD..HELD+WRITTEN-1, round after round, and
     * stops by itself once it has made {@link #PROGRESS} acknowledged updates after {@link #back}
     * (the bundle's new revision serves). ENODEV is the only failure it accepts. Bounded by a
     * deadline, when it gives up with a reason.
     */
    private final class Writer implements Callable<String> {
        final CountDownLatch running = new CountDownLatch(1);
        final AtomicInteger acked = new AtomicInteger();
        final AtomicInteger enodev = new AtomicInteger();
        /** Per written key, the slot (in fds) of the last socket written with success; -1: none. */
        final int[] last = new int[WRITTEN];
        volatile boolean back;

        @Override
        public String call() {
            Arrays.fill(last, -1);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * OsgiFramework.TIMEOUT_MS);
            int afterBack = 0;
            for (int round = 0; System.nanoTime() < deadline; round++) {
                boolean wasBack = back; // read before the call: an update acknowledged after it counts
                int k = round % WRITTEN;
                int s = (round / WRITTEN + k) % HELD;
                int r = update(bpf, sockhash, HELD + k, fds[s]);
                if (r == 0) {
                    last[k] = s;
                    if (acked.incrementAndGet() == PROGRESS) {
                        running.countDown();
                    }
                    if (wasBack && ++afterBack == PROGRESS) {
                        return null;
                    }
                } else if (r == Errno.ENODEV.ret()) {
                    enodev.incrementAndGet();
                    Thread.yield(); // detached: leave the cores to the framework bringing the bundle back
                } else {
                    return "update of key " + (HELD + k) + " answered " + Errno.nameOf(r);
                }
            }
            return "gave up at the deadline: " + acked.get() + " updates, " + afterBack + " since the bundle was back";
        }
    }
}
