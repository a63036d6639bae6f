package org.bpfmaps.map.hash;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many elements of a non-LRU map are visible, for its E2BIG: the kernel's {@code htab->count}
 * (or, for preallocated maps, the free list running dry), made exact for concurrent callers.
 *
 * <p>The kernel can answer E2BIG to an insert on one CPU while another CPU holds the last free
 * element but has not linked it yet: the map looks full and one key short at once, which no
 * sequence of the same calls explains. Here an insert takes its element from the free list (one
 * compare-and-set, which is also its reservation) and is counted only after its bucket is unlocked,
 * when the key is visible; a delete gives its element back and un-counts it while it still holds
 * the bucket, before the key disappears. So the count never exceeds the visible elements, and an
 * insert that finds the free list empty answers "full" only when the count is max_entries: at that
 * instant every element is linked and visible. When the count is lower, elements are between the
 * free list and their bucket, and the caller waits for those inserts: they hold their own bucket
 * and need nothing else, so they finish.
 */
final class ElemCount {
    /** Busy checks of a map that looks full before the caller starts yielding its CPU. */
    private static final int SPINS = 64;

    private final AtomicInteger visible = new AtomicInteger();
    private final int max;

    ElemCount(int maxEntries) {
        this.max = maxEntries;
    }

    /**
     * Called when the free list was found empty: true when the map is full, false when an insert
     * in flight may yet give an element back or make the map full (the caller tries the free list
     * again).
     */
    boolean full(int tries) {
        if (visible.get() == max) {
            return true;
        }
        if (tries < SPINS) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
        return false;
    }

    /** An element was linked and its bucket unlocked. */
    void commit() {
        visible.getAndIncrement();
    }

    /** A counted element was unlinked (and is already back on the free list). */
    void release() {
        visible.getAndDecrement();
    }
}
