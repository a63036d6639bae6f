package org.bpfmaps.map.hash;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Hashing and comparing keys as byte strings, in whatever buffer they are and whatever its byte
 * order, without allocating: words are read in host order through view handles (plain reads,
 * which may be unaligned), so a key hashes the same in a caller's heap buffer and in an element's
 * off-heap slot.
 *
 * <p>The kernel uses {@code jhash} with a random seed per map; any well-mixed function does, since
 * the order of the buckets is not part of the ABI (it depends on the seed). This one folds the key
 * eight bytes at a time, with murmur3's finaliser at the end; a 4-byte key, the common case, is
 * only mixed with the seed and finalised ({@link #hashInt}). The seed is 0 for BPF_F_ZERO_SEED,
 * which makes the order the same from one map to the next, as it does in the kernel.
 */
final class KeyBytes {
    private KeyBytes() {
    }

    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    /** The hash of {@code len} key bytes at {@code at}. */
    static int hash(ByteBuffer b, int at, int len, int seed) {
        if (len == 4) {
            return hashInt((int) INT.get(b, at), seed);
        }
        long h = seed ^ (len * C2);
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            h = fold(h, (long) LONG.get(b, at + i));
        }
        if (i < len) {
            long tail = 0;
            for (int j = 0; i < len; i++, j += 8) {
                tail |= (b.get(at + i) & 0xffL) << j;
            }
            h = fold(h, tail);
        }
        return (int) fmix(h);
    }

    /**
     * The hash of a 4-byte key, equal to {@link #hash} of its bytes in host order: the key xor the
     * seed (in both halves of a word), through murmur3's finaliser. The finaliser is a bijection
     * that spreads every input bit over the low bits the buckets are chosen by, so folding the key
     * first, as longer keys are, would add three multiplies to the path of every insert, delete
     * and lookup (each waits on the hash before it can touch its bucket) and no spread.
     */
    static int hashInt(int key, int seed) {
        return (int) fmix((key & 0xffff_ffffL) ^ ((long) seed << 32 | (seed & 0xffff_ffffL)) ^ (4 * C2));
    }

    private static long fold(long h, long k) {
        k *= C1;
        k = Long.rotateLeft(k, 31);
        k *= C2;
        h ^= k;
        return Long.rotateLeft(h, 27) * 5 + 0x52dce729;
    }

    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    /** Whether {@code len} bytes at {@code aAt} in {@code a} equal those at {@code bAt} in {@code b}. */
    static boolean equal(ByteBuffer a, int aAt, ByteBuffer b, int bAt, int len) {
        if (len == 4) {
            return (int) INT.get(a, aAt) == (int) INT.get(b, bAt);
        }
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            if ((long) LONG.get(a, aAt + i) != (long) LONG.get(b, bAt + i)) {
                return false;
            }
        }
        for (; i < len; i++) {
            if (a.get(aAt + i) != b.get(bAt + i)) {
                return false;
            }
        }
        return true;
    }

    /** Values and keys up to this size are copied word by word here rather than by a bulk put. */
    static final int SMALL = 64;

    /**
     * Copies {@code len} bytes from {@code src} at {@code srcAt} to {@code dst} at {@code dstAt}.
     * Up to {@link #SMALL} bytes the copy is 8-, 4- and 1-byte plain accesses, which the compiler
     * keeps inline; a bulk {@code ByteBuffer.put} costs a call into the runtime's copy stub and
     * its checks, which for a value of 8 bytes outweigh the copy. Sizes are the caller's to check.
     */
    static void copy(ByteBuffer src, int srcAt, ByteBuffer dst, int dstAt, int len) {
        if (len > SMALL) {
            dst.put(dstAt, src, srcAt, len);
            return;
        }
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            LONG.set(dst, dstAt + i, (long) LONG.get(src, srcAt + i));
        }
        if (i + 4 <= len) {
            INT.set(dst, dstAt + i, (int) INT.get(src, srcAt + i));
            i += 4;
        }
        for (; i < len; i++) {
            dst.put(dstAt + i, src.get(srcAt + i));
        }
    }

    static int getInt(ByteBuffer b, int at) {
        return (int) INT.get(b, at);
    }

    static void putInt(ByteBuffer b, int at, int v) {
        INT.set(b, at, v);
    }

    // The word accesses of HashTable's path for a key at home: here, with the others, so that
    // every access to the map's memory goes through this class, Buckets or ElemLayout (which the
    // Lincheck test declares atomic, as it cannot follow byte-buffer view VarHandles).

    static long getLong(ByteBuffer b, int at) {
        return (long) LONG.get(b, at);
    }

    static void putLong(ByteBuffer b, int at, long v) {
        LONG.set(b, at, v);
    }

    /** An 8-byte aligned word, read with acquire: later reads are not made before it. */
    static long getLongAcquire(ByteBuffer b, int at) {
        return (long) LONG.getAcquire(b, at);
    }

    /** A 4-byte aligned word read afresh (opaque), for a sequence count's second read. */
    static int getIntOpaque(ByteBuffer b, int at) {
        return (int) INT.getOpaque(b, at);
    }
}
