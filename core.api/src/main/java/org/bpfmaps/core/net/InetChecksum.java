package org.bpfmaps.core.net;

import java.nio.ByteBuffer;

/**
 * The Internet checksum of RFC 1071: the ones' complement of the ones' complement sum of 16-bit
 * big-endian words. Sums are kept in a long and folded once at the end (the carries of up to 2^47
 * words fit), as the kernel's {@code csum_partial} defers them.
 */
final class InetChecksum {
    private InetChecksum() {
    }

    /** Adds the bytes [off, off + len) of {@code b} as big-endian words; an odd last byte is the high half of a word. */
    static long add(long sum, ByteBuffer b, int off, int len) {
        int i = off;
        int end = off + len;
        for (; i + 1 < end; i += 2) {
            sum += ((b.get(i) & 0xff) << 8) | (b.get(i + 1) & 0xff);
        }
        if (i < end) {
            sum += (b.get(i) & 0xff) << 8;
        }
        return sum;
    }

    /** Folds the carries back in: the 16-bit ones' complement sum, not inverted. */
    static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** The checksum field's value for a sum: the inverted fold. */
    static int finish(long sum) {
        return ~fold(sum) & 0xffff;
    }
}
