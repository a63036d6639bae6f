package org.bpfmaps.map.queue;

import java.nio.ByteBuffer;
import org.bpfmaps.core.spi.Bytes;

/**
 * Bob Jenkins' lookup3 hash as the kernel's {@code <linux/jhash.h>} computes it: {@code jhash2}
 * over u32 words for values whose size is a multiple of 4, {@code jhash} over bytes otherwise.
 * The bloom filter must hash exactly as the kernel does, so that a map made with
 * BPF_F_ZERO_SEED gives the kernel's very answers, false positives included. Words are read in
 * host byte order, as the kernel reads memory.
 */
final class JHash {
    private JHash() {
    }

    private static final int INITVAL = 0xdeadbeef;

    /** The kernel's choice for a bloom filter value: jhash2 when {@code len % 4 == 0}, else jhash. */
    static int hash(ByteBuffer b, int at, int len, int seed) {
        return (len & 3) == 0 ? jhash2(b, at, len >>> 2, seed) : jhash(b, at, len, seed);
    }

    /** {@code jhash2(k, words, initval)}. */
    static int jhash2(ByteBuffer b, int at, int words, int seed) {
        int a = INITVAL + (words << 2) + seed;
        int bb = a;
        int c = a;
        int p = at;
        while (words > 3) {
            a += Bytes.getInt(b, p);
            bb += Bytes.getInt(b, p + 4);
            c += Bytes.getInt(b, p + 8);
            // mix
            a -= c; a ^= Integer.rotateLeft(c, 4); c += bb;
            bb -= a; bb ^= Integer.rotateLeft(a, 6); a += c;
            c -= bb; c ^= Integer.rotateLeft(bb, 8); bb += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += bb;
            bb -= a; bb ^= Integer.rotateLeft(a, 19); a += c;
            c -= bb; c ^= Integer.rotateLeft(bb, 4); bb += a;
            words -= 3;
            p += 12;
        }
        switch (words) {
            case 3:
                c += Bytes.getInt(b, p + 8);
                // fall through
            case 2:
                bb += Bytes.getInt(b, p + 4);
                // fall through
            case 1:
                a += Bytes.getInt(b, p);
                return fin(a, bb, c);
            default:
                return c;
        }
    }

    /** {@code jhash(key, length, initval)}. */
    static int jhash(ByteBuffer b, int at, int len, int seed) {
        int a = INITVAL + len + seed;
        int bb = a;
        int c = a;
        int p = at;
        while (len > 12) {
            a += Bytes.getInt(b, p);
            bb += Bytes.getInt(b, p + 4);
            c += Bytes.getInt(b, p + 8);
            a -= c; a ^= Integer.rotateLeft(c, 4); c += bb;
            bb -= a; bb ^= Integer.rotateLeft(a, 6); a += c;
            c -= bb; c ^= Integer.rotateLeft(bb, 8); bb += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += bb;
            bb -= a; bb ^= Integer.rotateLeft(a, 19); a += c;
            c -= bb; c ^= Integer.rotateLeft(bb, 4); bb += a;
            len -= 12;
            p += 12;
        }
        if (len == 0) {
            return c;
        }
        // the last block, byte by byte: byte i of a word adds at bit 8 * (i % 4)
        for (int i = len - 1; i >= 0; i--) {
            int v = (b.get(p + i) & 0xff) << (8 * (i & 3));
            if (i >= 8) {
                c += v;
            } else if (i >= 4) {
                bb += v;
            } else {
                a += v;
            }
        }
        return fin(a, bb, c);
    }

    /** {@code __jhash_final}. */
    private static int fin(int a, int b, int c) {
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }
}
