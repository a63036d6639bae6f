package org.bpfmaps.map.hash;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The bucket array: {@code roundup_pow_of_two(max_entries)} chain heads, as the kernel's
 * {@code struct bucket}, each with a sequence count that lets readers go without a lock and that
 * is also the bucket's lock.
 *
 * <p>A writer takes the bucket with {@link #lock}, a compare-and-set of the count from even to odd,
 * and gives it back with {@link #unlock}, a release store of the next even count: one atomic
 * instruction per write instead of the two of a monitor, no lock objects to miss in the cache,
 * and a lock per bucket instead of per stripe, as the kernel's per-bucket spinlock. Everything a
 * writer does to the chain or to a value happens while the count is odd. A reader notes an even
 * count, walks the chain and copies what it wants, then checks the count is unchanged; if not, it
 * tries again (after a few tries it takes the lock). This stands in for RCU: a reader never sees a
 * half-written value, a chain halfway through a change, or an element reused for another key,
 * because each of those writes moved the count of the bucket it read. Elements stay readable
 * memory when freed (see {@link Slab} and {@link OnDemandElements}), so a reader that wandered
 * onto a stale link reads garbage, never outside a buffer, and throws it away.
 *
 * <p>A writer waiting for a bucket spins briefly, then yields its CPU, so that with more threads
 * than CPUs the holder gets to run; critical sections are a chain walk and a copy, and never wait
 * for anything else (a pool's free list is lock-free).
 *
 * <p>Layout: one record per bucket, off-heap: the count at 0, the head word at 4 (the head link,
 * element index + 1 or 0 for an empty chain, in its low 31 bits; bit 31 says the home element of
 * the same number is in use). Without home elements a record is 8 bytes, and the kernel's limit
 * of {@code U32_MAX / sizeof(struct bucket)} buckets keeps the table under 1 GiB, so one direct
 * buffer holds it; with them {@link HashProvider} checks the same bound.
 *
 * <p>With home elements ({@link HomeSlots}, {@code shift} 5: 32 bytes a bucket) buckets
 * {@code 2p} and {@code 2p + 1} share one 64-byte record, one cache line: one count at 0 (the
 * lock and sequence count of both), the two head words at 4 and 8, and the two home elements at
 * 16 and 40 ({@link HomeSlots#homeBase}), either of which a key of either bucket may take. Why:
 * a lookup reads one line when its key is at home, and two homes shared by two buckets hold more
 * keys than one home each (a full map: 74% of its keys at home instead of 64%; a pair's two homes
 * hold {@code min(X0 + X1, 2)} of its keys instead of {@code min(X0, 1) + min(X1, 1)}). A shared
 * count costs a reader a retry when the other bucket of its line changes, and a writer a wait
 * for a writer of the other bucket: the kernel's lock is per bucket, but who waits for whom is
 * nothing a caller sees. A table of one bucket still has a 64-byte record, with two homes.
 */
final class Buckets {
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    /** Busy tries for a held bucket before the waiter starts yielding its CPU. */
    private static final int SPINS = 64;

    /** Bit 31 of the head word: the bucket's home element holds a key. */
    static final int HOME = 0x8000_0000;

    final ByteBuffer table;
    final int mask;
    /** log2 of the record's bytes: 3 without home elements. */
    final int shift;
    /** Whether buckets share 64-byte records by two (home elements: shift 5). */
    private final boolean paired;

    Buckets(int n) {
        this(n, 3);
    }

    /** n buckets of {@code 1 << shift} bytes each. */
    Buckets(int n, int shift) {
        mask = n - 1;
        this.shift = shift;
        this.paired = shift == PAIRED_SHIFT;
        int bytes = paired ? Math.max(n, 2) << shift : n << shift;
        int align = paired ? 64 : Math.min(64, 1 << shift);
        table = ByteBuffer.allocateDirect(bytes + align).alignedSlice(align).limit(bytes).slice()
                .order(ByteOrder.nativeOrder());
    }

    /** The record size, as log2, of buckets that pair up in 64-byte records with home elements. */
    static final int PAIRED_SHIFT = 5;

    /** The offset of bucket b's count: its own record's, or its pair's. */
    int countAt(int b) {
        return paired ? (b >> 1) << 6 : b << shift;
    }

    /** The offset of bucket b's head word. */
    int headAt(int b) {
        return paired ? ((b >> 1) << 6) + 4 + ((b & 1) << 2) : (b << shift) + 4;
    }

    /** The bytes n buckets of 8 bytes take. */
    static long bytes(long n) {
        return n * 8;
    }

    int count() {
        return mask + 1;
    }

    /** The first element of bucket b, or -1: under the lock, or inside a read section. */
    int head(int b) {
        return ((int) INT.get(table, headAt(b)) & ~HOME) - 1;
    }

    /** The head word: the first element + 1 and the {@link #HOME} bit; under the lock or in a read section. */
    int headWord(int b) {
        return (int) INT.get(table, headAt(b));
    }

    /** Sets the first element, keeping the home bit; only under the lock. */
    void setHead(int b, int e) {
        int at = headAt(b);
        INT.set(table, at, ((int) INT.get(table, at) & HOME) | (e + 1));
    }

    /** Whether home element b (see {@link HomeSlots}) holds a key; under the lock of bucket b, or of its pair, the same. */
    boolean homeUsed(int b) {
        return headWord(b) < 0;
    }

    /** Marks home element b used or free; only under the lock of bucket b (or of its pair, the same). */
    void setHomeUsed(int b, boolean used) {
        int at = headAt(b);
        int w = (int) INT.get(table, at);
        INT.set(table, at, used ? w | HOME : w & ~HOME);
    }

    /**
     * Takes bucket b for writing: its count becomes odd, so readers from now on retry. Returns the
     * odd count, which a walk under the lock may validate against (it stays until {@link #unlock}).
     */
    int lock(int b) {
        for (int spins = 0;; spins++) {
            int odd = tryLock(b);
            if (odd != 0) {
                return odd;
            }
            if (spins < SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** One try at {@link #lock}: the odd count, or 0 (which is even) when a writer holds the bucket. */
    int tryLock(int b) {
        int at = countAt(b);
        int s = (int) INT.getOpaque(table, at);
        // the CAS is a full fence: nothing of the change moves before the odd count
        return (s & 1) == 0 && INT.compareAndSet(table, at, s, s + 1) ? s + 1 : 0;
    }

    /**
     * Takes bucket b for a change of the map's contents; false (and the bucket not taken) once the
     * map is retired ({@link #retire}), whose contents have then gone to the next provider.
     */
    boolean lockForWrite(int b) {
        lock(b);
        if (retired) {
            unlock(b);
            return false;
        }
        return true;
    }

    /**
     * Retires the map: no change starts any more ({@link #lockForWrite} answers false), and the
     * changes in progress have ended when this returns. The flag is set first; taking each bucket
     * once then waits for the writer holding it, and a writer that takes the bucket after that
     * sees the flag, because the bucket's count passed from us to it.
     */
    void retire() {
        retired = true;
        for (int b = 0; b <= mask; b++) {
            lock(b);
            unlock(b);
        }
    }

    /** Set by {@link #retire}. */
    private volatile boolean retired;

    /** Gives bucket b back: the change's writes are visible before the even count. */
    void unlock(int b) {
        int at = countAt(b);
        INT.setRelease(table, at, (int) INT.get(table, at) + 1);
    }

    /** Starts a read section: the count to validate against, odd while a writer holds the bucket. */
    int readBegin(int b) {
        return (int) INT.getAcquire(table, countAt(b));
    }

    /** Whether nothing in bucket b changed since {@code readBegin} returned {@code seq}. */
    boolean readValid(int b, int seq) {
        // the reads of the section must complete before the count is read again
        VarHandle.acquireFence();
        return (int) INT.getOpaque(table, countAt(b)) == seq;
    }
}
