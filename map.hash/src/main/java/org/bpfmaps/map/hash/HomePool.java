package org.bpfmaps.map.hash;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.Errno;

/**
 * The elements of a HASH map laid out as {@link HomeSlots}: a new key takes its bucket's home
 * element when that is free, else an overflow slot. Every element, home or not, holds one slot of
 * the overflow slab's free list, which is what bounds the map at max_entries exactly, as
 * {@link PreallocPool}'s does: an element in an overflow slot holds its own, a home element holds
 * the slot it took as a token, whose index it keeps in its hash word (a home element needs no
 * stored hash: its bucket is known, and searches compare its key). So an insert and a delete cost
 * the free list's one compare-and-set each, as before home elements.
 *
 * <p>Home s is free or used by the head bit ({@link Buckets#HOME}) of bucket s, which only the
 * holder of the lock of bucket s's record changes (the lock of s and of its pair {@code s ^ 1}).
 */
final class HomePool implements ElemPool {
    private final FreeList overflow;
    private final Buckets buckets;
    private final ByteBuffer table;
    private final HomeSlots slots;

    HomePool(Slab slab, Buckets buckets, HomeSlots slots) {
        this.overflow = new FreeList(slab);
        this.buckets = buckets;
        this.table = buckets.table;
        this.slots = slots;
    }

    @Override
    public int alloc() {
        return alloc(-1);
    }

    @Override
    public int alloc(int bucket) {
        int t = overflow.pop();
        if (t < 0) {
            // all elements were pre-allocated and are in use: cannot insert a new one
            return Errno.E2BIG.ret();
        }
        if (bucket < 0) {
            return t;
        }
        // the bucket's own home, else the other home of its record (the pair's lock is ours too)
        int s = buckets.homeUsed(bucket) ? bucket ^ 1 : bucket;
        if (buckets.homeUsed(s)) {
            return t;
        }
        buckets.setHomeUsed(s, true);
        int e = slots.home(s);
        KeyBytes.putInt(table, slots.base(e) + ElemLayout.HASH, t);
        return e;
    }

    @Override
    public void free(int e) {
        if (!slots.isHome(e)) {
            overflow.push(e);
            return;
        }
        int t = KeyBytes.getInt(table, slots.base(e) + ElemLayout.HASH);
        buckets.setHomeUsed(e - slots.home(0), false);
        overflow.push(t);
    }
}
