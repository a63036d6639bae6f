package org.bpfmaps.map.lpm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.bpfmaps.core.spi.MapFootprint;

/**
 * The jump table: a lookup's first {@code stride} bits in one step.
 *
 * <p>Why: with many prefixes the top of the trie is full, and a lookup pays one dependent load per
 * level from the root; in a trie of 1M prefixes a walk visits about 20 nodes, each a cache miss
 * (the nodes spread over ~100 MB). The table holds, for each value of a key's first
 * {@code stride} bits (its slot), where the walk from the root stands once it has passed every
 * node shorter than the stride: those nodes match and branch on those bits alone, so the place is
 * the same for every key that starts with them (a query prefixlen of at least the stride; shorter
 * ones, and keys of at most {@code stride} bits, walk from the root). A slot holds an entry:
 * <ul>
 * <li>{@link #END}: the walk is over; the answer is the prefix above;
 * <li>a node (of the stride or longer, starting with the slot's bits): the walk goes on there,
 *     and if it finds nothing the answer is the prefix above;
 * <li>{@link #NONE}: the walk is over and nothing covers the key;
 * <li>an {@link LpmJump}: the walk goes on at its node with nothing above (4- and 8-byte values
 *     only, where a plain node would mean a number above).
 * </ul>
 * and beside it the answer above (the best value node shorter than the stride on the way): for
 * values of 4 or 8 bytes its value as a number, in a parallel {@code long[]}, else the node, in a
 * parallel array. The lookup loads both at once, not one after the other, so their cache misses
 * overlap: a lookup that the entry answers costs about one miss, where an entry object holding
 * the answer (the first version of this table) cost two dependent ones, and a node, three. In 1M
 * random IPv4 prefixes /8../32 with a 20-bit stride, 49% of lookups end at END, 40% visit one node
 * (which the key leaves), 11% about two; in 10k with 16 bits, 90% end at the slot.
 *
 * <p>The stride grows with the trie: 16 bits once it holds 1024 prefixes, 20 bits once it holds
 * 2^18. More bits would end more lookups at the slot (22 bits: 86% END in 1M) but cost 4 times the
 * memory for each 2 bits. The table is rebuilt under the writer lock when a threshold is passed
 * (O(2^stride + nodes shorter than it), once per threshold) and never shrinks. Memory, bounded by
 * the largest stride: 12 bytes a slot for 4- and 8-byte values (a reference with compressed
 * references, and a long), 8 for others (two references), plus a 16-byte {@link LpmJump} per
 * slot where there is nothing above, which a full top of the trie does not have: 768 KiB at 16
 * bits, 12 MiB at 20. In 1M random IPv4 prefixes with 8-byte values that is 12.6 bytes per prefix
 * (no jump objects), next to about 97 bytes per prefix for the nodes themselves (1M value nodes of
 * 72 bytes with their value, 515k intermediate ones of 48). The kernel has no such table.
 *
 * <p>Exact under concurrent writers, with lock-free readers, as a seqlock: a change is linked
 * under one node (or at the root); only if that node is shorter than the stride can entries
 * change, and only those under the link. The writer computes their new states from the subtree
 * being linked, and writes those that differ and makes the link's store inside a window: an odd
 * {@link #version}, opened before the first entry written and closed after the store (a change
 * that writes no entry, such as most below the stride, opens none). A lookup takes the version
 * before it reads the slot and checks it after (no lock, no allocation): when a window was open
 * meanwhile, it walks from the root instead, which sees the trie before or after the store. An
 * entry and its answer above read together with no window open are one state of the table, exact
 * for the trie of that moment, and walking on from the entry's node is as good as a walk from the
 * root that passed the top of the trie then. A larger table is built whole before it is
 * published; the old one stays exact until the next change, whose window a reader still holding
 * it detects.
 */
final class LpmJumps {
    /** The default strides and the prefix counts from which each is used. */
    static final int[] STRIDES = {16, 20};
    static final long[] FROM = {1024, 1 << 18};

    /** An entry: the walk is over; the answer is the prefix above (in smalls or founds). */
    static final Object END = marker("END");
    /** An entry: the walk is over and no prefix covers the key. */
    static final Object NONE = marker("NONE");

    private static Object marker(String name) {
        return new Object() {
            @Override
            public String toString() {
                return name;
            }
        };
    }

    /**
     * One table: per slot an entry in {@link #refs} and, beside it, the answer above the stride:
     * as a number in {@link #smalls} for values of 4 or 8 bytes, else the node in {@link #founds}.
     * Its entries change only inside a writer's window.
     */
    static final class Table {
        final int stride;
        /** 64 - stride: a key's first data word shifted right by this is its slot. */
        final int shift;
        /** {@link #END}, {@link #NONE}, the node the walk goes on with, or an {@link LpmJump}. */
        final Object[] refs;
        /** For values of 4 or 8 bytes, else null: the value above as one number. */
        final long[] smalls;
        /** For other values, else null: the best value node above, or null for none. */
        final LpmNode[] founds;

        Table(int stride, boolean small) {
            this.stride = stride;
            this.shift = 64 - stride;
            this.refs = new Object[1 << stride];
            this.smalls = small ? new long[1 << stride] : null;
            this.founds = small ? null : new LpmNode[1 << stride];
        }
    }

    private static final VarHandle VERSION;

    static {
        try {
            VERSION = MethodHandles.lookup().findVarHandle(LpmJumps.class, "version", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int maxPrefixlen;
    private final boolean small;
    private final int[] strides;
    private final long[] from;
    /** Null until the trie holds {@code from[0]} prefixes. */
    volatile Table table;
    /** Odd while a writer changes entries (a seqlock's count). */
    private volatile long version;
    /** Whether the change being linked has opened the window (made {@link #version} odd). */
    private boolean open;
    /** Entries the change being linked leaves as they are (see {@link #relink}); else both 0. */
    private int skipFrom;
    private int skipTo;

    /**
     * @param small whether values are 4 or 8 bytes, kept as numbers in the table
     * @param strides increasing strides, each below 31
     * @param from the number of prefixes from which each stride is used, increasing
     */
    LpmJumps(int maxPrefixlen, boolean small, int[] strides, long[] from) {
        if (strides.length != from.length) {
            throw new IllegalArgumentException("one threshold per stride");
        }
        this.maxPrefixlen = maxPrefixlen;
        this.small = small;
        this.strides = strides.clone();
        this.from = from.clone();
    }

    /**
     * The heap bytes of the jump tables the default strides may build for a trie of at most
     * {@code maxEntries} prefixes of {@code maxPrefixlen} bits (0 when it builds none): every
     * table up to the largest, since a larger one is built while the smaller is still in use, at
     * 12 bytes a slot for 4- and 8-byte values and 8 for others (see above), as arrays the
     * collector may round up ({@link MapFootprint#arrayBytes}: under G1 on a small heap the 512 KiB
     * {@code long[]} of the 16-bit table takes a 1 MiB region), with an {@link LpmJump} of 16
     * bytes for each slot that may hold one (at most one per prefix).
     */
    static long heapBytesAtMost(int maxPrefixlen, int valueSize, long maxEntries) {
        long bytes = 0;
        for (int i = 0; i < STRIDES.length; i++) {
            if (maxEntries >= FROM[i] && STRIDES[i] < maxPrefixlen) {
                long slots = 1L << STRIDES[i];
                long beside = valueSize == 4 || valueSize == 8 ? MapFootprint.arrayBytes(slots, 8)
                        : MapFootprint.arrayBytes(slots, 4);
                bytes += 32 + MapFootprint.arrayBytes(slots, 4) + beside + Math.min(slots, maxEntries) * 16;
            }
        }
        return bytes;
    }

    /** The stride in use, 0 before the table exists. */
    int stride() {
        Table t = table;
        return t == null ? 0 : t.stride;
    }

    // ---- readers ----

    /** Taken before a reader reads {@link #table} and its entries. */
    long stamp() {
        return version;
    }

    /** Whether what was read since {@code stamp} is one state of the table, exact for the trie. */
    boolean validate(long stamp) {
        VarHandle.acquireFence();
        return (stamp & 1) == 0 && stamp == version;
    }

    // ---- writers, under the trie's lock ----

    /**
     * Builds the table, or a larger one, when the trie holds enough prefixes; before the change
     * that counted the last one is linked (which then keeps the new table exact). No window: the
     * old table stays exact until the next change, which opens one.
     */
    void grow(LpmNode root, long entries) {
        Table old = table;
        int have = old == null ? 0 : old.stride;
        int want = have;
        for (int i = 0; i < strides.length; i++) {
            if (entries >= from[i] && strides[i] > want && strides[i] < maxPrefixlen) {
                want = strides[i];
            }
        }
        if (want != have) {
            Table fresh = new Table(want, small);
            fill(fresh, 0, 0, root, null);
            table = fresh;
        }
    }

    /**
     * Before the store of {@code node} into {@code parent}'s child {@code dir} (parent null: the
     * root), {@code above} the best value node from the root to the parent, both included: sets
     * the entries the change changes, opening the window first; {@link #close} after the store.
     *
     * <p>{@code kept}, if not null, is an old subtree that an intermediate node is put above or
     * taken from, the keys sharing its first {@code keptBits} bits reaching it before and after
     * the change with the same value node above (an intermediate node is none): their entries
     * are left as they are, unread. This keeps the common insert and delete of a leaf from
     * reading the entries of its sibling's whole subtree.
     */
    void relink(LpmNode parent, LpmNode above, int dir, LpmNode node, LpmNode kept, int keptBits) {
        Table t = table;
        if (t == null || parent != null && parent.prefixlen >= t.stride) {
            return; // no table, or a change below every entry's walk
        }
        if (kept != null && keptBits <= t.stride) {
            skipFrom = keptBits == 0 ? 0 : (int) (kept.w0 >>> (64 - keptBits)) << (t.stride - keptBits);
            skipTo = skipFrom + (1 << (t.stride - keptBits));
        }
        if (parent == null) {
            fill(t, 0, 0, node, null);
        } else {
            int q = parent.prefixlen;
            long top = q == 0 ? 0 : parent.w0 >>> (64 - q);
            int lo = (int) (((top << 1) | dir) << (t.stride - q - 1));
            fill(t, lo, q + 1, node, above);
        }
        skipFrom = skipTo = 0;
    }

    /** Ends the window {@link #relink} opened, if it did: after the change's store. */
    void close() {
        if (open) {
            open = false;
            VERSION.setRelease(this, version + 1);
        }
    }

    private void openWindow() {
        if (!open && table != null) {
            open = true;
            VERSION.setOpaque(this, version + 1);
            VarHandle.storeStoreFence();
        }
    }

    /**
     * Sets the entries of the keys whose first {@code r} bits are {@code lo}'s (2^(stride - r)
     * entries from {@code lo}), whose walk has reached the subtree {@code n} with {@code found}
     * the best value node above it. Nodes of a subtree share the first bits that lead to it, so
     * each node shorter than the stride splits its range into the keys that leave the trie there
     * and its two children's halves: O(entries + nodes shorter than the stride).
     */
    private void fill(Table t, int lo, int r, LpmNode n, LpmNode found) {
        int stride = t.stride;
        int end = lo + (1 << (stride - r));
        if (lo >= skipFrom && end <= skipTo) {
            return;
        }
        while (n != null && n.prefixlen < stride) {
            int p = n.prefixlen;
            int size = 1 << (stride - p);
            int at = p == 0 ? 0 : (int) (n.w0 >>> (64 - p)) << (stride - p);
            put(t, lo, at, null, found);
            put(t, at + size, end, null, found);
            if (!n.intermediate()) {
                found = n;
            }
            fill(t, at, p + 1, n.child0, found);
            lo = at + (size >>> 1);
            end = at + size;
            n = n.child1;
        }
        if (n == null) {
            put(t, lo, end, null, found);
            return;
        }
        // the first node of the stride or longer: only the keys of its own slot may match it
        int v = (int) (n.w0 >>> t.shift);
        put(t, lo, v, null, found);
        put(t, v, v + 1, n, found);
        put(t, v + 1, end, null, found);
    }

    /**
     * Entries {@code a..b-1} become: go on at {@code next} (null: the walk is over) with the
     * answer {@code found} above it; only those that differ are written, in the window.
     */
    private void put(Table t, int a, int b, LpmNode next, LpmNode found) {
        if (a < skipTo && b > skipFrom) {
            put(t, a, skipFrom, next, found);
            put(t, skipTo, b, next, found);
            return;
        }
        Object[] refs = t.refs;
        long[] smalls = t.smalls;
        boolean none = next == null && found == null;
        // a node with nothing above it, where a node means "and the number above"
        boolean asJump = next != null && found == null && smalls != null;
        Object ref = none ? NONE : next == null ? END : next;
        long small = found == null ? 0 : found.small;
        LpmJump jump = null;
        for (int v = a; v < b; v++) {
            Object e = refs[v];
            boolean same = asJump ? e instanceof LpmJump j && j.next == next
                    : e == ref && (none || (smalls != null ? smalls[v] == small : t.founds[v] == found));
            if (same) {
                continue;
            }
            if (t == table) {
                openWindow();
            }
            if (asJump) {
                if (jump == null) {
                    jump = new LpmJump(next);
                }
                refs[v] = jump;
                continue;
            }
            if (smalls != null) {
                smalls[v] = small;
            } else {
                t.founds[v] = found;
            }
            refs[v] = ref;
        }
    }
}
