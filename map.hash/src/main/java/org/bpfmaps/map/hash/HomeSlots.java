package org.bpfmaps.map.hash;

import java.nio.ByteBuffer;

/**
 * The elements of a HASH map whose key and value fit beside their bucket's count and head in 32
 * bytes (keys and values of up to 8 bytes): each bucket has a home element in the 64-byte record
 * it shares with the other bucket of its pair ({@link Buckets}), a new key takes its bucket's home
 * or else the other one of the record ({@link HomePool}), and the elements of keys that find both
 * taken come from an overflow slab of max_entries slots, as before. Element ids
 * {@code [0, max_entries)} are the overflow slots, {@code max_entries + s} home s; home s is
 * bucket s's own, and the one its pair's keys take second. A search of bucket b looks at homes b
 * and {@code b ^ 1} (either may hold its key), then walks the chain.
 *
 * <p>Why: a chained table pays the bucket and then the element, two dependent cache misses (and
 * two TLB misses over tens of MB of 4 KiB pages). With the first key of a bucket in the bucket's
 * own 32 bytes, a lookup of it reads one cache line, and most keys are first: with n keys in m
 * buckets a fraction {@code (1 - e^-a) / a} of them (a = n / m), 63% at a = 1 and 79% at a = 0.5.
 * Everything else (chains newest first, whole-bucket batches, get_next_key in bucket order) is
 * the chained table's, since a home element is linked into its bucket's chain like any other.
 * One difference: a home element's hash word holds its {@link HomePool} token, not the hash, so
 * searches compare a home element's key alone ({@link HashTable}).
 */
final class HomeSlots implements Elements {
    private final Slab overflow;
    private final ByteBuffer homes;
    private final int first;
    private final int capacity;

    HomeSlots(Slab overflow, Buckets buckets) {
        this.overflow = overflow;
        this.homes = buckets.table;
        this.first = overflow.capacity();
        // a table of one bucket has a record of two homes, as every other
        this.capacity = first + Math.max(2, buckets.count());
    }

    /** The id of bucket b's home element. */
    int home(int b) {
        return first + b;
    }

    /** Whether e is a bucket's home element. */
    boolean isHome(int e) {
        return e >= first;
    }

    /** The offset of home element s in the bucket table: at 16 or 40 in its pair's 64-byte record. */
    static int homeBase(int s) {
        return ((s >> 1) << 6) + 16 + 24 * (s & 1);
    }

    @Override
    public ByteBuffer buf(int e) {
        return e < first ? overflow.buf(e) : homes;
    }

    @Override
    public int base(int e) {
        return e < first ? overflow.base(e) : homeBase(e - first);
    }

    @Override
    public int capacity() {
        return capacity;
    }
}
