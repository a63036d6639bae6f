package org.bpfmaps.map.hash;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The free elements of a map, as the kernel's {@code pcpu_freelist}: a lock-free (Treiber) stack
 * of element indexes. Pops and pushes happen under a bucket lock (see {@link ElemPool}), so an
 * empty stack is a full map; many buckets are locked at once, so the stack itself is lock-free.
 *
 * <p>The top is one word: a tag in the high 32 bits, bumped by every change, and the top index + 1
 * in the low 32 (0 for empty), so a pop that read a stale next link fails its compare-and-set
 * instead of corrupting the stack (the ABA problem). Links live in the element itself (its
 * {@code next} word, as the kernel's freelist node shares the element's memory) for preallocated
 * maps, and in an int array for maps whose elements have no memory while free.
 */
final class FreeList {
    private final AtomicLong top = new AtomicLong();
    private final Slab slab;
    private final int[] links;

    /** A stack of all the slab's slots, linked through their next words. */
    FreeList(Slab slab) {
        this.slab = slab;
        this.links = null;
        fill(slab.capacity());
    }

    /** A stack of the indexes {@code [0, n)}, linked through an array. */
    FreeList(int n) {
        this.slab = null;
        this.links = new int[n];
        fill(n);
    }

    /** Links 0 -> 1 -> ... -> n-1, so that elements are handed out in index order. */
    private void fill(int n) {
        for (int e = 0; e < n; e++) {
            setLink(e, e + 1 < n ? e + 2 : 0);
        }
        top.set(n > 0 ? 1 : 0);
    }

    /** A free element, or -1 when there is none. */
    int pop() {
        for (;;) {
            long t = top.get();
            int e = (int) t - 1;
            if (e < 0) {
                return -1;
            }
            // may read a link that changed since t was read; then the tag changed too and the CAS fails
            long next = link(e) & 0xffff_ffffL;
            if (top.compareAndSet(t, ((t >>> 32) + 1) << 32 | next)) {
                return e;
            }
        }
    }

    void push(int e) {
        for (;;) {
            long t = top.get();
            setLink(e, (int) t);
            if (top.compareAndSet(t, ((t >>> 32) + 1) << 32 | (e + 1))) {
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
