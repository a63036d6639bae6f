package org.bpfmaps.map.hash;

import org.bpfmaps.core.api.Errno;

/**
 * The elements of a preallocated HASH or PERCPU_HASH map: the slab's slots, handed out from a free
 * list ({@code pcpu_freelist} in the kernel), which decides E2BIG when it runs dry.
 */
final class PreallocPool implements ElemPool {
    private final FreeList free;

    PreallocPool(Slab slab) {
        this.free = new FreeList(slab);
    }

    @Override
    public int alloc() {
        int e = free.pop();
        // all elements were pre-allocated and are in use: cannot insert a new one
        return e >= 0 ? e : Errno.E2BIG.ret();
    }

    @Override
    public void free(int e) {
        free.push(e);
    }
}
