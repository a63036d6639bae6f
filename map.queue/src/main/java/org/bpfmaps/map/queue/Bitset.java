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

    /** The bitmap as the kernel holds it in memory on a little-endian host: word 0's low byte first. */
    byte[] toBytes() {
        byte[] out = new byte[words.length * 8];
        for (int w = 0; w < words.length; w++) {
            long v = (long) WORD.getAcquire(words, w);
            for (int i = 0; i < 8; i++) {
                out[w * 8 + i] = (byte) (v >>> (8 * i));
            }
        }
        return out;
    }

    /** ORs a bitmap in {@link #toBytes} form into this one. */
    void orBytes(byte[] in) {
        if (in.length != words.length * 8) {
            throw new IllegalArgumentException("a bitmap of " + in.length + " bytes; this one has "
                    + words.length * 8);
        }
        for (int w = 0; w < words.length; w++) {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v |= (in[w * 8 + i] & 0xffL) << (8 * i);
            }
            if (v != 0) {
                WORD.getAndBitwiseOr(words, w, v);
            }
        }
    }
}
