package org.bpfmaps.map.hash;

import org.bpfmaps.core.api.Errno;

/**
 * The elements of a HASH map laid out as {@link HomeSlots}: a new key takes its bucket's home
 * element when that is free, else an overflow slot from the free list. What bounds the map at
 * max_entries is the {@link Credits}, one per element, taken by every insert and given back by
 * every delete, under the bucket lock as {@link ElemPool} requires, so "full" stays exact.
 * A home element is free or used by its bucket's head bit ({@link Buckets#HOME}), which only the
 * holder of the bucket's lock changes: taking it costs no atomic instruction.
 */
final class HomePool implements ElemPool {
    private final Credits credits;
    private final FreeList overflow;
    private final Buckets buckets;
    private final HomeSlots slots;

    HomePool(Slab slab, Buckets buckets, HomeSlots slots) {
        this.credits = new Credits(slab.capacity());
        this.overflow = new FreeList(slab);
        this.buckets = buckets;
        this.slots = slots;
    }

    @Override
    public int alloc() {
        return alloc(-1);
    }

    @Override
    public int alloc(int bucket) {
        if (!credits.take()) {
            // all elements were pre-allocated and are in use: cannot insert a new one
            return Errno.E2BIG.ret();
        }
        if (bucket >= 0 && !buckets.homeUsed(bucket)) {
            buckets.setHomeUsed(bucket, true);
            return slots.home(bucket);
        }
        // a credit means fewer than max_entries elements, so the overflow slab has a free slot
        int e = overflow.pop();
        if (e < 0) {
            credits.give();
            return Errno.E2BIG.ret();
        }
        return e;
    }

    @Override
    public void free(int e) {
        if (slots.isHome(e)) {
            buckets.setHomeUsed(e - slots.home(0), false);
        } else {
            overflow.push(e);
        }
        credits.give();
    }
}
