package org.bpfmaps.map.hash;

import org.bpfmaps.core.api.Errno;

/**
 * The elements of a preallocated HASH or PERCPU_HASH map: the slab's slots, handed out from a free
 * list ({@code pcpu_freelist} in the kernel), with the count that decides E2BIG.
 */
final class PreallocPool implements ElemPool {
    private final FreeList free;
    private final ElemCount count;

    PreallocPool(Slab slab) {
        this.free = new FreeList(slab);
        this.count = new ElemCount(slab.capacity());
    }

    @Override
    public int alloc() {
        for (int tries = 0;; tries++) {
            int e = free.pop();
            if (e >= 0) {
                return e;
            }
            if (count.full(tries)) {
                // all elements were pre-allocated and are in use: cannot insert a new one
                return Errno.E2BIG.ret();
            }
        }
    }

    @Override
    public void commit() {
        count.commit();
    }

    @Override
    public void free(int e) {
        free.push(e);
        count.release();
    }
}
