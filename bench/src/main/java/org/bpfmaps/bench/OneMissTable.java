package org.bpfmaps.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The floor of any hash table design for 4-byte keys and 8-byte values (issue 22): open
 * addressing with linear probing over 16-byte slots in one direct buffer, key and value inline
 * (key at 0, a used word at 4, value at 8), at most half full, so that an operation reads one
 * slot's cache line in the common case and nothing else. No locking, no sizes, no API: what one
 * cache miss per operation costs on this machine. Deletes shift the following slots back
 * (Knuth's algorithm R), so there are no tombstones and probes stay short.
 */
final class OneMissTable {
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private final ByteBuffer slots;
    private final int mask;

    /** A table that holds {@code entries} keys at a load of at most one half. */
    OneMissTable(int entries) {
        this(entries, false);
    }

    /** As {@link #OneMissTable(int)}, the slots in huge pages when {@code huge} (see {@link HugeBuffers}). */
    OneMissTable(int entries, boolean huge) {
        int n = Integer.highestOneBit(Math.max(2, 2 * entries - 1)) << 1;
        mask = n - 1;
        slots = huge ? HugeBuffers.allocate(n * 16)
                : ByteBuffer.allocateDirect(n * 16).order(ByteOrder.nativeOrder());
    }

    private int home(int key) {
        return HashBench.Floor.mix(key) & mask;
    }

    /** The slot of key, or of the empty slot where it would go. */
    private int find(int key) {
        for (int i = home(key);; i = (i + 1) & mask) {
            int at = i << 4;
            if (slots.getInt(at + 4) == 0 || slots.getInt(at) == key) {
                return i;
            }
        }
    }

    /**
     * As {@link #put} of an existing key by a writer that must exclude other writers of its slot,
     * as a bucket lock or a sequence count does: a compare-and-set of the slot's used word before
     * the write and a release store after it. The floor of an update in any table whose writers
     * lock per bucket (the kernel's design): the locked instruction waits for the slot's line to
     * arrive, and later operations cannot overlap that miss as plain stores let them.
     */
    boolean lockedPut(int key, long value) {
        int at = find(key) << 4;
        int used = (int) INT.getOpaque(slots, at + 4);
        if (used == 0 || !INT.compareAndSet(slots, at + 4, used, used + 2)) {
            return false;
        }
        slots.putLong(at + 8, value);
        INT.setRelease(slots, at + 4, used);
        return true;
    }

    long get(int key, long absent) {
        int at = find(key) << 4;
        return slots.getInt(at + 4) != 0 ? slots.getLong(at + 8) : absent;
    }

    /** Sets key's value; true when the key was new. */
    boolean put(int key, long value) {
        int at = find(key) << 4;
        slots.putLong(at + 8, value);
        if (slots.getInt(at + 4) != 0) {
            return false;
        }
        slots.putInt(at, key);
        slots.putInt(at + 4, 1);
        return true;
    }

    /** Deletes key; false when it was absent. */
    boolean remove(int key) {
        int i = find(key);
        if (slots.getInt((i << 4) + 4) == 0) {
            return false;
        }
        // shift back every following key whose home is not between the hole and itself
        for (int j = (i + 1) & mask;; j = (j + 1) & mask) {
            int at = j << 4;
            if (slots.getInt(at + 4) == 0) {
                break;
            }
            int h = home(slots.getInt(at));
            if (((j - h) & mask) >= ((j - i) & mask)) {
                slots.putLong(i << 4, slots.getLong(at));
                slots.putLong((i << 4) + 8, slots.getLong(at + 8));
                i = j;
            }
        }
        slots.putInt((i << 4) + 4, 0);
        return true;
    }
}
