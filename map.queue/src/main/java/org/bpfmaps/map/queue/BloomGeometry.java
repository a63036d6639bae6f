package org.bpfmaps.map.queue;

/**
 * The size of a bloom filter as kernel/bpf/bloom_filter.c's {@code bloom_map_alloc} computes it:
 * {@code max_entries * k / ln 2} bits, with 7/5 standing for 1/ln 2, at least 64 and rounded up to
 * a power of two so that a hash is reduced with a mask; when that overflows a u32 (or passes
 * 2^31), 2^32 bits. The bytes are rounded up to whole longs.
 *
 * @param hashFuncs k: the low 4 bits of map_extra, or 5 when they are 0
 * @param mask the bit index mask, {@code bits - 1}, as an unsigned u32
 * @param bytes the bitset's bytes
 */
record BloomGeometry(int hashFuncs, long mask, long bytes) {
    static final int DEFAULT_HASH_FUNCS = 5;
    private static final long U32_MAX = 0xffff_ffffL;

    static BloomGeometry of(long maxEntries, long mapExtra) {
        int k = (int) (mapExtra & 0xf);
        if (k == 0) {
            k = DEFAULT_HASH_FUNCS;
        }
        long bits = maxEntries * k;
        long mask;
        long bytes;
        boolean overflow = bits > U32_MAX;
        if (!overflow) {
            bits = bits / 5 * 7;
            overflow = bits > U32_MAX || bits > (1L << 31);
        }
        if (overflow) {
            mask = U32_MAX;
            bytes = (U32_MAX + 7) / 8;
        } else {
            bits = bits <= 64 ? 64 : Long.highestOneBit(bits - 1) << 1;
            mask = bits - 1;
            bytes = bits / 8;
        }
        return new BloomGeometry(k, mask, (bytes + 7) & ~7L);
    }
}
