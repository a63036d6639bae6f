package org.bpfmaps.map.hash;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The free elements of a map, as the kernel's {@code pcpu_freelist}: lock-free (Treiber) stacks of
 * element indexes, one per stripe. Pops and pushes happen under a bucket lock (see
 * {@link ElemPool}); many buckets are locked at once, so the stacks themselves are lock-free.
 *
 * <p>Why stripes: with one stack, every insert and delete of every thread compare-and-sets the
 * same word, and an element freed by one thread is popped by another at once, so the word and the
 * element's memory move between cores on each call (two threads doing insert + delete measured
 * 4 to 10 times slower per call than one). As the kernel keeps a free list per CPU, a thread
 * pushes to and pops from its own stripe (chosen by its id), and steals from the others only when
 * its own is empty. All elements start on stripe 0 (see {@link #fill} for their order).
 *
 * <p>Each stack's top is one word: a tag in the high 32 bits, bumped by every change, and the top
 * index + 1 in the low 32 (0 for empty), so a pop that read a stale next link fails its
 * compare-and-set instead of corrupting the stack (the ABA problem). The tags also keep "full"
 * exact: a pop that finds every stripe empty reads all the tops twice more, and only when none
 * changed in between, so that all were empty at one instant, answers that there is no free
 * element; else it tries again. Tops are a cache line apart.
 *
 * <p>Links live in the element itself (its {@code next} word, as the kernel's freelist node shares
 * the element's memory) for preallocated maps, and in an int array for maps whose elements have no
 * memory while free.
 */
final class FreeList {
    /** Longs between two tops: 128 bytes, so that neighbouring tops share no cache line (nor its prefetched pair). */
    private static final int PAD = 16;
    /** The least distance between the slots of two elements handed out one after the other. */
    static final int SPREAD_BYTES = 128;

    private final AtomicLongArray tops;
    private final int stripeMask;
    private final Slab slab;
    private final int[] links;

    /** A stack of all the slab's slots, linked through their next words. */
    FreeList(Slab slab) {
        this(slab, null, slab.capacity(), (int) Math.max(1, (SPREAD_BYTES + slab.slotBytes() - 1) / slab.slotBytes()));
    }

    /** A stack of the indexes {@code [0, n)}, linked through an array. */
    FreeList(int n) {
        this(null, new int[n], n, 1);
    }

    private FreeList(Slab slab, int[] links, int n, int spread) {
        this.slab = slab;
        this.links = links;
        this.stripeMask = stripes() - 1;
        this.tops = new AtomicLongArray((stripeMask + 1) * PAD);
        fill(n, spread);
    }

    /** The heap bytes of a free list: this object and its stripes' tops (not the links of {@link #FreeList(int)}). */
    static long heapBytes() {
        return 32 + 16 + 8L * stripes() * PAD;
    }

    /** Twice the processors, rounded up to a power of two, at most 64: few threads share a stripe. */
    private static int stripes() {
        int want = Math.min(64, 2 * Runtime.getRuntime().availableProcessors());
        return Integer.highestOneBit(Math.max(1, want - 1)) << 1;
    }

    /**
     * Links all n elements on stripe 0, handed out {@code spread} slots apart: 0, spread,
     * 2 * spread, ..., then 1, 1 + spread, ... Why: elements handed out one after the other go to
     * threads one after the other (two threads taking the last free elements of a nearly full
     * map, say), and slots that share a cache line would then bounce it between their cores on
     * every write (measured, HashBench: two threads doing insert + delete took 2.2 times one
     * thread's time per call with neighbouring slots, 1.1 times with slots padded to 64 bytes, and
     * 1.0 in this order). Spread, consecutive elements are {@link #SPREAD_BYTES} or more apart, at
     * no cost per call and no padding.
     */
    private void fill(int n, int spread) {
        int prev = -1;
        for (int r = 0; r < spread; r++) {
            for (int e = r; e < n; e += spread) {
                if (prev < 0) {
                    tops.set(0, e + 1);
                } else {
                    setLink(prev, e + 1);
                }
                prev = e;
            }
        }
        if (prev >= 0) {
            setLink(prev, 0);
        }
    }

    /** The calling thread's stripe. */
    private int home() {
        return (int) Thread.currentThread().getId() & stripeMask;
    }

    /** A free element, or -1 when there is none. */
    int pop() {
        int home = home();
        for (;;) {
            for (int i = 0; i <= stripeMask; i++) {
                int e = popFrom(((home + i) & stripeMask) * PAD);
                if (e >= 0) {
                    return e;
                }
            }
            if (allEmptyAtOnce()) {
                return -1;
            }
        }
    }

    /** Pops stripe {@code at}'s top element, or -1 when that stack is empty. */
    private int popFrom(int at) {
        for (;;) {
            long t = tops.get(at);
            int e = (int) t - 1;
            if (e < 0) {
                return -1;
            }
            // may read a link that changed since t was read; then the tag changed too and the CAS fails
            long next = link(e) & 0xffff_ffffL;
            if (tops.compareAndSet(at, t, ((t >>> 32) + 1) << 32 | next)) {
                return e;
            }
        }
    }

    /**
     * Whether every stack was empty at one instant: all the tops read twice, each time empty, with
     * the same tags. A tag only grows (by one per push or pop), so equal sums of the tags mean that
     * none changed, and all the stacks were empty between the two reads. (A tag wraps after 2^32
     * changes of its stack, which no two reads a few loads apart see.) Nothing is allocated.
     */
    private boolean allEmptyAtOnce() {
        long before = tagsIfAllEmpty();
        return before >= 0 && tagsIfAllEmpty() == before;
    }

    /** The sum of the tops' tags when every stack is empty, else -1. */
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

    void push(int e) {
        int at = home() * PAD;
        for (;;) {
            long t = tops.get(at);
            setLink(e, (int) t);
            if (tops.compareAndSet(at, t, ((t >>> 32) + 1) << 32 | (e + 1))) {
                return;
            }
        }
    }

    private int link(int e) {
        if (links != null) {
            return links[e];
        }
        ByteBuffer b = slab.buf(e);
        return KeyBytes.getInt(b, slab.base(e) + ElemLayout.NEXT);
    }

    private void setLink(int e, int next) {
        if (links != null) {
            links[e] = next;
        } else {
            KeyBytes.putInt(slab.buf(e), slab.base(e) + ElemLayout.NEXT, next);
        }
    }
}
