package org.bpfmaps.map.hash;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many elements a non-LRU map holds, for its E2BIG: the kernel's {@code htab->count} (or, for
 * preallocated maps, the free list running dry), made exact for concurrent callers.
 *
 * <p>The kernel can answer E2BIG to an insert on one CPU while another CPU holds the last free
 * element but has not linked it yet: the map looks full and one key short at once, which no
 * sequence of the same calls explains. Here the word counts both the elements taken
 * ({@code reserved}, high half) and those whose insert is visible ({@code committed}, low half).
 * An insert reserves before it takes an element and commits after its bucket's write section; a
 * delete frees its element before its write section ends, and un-counts it in both halves at
 * once. So committed never exceeds the visible elements, and "full" is answered only when
 * {@code committed == max_entries}: at that instant every element is linked and visible. When
 * all are reserved but some not yet committed, the outcome depends on those inserts (or deletes)
 * in flight, and the caller waits for them: they hold their own bucket lock and need no other, so
 * they finish.
 */
final class ElemCount {
    private static final long RESERVED = 1L << 32;

    private final AtomicLong state = new AtomicLong();
    private final long max;

    ElemCount(int maxEntries) {
        this.max = Integer.toUnsignedLong(maxEntries);
    }

    /** Counts a new element in: true, or false when the map is full. */
    boolean reserve() {
        for (;;) {
            long s = state.get();
            if ((s >>> 32) < max) {
                if (state.compareAndSet(s, s + RESERVED)) {
                    return true;
                }
            } else if ((s & 0xffff_ffffL) == max) {
                return false;
            } else {
                // every element is taken, not every insert is visible yet: their outcome decides
                Thread.onSpinWait();
            }
        }
    }

    /** The reserved element is linked and its bucket's write section over. */
    void commit() {
        state.getAndIncrement();
    }

    /** A committed element is unlinked (and already back in the pool). */
    void release() {
        state.getAndAdd(-RESERVED - 1);
    }

    /** A reserved element was never linked. */
    void abort() {
        state.getAndAdd(-RESERVED);
    }
}
