package org.bpfmaps.core.impl;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of one kind (heap or direct) that an instance's maps may take. A map is charged before
 * it is allocated, so that one too big for the budget answers ENOMEM instead of throwing
 * {@link OutOfMemoryError} halfway through.
 */
final class MemoryBudget {
    /** What the budget is, for messages: "heap" or "direct". */
    final String kind;
    /** The setting that sizes it, for messages. */
    final String property;
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    MemoryBudget(String kind, String property, long limit) {
        this.kind = kind;
        this.property = property;
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

    /** Why {@code bytes} more do not fit, naming the budget, its setting and its limit. */
    String refusal(long bytes) {
        return String.format("the map needs %d %s bytes; the instance's %s budget (%s) is %d bytes, %d of them "
                + "left", bytes, kind, kind, property, limit, Math.max(0, limit - used()));
    }
}
