package org.bpfmaps.map.hash;

/**
 * Where a non-LRU map gets the element for a new key and returns the one of a deleted key: the
 * kernel's {@code alloc_htab_elem} / {@code free_htab_elem}. (LRU maps take and return elements
 * through their {@link Lru} lists instead, which evict rather than run out.)
 *
 * <p>An insert is {@link #alloc} and linking the element under the bucket lock, then
 * {@link #commit} once the bucket is unlocked; a delete unlinks and calls {@link #free} before it
 * unlocks the bucket. That order lets {@link ElemCount} answer "full"
 * only when max_entries elements are visible to every reader.
 */
interface ElemPool {
    /** A free element's index, or a negated errno: E2BIG when the map is full, ENOMEM. */
    int alloc();

    /** The element from the last alloc of this thread is linked and visible. */
    void commit();

    /** Gives back an element no chain links to any more. */
    void free(int e);
}
