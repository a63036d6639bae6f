package org.bpfmaps.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.spi.MapProvider;

/**
 * A map family leaving and returning while threads write, as when its bundle is updated under
 * load: every write answered 0 is in the map afterwards, writes in the gap answer ENODEV (and
 * nothing else), and a deleted key stays deleted.
 *
 * <p>Two writers own half the keys each; in round {@code n} a writer writes {@code n} to each of
 * its keys, or, every 7th round when the map deletes, deletes them, and remembers what was
 * acknowledged. Between swaps the writers make 2000 acknowledged changes.
 */
public final class SwapUnderWriters {
    private static final int WRITERS = 2;
    private static final int SWAPS = 4;
    private static final int CHANGES_BETWEEN_SWAPS = 2000;
    /** A bound on a stall (writers answered only ENODEV after the provider came back), not a pacing. */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** One map's element commands, through bpf(), on keys {@code 0..keys-1}. */
    public interface Elements {
        /** Writes {@code value} (at least 1) at {@code key}: 0 or a negated errno. */
        int update(int key, long value);

        /** Deletes {@code key}: 0 or a negated errno. Called only when the writers delete. */
        default int delete(int key) {
            throw new UnsupportedOperationException("this map's writers do not delete");
        }

        /**
         * The value at {@code key}, 0 where the map has none; on an error, a value no writer
         * writes (a negative one), which then fails the comparison.
         */
        long read(int key);
    }

    private SwapUnderWriters() {
    }

    /**
     * Runs the writers on {@code map} while {@code fixture}'s provider is removed and a fresh one
     * from {@code fresh} added, four times, then checks every key.
     *
     * @param deletes whether the writers delete too (an array's elements cannot be deleted)
     */
    public static void run(ProviderFixture<?> fixture, Supplier<? extends MapProvider> fresh, String what,
            int keys, boolean deletes, Elements map) throws InterruptedException {
        int perWriter = keys / WRITERS;
        long[][] last = new long[WRITERS][perWriter];
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicLong acked = new AtomicLong();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            Thread t = new Thread(() -> {
                for (long round = 1; !stop.get(); round++) {
                    for (int i = 0; i < perWriter && !stop.get(); i++) {
                        int key = writer * perWriter + i;
                        // both kinds of change must survive a swap
                        boolean delete = deletes && round % 7 == 0;
                        int r = delete ? map.delete(key) : map.update(key, round);
                        if (r == 0) {
                            last[writer][i] = delete ? 0 : round;
                            acked.incrementAndGet();
                        } else if (r != Errno.ENODEV.ret() && !(delete && r == Errno.ENOENT.ret())) {
                            failure.compareAndSet(null, (delete ? "delete" : "update") + ": " + Errno.nameOf(r));
                        }
                    }
                }
            }, what + " writer " + w);
            writers.add(t);
            t.start();
        }
        try {
            MapProvider current = fixture.provider;
            for (int s = 0; s < SWAPS; s++) {
                long before = acked.get();
                long deadline = System.nanoTime() + STALL_NANOS;
                while (acked.get() < before + CHANGES_BETWEEN_SWAPS && failure.get() == null) {
                    if (System.nanoTime() - deadline > 0) {
                        fail(what + ": the writers acknowledged nothing for 60 s after swap " + s);
                    }
                    Thread.onSpinWait(); // the writers run between swaps
                }
                fixture.runtime.removeProvider(current);
                current = fresh.get();
                fixture.runtime.addProvider(current, 0, "1." + (s + 1) + ".0");
            }
        } finally {
            stop.set(true);
            for (Thread t : writers) {
                t.join();
            }
        }
        assertNull(failure.get(), what);
        assertTrue(fixture.runtime.detachedMaps().isEmpty(), what + ": every map is attached again");
        for (int w = 0; w < WRITERS; w++) {
            for (int i = 0; i < perWriter; i++) {
                int key = w * perWriter + i;
                assertEquals(last[w][i], map.read(key), what + " key " + key);
            }
        }
    }
}
