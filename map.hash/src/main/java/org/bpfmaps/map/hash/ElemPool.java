package org.bpfmaps.map.hash;

/**
 * Where a non-LRU map gets the element for a new key and returns the one of a deleted key: the
 * kernel's {@code alloc_htab_elem} / {@code free_htab_elem}. (LRU maps take and return elements
 * through their {@link Lru} lists instead, which evict rather than run out.)
 *
 * <p>Both happen while the caller holds the key's bucket: an insert calls {@link #alloc} and links
 * the element before it unlocks, a delete unlinks and calls {@link #free} before it unlocks. That
 * makes "full" exact with no count to keep. The kernel can answer E2BIG to an insert on one CPU
 * while another CPU holds the last free element without having linked it yet, or has unlinked an
 * element without having freed it: the map looks full and one key short at once. Here an insert
 * takes effect at its {@code alloc} and a delete at its {@code free}, because no reader of the
 * bucket can finish between those and the unlock (it retries while the bucket's count is odd, or
 * waits for the lock); so whoever finds the pool empty finds max_entries keys in the map, and
 * whoever sees a key gone finds its room.
 */
interface ElemPool {
    /** A free element's index, or a negated errno: E2BIG when the map is full, ENOMEM. Under the bucket lock. */
    int alloc();

    /**
     * As {@link #alloc}, for a key of bucket {@code bucket}: a pool with elements of its own per
     * bucket ({@link HomePool}) takes that bucket's when it is free.
     */
    default int alloc(int bucket) {
        return alloc();
    }

    /** Gives back an element no chain links to any more. Under the bucket lock it was unlinked in. */
    void free(int e);
}
