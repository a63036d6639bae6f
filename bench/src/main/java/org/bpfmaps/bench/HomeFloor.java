package org.bpfmaps.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The floor of map.hash's own layout for HASH k4v8 (issue 22), with none of its code around it:
 * {@code roundup_pow_of_two(max_entries)} 32-byte bucket records (count at 0, head word at 4 whose
 * bit 31 says the home element is used, the home element from 8: link, token, key at 16, value at
 * 24) in one 64-byte aligned direct buffer, and an overflow slab of 24-byte elements (link, hash,
 * key, value) for the keys whose bucket's home was taken, linked newest first. Filled with the
 * same keys as {@link HashBench.Maps}. What a lookup or an update of this layout costs when the
 * only work is its loads (and, for the validated and locked forms, the sequence count and the
 * lock): the typed call's distance from it is the code on the way, its distance from
 * {@link OneMissTable} is the layout.
 */
final class HomeFloor {
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final int HOME = 0x8000_0000;
    final ByteBuffer table;
    final ByteBuffer slab;
    final int mask;
    /** The keys at home, for the report. */
    int atHome;

    HomeFloor(int maxEntries, int entries) {
        int nb = Integer.highestOneBit(maxEntries - 1) << 1;
        mask = nb - 1;
        table = ByteBuffer.allocateDirect(nb * 32 + 64).alignedSlice(64).order(ByteOrder.nativeOrder());
        slab = ByteBuffer.allocateDirect(maxEntries * 24).order(ByteOrder.nativeOrder());
        int next = 0;
        for (int k = 0; k < entries; k++) {
            int key = HashBench.Caller.scramble(k);
            int h = HashBench.Floor.mix(key);
            int r = (h & mask) << 5;
            int head = table.getInt(r + 4);
            if (head >= 0) {
                table.putInt(r + 8, head);
                table.putInt(r + 16, key);
                table.putLong(r + 24, k);
                // the home element is linked like any other: its id is past the slab's
                table.putInt(r + 4, HOME | (maxEntries + (h & mask) + 1));
                atHome++;
            } else {
                int e = next++;
                slab.putInt(e * 24, head & ~HOME);
                slab.putInt(e * 24 + 4, h);
                slab.putInt(e * 24 + 8, key);
                slab.putLong(e * 24 + 16, k);
                table.putInt(r + 4, HOME | (e + 1));
            }
        }
    }

    /**
     * The same keys in 64-byte records of two buckets that share their two home elements (count
     * at 0, heads at 4 and 8, homes at 16 and 40: link, token, key, value), a key taking its own
     * bucket's home, else its partner's, else an overflow element: the layout's floor with more
     * keys at home. Returns the keys at home.
     */
    static int pairs(HomeFloor f, int maxEntries, int entries) {
        f.table.clear();
        for (int i = 0; i < f.table.capacity(); i += 8) {
            f.table.putLong(i, 0);
        }
        int next = 0;
        int home = 0;
        for (int k = 0; k < entries; k++) {
            int key = HashBench.Caller.scramble(k);
            int h = HashBench.Floor.mix(key);
            int b = h & f.mask;
            int r = (b >> 1) << 6;
            int headAt = r + 4 + 4 * (b & 1);
            int head = f.table.getInt(headAt);
            int own = r + 16 + 24 * (b & 1);
            int other = r + 16 + 24 * (~b & 1);
            int slot = f.table.getInt(own + 8) == 0 ? own : f.table.getInt(other + 8) == 0 ? other : -1;
            if (slot >= 0) {
                f.table.putInt(slot, head);
                f.table.putInt(slot + 4, 1);
                f.table.putInt(slot + 8, key);
                f.table.putLong(slot + 16, k);
                f.table.putInt(headAt, maxEntries + 1 + b);
                home++;
            } else {
                int e = next++;
                f.slab.putInt(e * 24, head);
                f.slab.putInt(e * 24 + 4, h);
                f.slab.putInt(e * 24 + 8, key);
                f.slab.putLong(e * 24 + 16, k);
                f.table.putInt(headAt, e + 1);
            }
        }
        return home;
    }

    /** As {@link #validatedGet} in the layout of {@link #pairs}: both homes of the line, then the chain. */
    boolean pairGet(int key, ByteBuffer out) {
        int h = HashBench.Floor.mix(key);
        int b = h & mask;
        int r = (b >> 1) << 6;
        for (;;) {
            int seq = (int) INT.getAcquire(table, r);
            long v;
            if (table.getInt(r + 24) == key && table.getInt(r + 20) != 0) {
                v = table.getLong(r + 32);
            } else if (table.getInt(r + 48) == key && table.getInt(r + 44) != 0) {
                v = table.getLong(r + 56);
            } else {
                v = chain(table.getInt(r + 4 + 4 * (b & 1)), h, key);
            }
            out.putLong(0, v);
            VarHandle.acquireFence();
            if ((seq & 1) == 0 && (int) INT.getOpaque(table, r) == seq) {
                return v >= 0;
            }
        }
    }

    /** The value of key, or -1: the home element, then the chain's overflow elements. */
    long get(int key) {
        int h = HashBench.Floor.mix(key);
        int r = (h & mask) << 5;
        int head = table.getInt(r + 4);
        if (head < 0 && table.getInt(r + 16) == key) {
            return table.getLong(r + 24);
        }
        return chain(head & ~HOME, h, key);
    }

    private long chain(int link, int h, int key) {
        int limit = slab.capacity() / 24;
        for (int e = link - 1; e >= 0 && e < limit; e = slab.getInt(e * 24) - 1) {
            if (slab.getInt(e * 24 + 4) == h && slab.getInt(e * 24 + 8) == key) {
                return slab.getLong(e * 24 + 16);
            }
        }
        return -1;
    }

    /** As {@link #get}, between a read of the bucket's count and its check, the value copied to out. */
    boolean validatedGet(int key, ByteBuffer out) {
        int h = HashBench.Floor.mix(key);
        int r = (h & mask) << 5;
        for (;;) {
            int seq = (int) INT.getAcquire(table, r);
            int head = table.getInt(r + 4);
            long v;
            if (head < 0 && table.getInt(r + 16) == key) {
                v = table.getLong(r + 24);
            } else {
                v = chain(head & ~HOME, h, key);
            }
            out.putLong(0, v);
            VarHandle.acquireFence();
            if ((seq & 1) == 0 && (int) INT.getOpaque(table, r) == seq) {
                return v >= 0;
            }
        }
    }

    /** An update of an existing key as the map makes it: the bucket's count made odd by a CAS, the write, a release store. */
    boolean lockedPut(int key, long value) {
        int h = HashBench.Floor.mix(key);
        int r = (h & mask) << 5;
        int s = (int) INT.getOpaque(table, r);
        if ((s & 1) != 0 || !INT.compareAndSet(table, r, s, s + 1)) {
            return false;
        }
        boolean found = true;
        int head = table.getInt(r + 4);
        if (head < 0 && table.getInt(r + 16) == key) {
            table.putLong(r + 24, value);
        } else {
            found = false;
            int limit = slab.capacity() / 24;
            for (int e = (head & ~HOME) - 1; e >= 0 && e < limit; e = slab.getInt(e * 24) - 1) {
                if (slab.getInt(e * 24 + 4) == h && slab.getInt(e * 24 + 8) == key) {
                    slab.putLong(e * 24 + 16, value);
                    found = true;
                    break;
                }
            }
        }
        INT.setRelease(table, r, s + 2);
        return found;
    }
}
