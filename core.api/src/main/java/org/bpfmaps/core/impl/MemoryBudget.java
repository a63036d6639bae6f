package org.bpfmaps.core.impl;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes an instance's maps may take. A map is charged before it is allocated, so that one too
 * big for the budget answers ENOMEM instead of throwing {@link OutOfMemoryError} halfway through.
 */
final class MemoryBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    MemoryBudget(long limit) {
        this.limit = limit;
    }

    /** Charges {@code bytes}; false (nothing charged) when they do not fit. */
    boolean charge(long bytes) {
        for (;;) {
            long u = used.get();
            if (bytes < 0 || bytes > limit - u) {
                return false;
            }
            if (used.compareAndSet(u, u + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    long used() {
        return used.get();
    }

    long limit() {
        return limit;
    }
}
