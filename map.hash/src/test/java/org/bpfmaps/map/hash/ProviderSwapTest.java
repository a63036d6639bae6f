package org.bpfmaps.map.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hash family leaving and returning while threads write: every write that returned 0 is in
 * the map afterwards (the leaving provider retires its buckets before it exports), writes in the
 * gap answer ENODEV, and a deleted key stays deleted.
 */
class ProviderSwapTest {
    private static final int KEYS = 2000;
    private static final int SWAPS = 4;
    private final HashFixture f = new HashFixture(2);

    @AfterEach
    void close() {
        f.close();
    }

    @ParameterizedTest
    @EnumSource(value = MapType.class, names = {"HASH", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void noAcknowledgedWriteIsLostAcrossSwaps(MapType type) throws Exception {
        // room for every key: an LRU map must not evict here
        int fd = f.create(type, 4, 8, 4 * KEYS, 0);
        int valueBuf = HashProvider.perCpu(type) ? 8 * f.cpus : 8;
        long[][] last = new long[2][KEYS / 2];
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicLong acked = new AtomicLong();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            Thread t = new Thread(() -> {
                for (long round = 1; !stop.get(); round++) {
                    for (int i = 0; i < KEYS / 2 && !stop.get(); i++) {
                        int key = writer * (KEYS / 2) + i;
                        // odd rounds write, every 7th deletes: both kinds of change must survive
                        boolean delete = round % 7 == 0;
                        int r = delete ? f.delete(fd, key) : f.put(type, fd, key, round, 0);
                        if (r == 0) {
                            last[writer][i] = delete ? 0 : round;
                            acked.incrementAndGet();
                        } else if (r != Errno.ENODEV.ret() && !(delete && r == Errno.ENOENT.ret())) {
                            failure.compareAndSet(null, (delete ? "delete" : "update") + ": " + Errno.nameOf(r));
                        }
                    }
                }
            });
            writers.add(t);
            t.start();
        }
        HashProvider current = f.provider;
        for (int s = 0; s < SWAPS; s++) {
            long before = acked.get();
            while (acked.get() < before + 2000 && failure.get() == null) {
                Thread.onSpinWait(); // the writers run between swaps
            }
            f.runtime.removeProvider(current);
            current = new HashProvider();
            f.runtime.addProvider(current, 0, "1." + (s + 1) + ".0");
        }
        stop.set(true);
        for (Thread t : writers) {
            t.join();
        }
        assertNull(failure.get());
        assertTrue(f.runtime.detachedMaps().isEmpty());
        for (int w = 0; w < 2; w++) {
            for (int i = 0; i < KEYS / 2; i++) {
                int key = w * (KEYS / 2) + i;
                long want = last[w][i] == 0 ? HashFixture.missing(Errno.ENOENT) : last[w][i];
                assertEquals(want, f.lookup(fd, key, valueBuf), type + " key " + key);
            }
        }
    }
}
