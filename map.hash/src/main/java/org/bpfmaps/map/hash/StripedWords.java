package org.bpfmaps.map.hash;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per-stripe words that threads change with compare-and-set, as the kernel keeps a free list per
 * CPU: a thread works on its own stripe (chosen by its id) and reaches into the others only when
 * its own has nothing. Each word is a tag in the high 32 bits, bumped by every change, and a
 * payload in the low 32 that is 0 when the stripe is empty (a free list's top, {@link FreeList};
 * a count of free elements, {@link Credits}). Words are a cache line pair apart.
 *
 * <p>The tags make "nothing anywhere" exact: {@link #allEmptyAtOnce} reads every word twice, each
 * time empty, and answers true only when no tag moved in between, so that all stripes were empty
 * at one instant.
 */
abstract class StripedWords {
    /** Longs between two words: 128 bytes, so that neighbouring words share no cache line (nor its prefetched pair). */
    static final int PAD = 16;

    final AtomicLongArray tops;
    final int stripeMask;

    StripedWords() {
        this.stripeMask = stripes() - 1;
        this.tops = new AtomicLongArray((stripeMask + 1) * PAD);
    }

    /** The heap bytes of this object and its stripes' words. */
    static long heapBytes() {
        return 32 + 16 + 8L * stripes() * PAD;
    }

    /** Twice the processors, rounded up to a power of two, at most 64: few threads share a stripe. */
    private static int stripes() {
        int want = Math.min(64, 2 * Runtime.getRuntime().availableProcessors());
        return Integer.highestOneBit(Math.max(1, want - 1)) << 1;
    }

    /** The calling thread's stripe. */
    final int home() {
        return (int) Thread.currentThread().getId() & stripeMask;
    }

    /**
     * Whether every stripe was empty at one instant: all the words read twice, each time empty,
     * with the same tags. A tag only grows (by one per change), so equal sums of the tags mean that
     * none changed. (A tag wraps after 2^32 changes of its stripe, which no two reads a few loads
     * apart see.) Nothing is allocated.
     */
    final boolean allEmptyAtOnce() {
        long before = tagsIfAllEmpty();
        return before >= 0 && tagsIfAllEmpty() == before;
    }

    /** The sum of the words' tags when every stripe is empty, else -1. */
    private long tagsIfAllEmpty() {
        long sum = 0;
        for (int i = 0; i <= stripeMask; i++) {
            long t = tops.get(i * PAD);
            if ((int) t != 0) {
                return -1;
            }
            sum += t >>> 32;
        }
        return sum;
    }
}
