package org.bpfmaps.map.hash;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The bucket array: {@code roundup_pow_of_two(max_entries)} chain heads, as the kernel's
 * {@code struct bucket}, each with a sequence count that lets readers go without a lock.
 *
 * <p>Writers of a bucket hold its lock (the kernel's per-bucket spinlock; here one of a stripe of
 * plain monitors, which cost no allocation uncontended and park instead of spinning when there
 * are more threads than CPUs) and wrap every change to the chain or to a value in {@link #writeBegin} / {@link #writeEnd}: the
 * count is odd while the bucket changes. A reader notes an even count, walks the chain and copies
 * what it wants, then checks the count is unchanged; if not, it tries again (after a few tries it
 * takes the lock). This stands in for RCU: a reader never sees a half-written value, a chain
 * halfway through a change, or an element reused for another key, because each of those writes
 * moved the count of the bucket it read. Elements stay readable memory when freed (see
 * {@link Slab} and {@link OnDemandElements}), so a reader that wandered onto a stale link reads
 * garbage, never outside a buffer, and throws it away.
 *
 * <p>Layout: 8 bytes per bucket, off-heap: the count at 0, the head link (element index + 1, 0 for
 * an empty chain) at 4. The kernel's limit of {@code U32_MAX / sizeof(struct bucket)} buckets keeps
 * the table under 1 GiB, so one direct buffer holds it.
 */
final class Buckets {
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    /** The most lock stripes a map has; buckets share a stripe beyond that. */
    static final int MAX_LOCKS = 1024;
    /** The heap bytes one stripe takes (an Object and its array slot), for the memory accounting. */
    static final int LOCK_BYTES = 24;

    private final ByteBuffer table;
    final int mask;
    private final Object[] locks;
    private final int lockMask;

    Buckets(int n) {
        mask = n - 1;
        table = ByteBuffer.allocateDirect(n * 8 + 8).alignedSlice(8).limit(n * 8).slice()
                .order(ByteOrder.nativeOrder());
        int stripes = locks(n);
        locks = new Object[stripes];
        for (int i = 0; i < stripes; i++) {
            locks[i] = new Object();
        }
        lockMask = stripes - 1;
    }

    /** The lock stripes of n buckets. */
    static int locks(int n) {
        return Math.min(n, MAX_LOCKS);
    }

    /** The bytes n buckets take, locks included. */
    static long bytes(long n) {
        return n * 8 + (long) Math.min(n, MAX_LOCKS) * LOCK_BYTES;
    }

    int count() {
        return mask + 1;
    }

    /** The first element of bucket b, or -1: under the lock, or inside a read section. */
    int head(int b) {
        return (int) INT.get(table, (b << 3) + 4) - 1;
    }

    /** Sets the first element; only between writeBegin and writeEnd. */
    void setHead(int b, int e) {
        INT.set(table, (b << 3) + 4, e + 1);
    }

    /** The monitor that writers of bucket b hold; buckets beyond {@link #MAX_LOCKS} share them. */
    Object lockOf(int b) {
        return locks[b & lockMask];
    }

    /** Starts a read section: the count to validate against, odd while a writer is inside. */
    int readBegin(int b) {
        return (int) INT.getAcquire(table, b << 3);
    }

    /** Whether nothing in bucket b changed since {@code readBegin} returned {@code seq}. */
    boolean readValid(int b, int seq) {
        // the reads of the section must complete before the count is read again
        VarHandle.acquireFence();
        return (int) INT.getOpaque(table, b << 3) == seq;
    }

    /** Under the lock: the bucket is about to change; readers from now on retry. */
    void writeBegin(int b) {
        int at = b << 3;
        INT.setOpaque(table, at, (int) INT.get(table, at) + 1);
        // the odd count must be visible before any write of the change
        VarHandle.storeStoreFence();
    }

    /** Under the lock: the change is complete; its writes are visible before the even count. */
    void writeEnd(int b) {
        int at = b << 3;
        INT.setRelease(table, at, (int) INT.get(table, at) + 1);
    }
}
