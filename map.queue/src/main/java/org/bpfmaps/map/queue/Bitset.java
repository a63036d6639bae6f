package org.bpfmaps.map.queue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The bloom filter's bits as longs, bit {@code i} in word {@code i / 64}, as the kernel's
 * {@code unsigned long} bitmap on a 64-bit host. Bits are set with an atomic OR and read with
 * acquire ordering, so any number of threads may add and test at once and no add is lost (the
 * kernel's {@code set_bit} is atomic too).
 */
final class Bitset {
    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] words;

    Bitset(long bytes) {
        words = new long[Math.toIntExact(bytes / 8)];
    }

    /** {@code bit} is an unsigned u32 index below the bit count. */
    void set(long bit) {
        long m = 1L << bit;
        int w = (int) (bit >>> 6);
        if (((long) WORD.getAcquire(words, w) & m) == 0) {
            WORD.getAndBitwiseOr(words, w, m);
        }
    }

    boolean test(long bit) {
        return ((long) WORD.getAcquire(words, (int) (bit >>> 6)) & (1L << bit)) != 0;
    }

    /** Bits over words handed over by an earlier filter ({@link #words()}): the same memory. */
    Bitset(long[] words) {
        this.words = words;
    }

    /** The words themselves, handed to the next provider: adds still in flight land in them too. */
    long[] words() {
        return words;
    }
}
