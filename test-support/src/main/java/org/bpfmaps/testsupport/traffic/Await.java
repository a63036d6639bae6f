package org.bpfmaps.testsupport.traffic;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting for a condition another thread (or the kernel) makes true, bounded by a deadline. The
 * condition is the synchronisation; the short parks between checks only keep the wait from
 * spinning a core of a 2-core machine. Used where nothing can notify (a proxy's counters, the
 * process's fd table).
 */
public final class Await {
    private static final long CHECK_EVERY_NANOS = 200_000;

    private Await() {
    }

    /** Returns once {@code condition} holds; throws an AssertionError naming {@code what} at the deadline. */
    public static void until(BooleanSupplier condition, Duration timeout, Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what.get());
            }
            LockSupport.parkNanos(CHECK_EVERY_NANOS);
        }
    }
}
