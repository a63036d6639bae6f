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
 * element index + 1 or 0 for an empty chain, in its low 31 bits; bit 31 says the bucket's home
 * element is in use), and in a table with home elements ({@link HomeSlots}) one element slot from
 * byte 8, so that the bucket and the element most likely to hold its key share a cache line.
 * Records are a power of two of at most 64 bytes, in a 64-byte aligned buffer, so a record never
 * straddles two lines. Without home elements a record is 8 bytes, and the kernel's limit of
 * {@code U32_MAX / sizeof(struct bucket)} buckets keeps the table under 1 GiB, so one direct
 * buffer holds it; with them {@link HashProvider} checks the same bound.
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

    Buckets(int n) {
        this(n, 3);
    }

    /** n buckets of {@code 1 << shift} bytes each. */
    Buckets(int n, int shift) {
        mask = n - 1;
        this.shift = shift;
        int bytes = n << shift;
        int align = Math.min(64, 1 << shift);
        table = ByteBuffer.allocateDirect(bytes + align).alignedSlice(align).limit(bytes).slice()
                .order(ByteOrder.nativeOrder());
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
        return ((int) INT.get(table, (b << shift) + 4) & ~HOME) - 1;
    }

    /** The head word: the first element + 1 and the {@link #HOME} bit; under the lock or in a read section. */
    int headWord(int b) {
        return (int) INT.get(table, (b << shift) + 4);
    }

    /** Sets the first element, keeping the home bit; only under the lock. */
    void setHead(int b, int e) {
        int at = (b << shift) + 4;
        INT.set(table, at, ((int) INT.get(table, at) & HOME) | (e + 1));
    }

    /** Whether bucket b's home element holds a key; under the lock. */
    boolean homeUsed(int b) {
        return headWord(b) < 0;
    }

    /** Marks bucket b's home element used or free; only under the lock. */
    void setHomeUsed(int b, boolean used) {
        int at = (b << shift) + 4;
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
        int at = b << shift;
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
        int at = b << shift;
        INT.setRelease(table, at, (int) INT.get(table, at) + 1);
    }

    /** Starts a read section: the count to validate against, odd while a writer holds the bucket. */
    int readBegin(int b) {
        return (int) INT.getAcquire(table, b << shift);
    }

    /** Whether nothing in bucket b changed since {@code readBegin} returned {@code seq}. */
    boolean readValid(int b, int seq) {
        // the reads of the section must complete before the count is read again
        VarHandle.acquireFence();
        return (int) INT.getOpaque(table, b << shift) == seq;
    }
}
