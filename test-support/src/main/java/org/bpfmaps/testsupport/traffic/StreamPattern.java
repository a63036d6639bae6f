package org.bpfmaps.testsupport.traffic;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A deterministic pseudo-random byte stream addressed by offset: the 8 bytes at offset 8k are
 * splitmix64(seed, k), little-endian. Random access lets the receiving end regenerate what it
 * should have got at any offset without keeping the sent bytes, and so name the first offset
 * where the stream went wrong (lost, duplicated or reordered bytes all shift the pattern).
 */
public final class StreamPattern {
    private final long seed;

    public StreamPattern(long seed) {
        this.seed = seed;
    }

    /** The word at index k (bytes 8k .. 8k+7): splitmix64's finaliser over seed + (k+1) * gamma. */
    private long word(long k) {
        long z = seed + (k + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public byte byteAt(long offset) {
        return (byte) (word(offset >>> 3) >>> ((offset & 7) * 8));
    }

    /**
     * Puts the stream's bytes from {@code offset} into {@code dst} from its position to its limit,
     * and moves the position to the limit. Allocates nothing.
     */
    public void fill(ByteBuffer dst, long offset) {
        int pos = dst.position();
        int lim = dst.limit();
        while (pos < lim && (offset & 7) != 0) {
            dst.put(pos++, byteAt(offset++));
        }
        boolean swap = dst.order() == ByteOrder.BIG_ENDIAN;
        while (lim - pos >= 8) {
            long w = word(offset >>> 3);
            dst.putLong(pos, swap ? Long.reverseBytes(w) : w);
            pos += 8;
            offset += 8;
        }
        while (pos < lim) {
            dst.put(pos++, byteAt(offset++));
        }
        dst.position(lim);
    }
}
