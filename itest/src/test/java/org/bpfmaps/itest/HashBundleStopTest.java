package org.bpfmaps.itest;

import static org.bpfmaps.itest.Calls.createArray;
import static org.bpfmaps.itest.Calls.lookup;
import static org.bpfmaps.itest.Calls.u32;
import static org.bpfmaps.itest.Calls.u64;
import static org.bpfmaps.itest.Calls.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;

/**
 * Stopping map.hash while two threads update one of its maps: the threads see ENODEV and stop
 * cleanly, ARRAY maps are untouched, and starting the bundle again serves new hash maps.
 */
class HashBundleStopTest {
    private static final String HASH = "org.bpfmaps.map.hash";
    private static final String HASH_PROVIDER = "(&" + OsgiFramework.MAP_PROVIDER + "(bpf.map.types=hash))";
    private static OsgiFramework osgi;

    @BeforeAll
    static void start() throws Exception {
        osgi = OsgiFramework.start(HashBundleStopTest.class.getSimpleName());
        osgi.install(HASH).start();
        osgi.awaitService(HASH_PROVIDER);
    }

    @AfterAll
    static void stop() throws Exception {
        if (osgi != null) {
            osgi.close();
        }
    }

    @Test
    void updatersSeeEnodevAndArraysAreUntouched() throws Exception {
        Bpf bpf = osgi.bpf();
        int array = createArray(bpf, "kept");
        for (int k = 0; k < 4; k++) {
            assertEquals(0, update(bpf, array, k, 100 + k));
        }
        int hash = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.HASH, 4, 8, 1024).name("flows"));
        assertTrue(hash >= 3, Errno.nameOf(hash));

        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch running = new CountDownLatch(2);
        List<Future<String>> updaters = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int base = t * 512;
            updaters.add(pool.submit(() -> {
                MapElemAttr a = new MapElemAttr();
                for (long i = 0; ; i++) {
                    int r = bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a.set(hash, u32(base + (int) (i % 512)), u64(i), 0));
                    if (i == 1000) {
                        running.countDown(); // updating for real before the bundle goes
                    }
                    if (r == Errno.ENODEV.ret()) {
                        return null; // the provider has gone: stop cleanly
                    }
                    if (r != 0) {
                        return "update answered " + Errno.nameOf(r) + ": " + a.errorMessage();
                    }
                }
            }));
        }
        assertTrue(running.await(10, TimeUnit.SECONDS), "the updaters did not start");
        Bundle b = osgi.bundle(HASH);
        b.stop();
        for (Future<String> u : updaters) {
            assertEquals(null, u.get(10, TimeUnit.SECONDS), "an updater saw something other than ENODEV");
        }
        pool.shutdown();

        for (int k = 0; k < 4; k++) {
            assertEquals(100 + k, lookup(bpf, array, k), "the ARRAY map kept every value");
        }
        MapCreateAttr refused = new MapCreateAttr(MapType.HASH, 4, 8, 16);
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_CREATE, refused));
        assertTrue(refused.errorMessage().contains("no installed provider"), refused.errorMessage());

        b.start();
        osgi.awaitService(HASH_PROVIDER);
        int again = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.HASH, 4, 8, 16).name("again"));
        assertTrue(again >= 3, Errno.nameOf(again));
        assertEquals(0, update(bpf, again, 7, 77));
        assertEquals(77, lookup(bpf, again, 7));
        assertEquals(0, bpf.close(hash));
        assertEquals(0, bpf.close(again));
        assertEquals(0, bpf.close(array));
        osgi.assertNoProblems();
    }
}
