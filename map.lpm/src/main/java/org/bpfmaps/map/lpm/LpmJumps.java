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
 * the largest stride: 16 bytes a slot for 4- and 8-byte values (a reference with compressed
 * references and a long for readers, and for writers the node the long is the value of, see
 * {@link #start}), 8 for others (two references), plus a 16-byte {@link LpmJump} per slot where
 * there is nothing above, which a full top of the trie does not have: 1 MiB at 16 bits, 16 MiB
 * at 20. In 1M random IPv4 prefixes with 8-byte values that is 16.8 bytes per prefix (no jump
 * objects), next to about 73 bytes per prefix for the nodes themselves (1M value nodes and
 * 515k intermediate ones, 48 bytes each: a 4- or 8-byte value lives in its node). The kernel has
 * no such table.
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
 *
 * <p>Sub-tables: where many prefixes share a slot, one table is not enough. IPv6 tables are the
 * case: prefixes cluster under a few /16s (10k prefixes under four of them put 2500 behind each
 * of four slots of the 16-bit table, and a lookup walked about 12 nodes on from there). Such a
 * slot holds a sub-table instead of an entry: the entries of a table of a longer stride (the
 * slot's bits and up to {@link #SUB_BITS_MAX} more), for the keys of that slot only, with the same
 * meaning; a lookup with a query prefixlen below the sub-table's stride walks from the root. A
 * slot gets one once {@link #SUB_FROM} prefixes of the stride or longer start with its bits
 * ({@link #counts}, kept by {@link #counted}), sized to about one entry per such prefix, rebuilt
 * when their number doubles or falls to a quarter and dropped below {@code SUB_FROM / 4}: a
 * rebuild costs O(its entries + the nodes above its stride), paid for by as many changes. So the
 * sub-tables hold at most 4 entries per prefix, and for 4 and 8-byte values about 12 to 24 bytes
 * per prefix in practice. A sub-table is built whole and published in a window, like a change;
 * its entries then change in windows too ({@link Table#live}). IPv4 tables of random prefixes
 * have no slot this full; the kernel has no such tables at all.
 *
 * <p>A change's entries: a link replaces one subtree root (old) by another (new), and one of the
 * two always covers the other (a value replaced, a node put above or taken out). Keys outside the
 * shorter one's prefix reached the old root and left the trie there, and leave at the new root
 * the same way, so only the entries under the shorter prefix are computed: for a leaf inserted
 * or deleted, its own range, however short its parent. Under it, a value node that was in the
 * trie before with the same subtree keeps its entries (the same walk on, the same answer above
 * from it down), so a prefix shorter than the stride made real or intermediate, or put above or
 * taken off a subtree, rewrites only the slots whose answer above it is, not all it covers (in
 * 10k random IPv4 prefixes those re-fills were half of an update+delete's time).
 *
 * <p>Writers start below the top of the trie too: where the slot's entry names a node, there
 * ({@link #below}), else (END, about half the slots in 1M random IPv4 prefixes and most in 10k)
 * at the answer above, the best value node shorter than the stride on the slot's walk
 * ({@link #start}): the walk passes it, so a walk from it finds the same place, and it is the best
 * value above itself, which the entries to set need. It is exact as the entries are, being their
 * answer; for 4- and 8-byte values, whose entries hold only its number, the top table keeps the
 * node beside them for writers. In 1M prefixes this took update+delete from about 1.8 to 1.2 us.
 */
final class LpmJumps {
    /** The default strides and the prefix counts from which each is used. */
    static final int[] STRIDES = {16, 20};
    static final long[] FROM = {1024, 1 << 18};
    /** A slot gets a sub-table once this many prefixes of the stride or longer start with its bits. */
    static final int SUB_FROM = 16;
    /**
     * The fewest and the most bits a sub-table adds to the table's stride. The most trades lookups
     * for writes: a new prefix shorter than the sub-table's stride rewrites the entries it covers
     * (2^(stride - prefixlen)). LpmBench's IPv6 set (2500 prefixes behind each of 4 slots), one
     * run each, lookup / update+delete against the unibit trie: 12 bits 0.44x / 1.0x, 10 bits
     * 0.5x / 0.76x, 8 bits 1.0x / 0.35x.
     */
    static final int SUB_BITS_MIN = 4;
    static final int SUB_BITS_MAX = 10;
    /** No stride (a sub-table's included) above this: entries are numbered by ints. */
    static final int STRIDE_MAX = 30;

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
     * A sub-table holds the slots from {@link #base} on of a table of its stride, those of one
     * slot of the table above. Its entries change only inside a writer's window once it is live.
     */
    static final class Table {
        final int stride;
        /** 64 - stride: a key's first data word shifted right by this is its slot. */
        final int shift;
        /** The slot of entry 0: 0 for the top table. */
        final int base;
        /** {@link #END}, {@link #NONE}, the node the walk goes on with, an {@link LpmJump}, or a sub-table. */
        final Object[] refs;
        /** For values of 4 or 8 bytes, else null: the value above as one number. */
        final long[] smalls;
        /**
         * For other values, the best value node above, or null for none. In a top table of 4- or
         * 8-byte values too, for writers only (readers take {@link #smalls}): where a writer's
         * walk starts ({@link #start}). Kept for a slot with a sub-table too, which readers
         * do not read it for.
         */
        final LpmNode[] founds;
        /** Whether readers may see it (then its entries change only in a window); under the lock. */
        boolean live;

        Table(int stride, int base, int bits, boolean small, boolean top) {
            this.stride = stride;
            this.shift = 64 - stride;
            this.base = base;
            this.refs = new Object[1 << bits];
            this.smalls = small ? new long[1 << bits] : null;
            this.founds = small && !top ? null : new LpmNode[1 << bits];
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
    /**
     * Per slot of {@link #table}, the prefixes of its stride or longer that start with the slot's
     * bits (they decide its sub-table); null where no sub-table fits (see {@link #subBitsMax}).
     */
    private int[] counts;
    /** What {@link #start} loaded early (kept, so that the loads are made); no meaning. */
    private long touched;
    /** Odd while a writer changes entries (a seqlock's count). */
    private volatile long version;
    /** Whether the change being linked has opened the window (made {@link #version} odd). */
    private boolean open;
    /**
     * A subtree whose entries the change being linked leaves as they are (see {@link #relink}):
     * its data and the bits they share; keptBits -1 when there is none.
     */
    private long keptW0;
    private int keptBits = -1;
    /**
     * The node being linked when every other node under it was already there with the same
     * subtree beneath it (a value replaced or taken, a node put above an old subtree or taken from
     * above its one child), else null. Then the entries under an old value node are the same as
     * before (the same walk on, the answer above that node or deeper), so {@link #fill} skips
     * them: a prefix made real or intermediate, put above or taken off a subtree, rewrites only
     * the entries whose answer above it changes, not every slot it covers (see {@link #relink}).
     */
    private LpmNode linked;
    /** {@link #growAt()} for the table in use: the trie's size from which a larger one is built. */
    private long growAt;
    /** {@link #locate}'s answer: where the walk stands at a slot, and the best value node above. */
    private LpmNode locatedNode;
    private LpmNode locatedFound;

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
        this.growAt = growAt();
    }

    /** The most bits a sub-table under a table of {@code stride} bits may add: below SUB_BITS_MIN, none. */
    private static int subBitsMax(int maxPrefixlen, int stride) {
        return Math.min(SUB_BITS_MAX, Math.min(STRIDE_MAX, maxPrefixlen - 1) - stride);
    }

    /**
     * The heap bytes of the jump tables the default strides may build for a trie of at most
     * {@code maxEntries} prefixes of {@code maxPrefixlen} bits (0 when it builds none): every
     * table up to the largest, since a larger one is built while the smaller is still in use, at
     * 16 bytes a slot for 4- and 8-byte values and 8 for others (see above), as arrays the
     * collector may round up ({@link MapFootprint#arrayBytes}: under G1 on a small heap the 512 KiB
     * {@code long[]} of the 16-bit table takes a 1 MiB region), with an {@link LpmJump} of 16
     * bytes for each slot that may hold one (at most one per prefix). Where sub-tables fit, each
     * table adds its counts (an int a slot) and sub-tables of at most 4 entries per prefix (see
     * above), each entry with a possible jump, each sub-table with its three objects, and one
     * sub-table of the largest size more, built while the one it replaces is still live.
     */
    static long heapBytesAtMost(int maxPrefixlen, int valueSize, long maxEntries) {
        long bytes = 0;
        boolean small = valueSize == 4 || valueSize == 8;
        for (int i = 0; i < STRIDES.length; i++) {
            if (maxEntries >= FROM[i] && STRIDES[i] < maxPrefixlen) {
                long slots = 1L << STRIDES[i];
                long beside = small ? MapFootprint.arrayBytes(slots, 8) : MapFootprint.arrayBytes(slots, 4);
                // for 4- and 8-byte values, the writers' nodes above (see Table.founds)
                long writers = small ? MapFootprint.arrayBytes(slots, 4) : 0;
                bytes += 32 + MapFootprint.arrayBytes(slots, 4) + beside + writers + Math.min(slots, maxEntries) * 16;
                int subBits = subBitsMax(maxPrefixlen, STRIDES[i]);
                if (subBits >= SUB_BITS_MIN) {
                    long entries = 4 * maxEntries + (1L << subBits);
                    long subs = maxEntries / (SUB_FROM / 4) + 1;
                    bytes += MapFootprint.arrayBytes(slots, 4) + entries * ((small ? 12 : 8) + 16) + subs * (40 + 2 * 16);
                }
            }
        }
        return bytes;
    }

    /** The stride in use, 0 before the table exists. */
    int stride() {
        Table t = table;
        return t == null ? 0 : t.stride;
    }

    /** The stride of the sub-table of the key's slot (its first data word), 0 where there is none (for tests). */
    int subStride(long w0) {
        Table t = table;
        return t != null && t.refs[(int) (w0 >>> t.shift)] instanceof Table s ? s.stride : 0;
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
     * For a writer: the node where the walk of a key starting with {@code w0}, of query prefixlen
     * {@code kpl}, goes on below the tables (its slot's entry, in the sub-table if there is one),
     * or null when there is none or the query is shorter than the stride. A change linked under
     * that node or deeper changes no entry (every table's slots end above it), so a writer may
     * start its walk there, with no node above it known, and skip the top of the trie: in a large
     * trie the nodes a walk misses the cache on.
     */
    LpmNode below(long w0, int kpl) {
        Table t = table;
        if (t == null || kpl < t.stride) {
            return null;
        }
        Object e = t.refs[(int) (w0 >>> t.shift)];
        if (e instanceof Table s) {
            if (kpl < s.stride) {
                return null;
            }
            e = s.refs[(int) (w0 >>> s.shift) - s.base];
        }
        return e instanceof LpmNode n ? n : e instanceof LpmJump j ? j.next : null;
    }

    /**
     * For a writer: where the walk of a key starting with {@code w0}, of query prefixlen
     * {@code kpl}, may start in place of the root: the best value node above the stride on its
     * walk (which the walk passes, and which is the best above itself, as {@link #relink} wants
     * to know), or null when there is none or the query is shorter than the stride. In a trie of
     * 10k prefixes most slots' walks end above the stride ({@link #END}), and in 1M about half;
     * this saves those writers the top of the trie, as {@link #below} saves the others. The
     * node is the one the slot's answer above names, so it is exact as the entries are: for
     * 4- and 8-byte values, whose entries hold its number, the table keeps it beside for writers.
     */
    LpmNode start(long w0, int kpl) {
        Table t = table;
        if (t == null || kpl < t.stride) {
            return null;
        }
        int v = (int) (w0 >>> t.shift);
        // the slot's count and number, which the change will likely read (counted, put), loaded
        // now so that in a large table their cache misses overlap this one's, not follow it
        int[] c = counts;
        long[] smalls = t.smalls;
        touched = (c != null ? c[v] : 0) + (smalls != null ? smalls[v] : 0);
        return t.founds[v];
    }

    /**
     * For tests: the first slot of the top table whose {@link #start} node is not the best value
     * node above the stride on its keys' walk from {@code root}, as a message; null when every
     * slot's is.
     */
    String checkStarts(LpmNode root) {
        Table t = table;
        if (t == null) {
            return null;
        }
        for (int v = 0; v < t.founds.length; v++) {
            long key = (long) v << t.shift;
            LpmNode found = null;
            LpmNode n = root;
            while (n != null && n.prefixlen < t.stride
                    && (n.prefixlen == 0 || (n.w0 ^ key) >>> (64 - n.prefixlen) == 0)) {
                if (!n.intermediate()) {
                    found = n;
                }
                n = key << n.prefixlen < 0 ? n.child1 : n.child0;
            }
            if (t.founds[v] != found) {
                return "slot " + Integer.toHexString(v) + ": start " + desc(t.founds[v]) + ", not " + desc(found);
            }
        }
        return null;
    }

    private static String desc(LpmNode n) {
        return n == null ? "none" : "/" + n.prefixlen + " " + Long.toHexString(n.w0);
    }

    /** Whether {@link #grow} builds a table for a trie of {@code entries} prefixes. */
    boolean wouldGrow(long entries) {
        return entries >= growAt;
    }

    /** The fewest prefixes for which {@link #grow} builds a larger table than the one in use. */
    private long growAt() {
        int have = stride();
        long at = Long.MAX_VALUE;
        for (int i = 0; i < strides.length; i++) {
            if (strides[i] > have && strides[i] < maxPrefixlen) {
                at = Math.min(at, from[i]);
            }
        }
        return at;
    }

    /**
     * Builds the table, or a larger one, when the trie holds enough prefixes; before the change
     * that counted the last one is linked (which then keeps the new table exact). No window: the
     * old table stays exact until the next change, which opens one. The new table gets its counts
     * and the sub-tables they call for before it is published.
     */
    void grow(LpmNode root, long entries) {
        if (entries < growAt) {
            return;
        }
        Table old = table;
        int have = old == null ? 0 : old.stride;
        int want = have;
        for (int i = 0; i < strides.length; i++) {
            if (entries >= from[i] && strides[i] > want && strides[i] < maxPrefixlen) {
                want = strides[i];
            }
        }
        if (want == have) {
            return;
        }
        Table fresh = new Table(want, 0, want, small, true);
        fill(fresh, 0, 0, root, null);
        int[] c = null;
        if (subBitsMax(maxPrefixlen, want) >= SUB_BITS_MIN) {
            c = new int[1 << want];
            count(root, c, want);
            for (int v = 0; v < c.length; v++) {
                if (c[v] >= SUB_FROM) {
                    resub(root, fresh, v, subBits(c[v], want));
                }
            }
        }
        fresh.live = true;
        counts = c;
        table = fresh;
        growAt = growAt();
    }

    /** Counts the value nodes of {@code stride} bits or more under each slot, without recursion. */
    private static void count(LpmNode root, int[] counts, int stride) {
        java.util.ArrayDeque<LpmNode> todo = new java.util.ArrayDeque<>();
        if (root != null) {
            todo.push(root);
        }
        while (!todo.isEmpty()) {
            LpmNode n = todo.pop();
            if (n.prefixlen >= stride && !n.intermediate()) {
                counts[(int) (n.w0 >>> (64 - stride))]++;
            }
            LpmNode c0 = n.child0;
            LpmNode c1 = n.child1;
            if (c0 != null) {
                todo.push(c0);
            }
            if (c1 != null) {
                todo.push(c1);
            }
        }
    }

    /** The sub-table bits for {@code c} prefixes: about one entry each, within the limits. */
    private int subBits(int c, int stride) {
        int bits = 32 - Integer.numberOfLeadingZeros(c - 1);
        return Math.max(SUB_BITS_MIN, Math.min(bits, subBitsMax(maxPrefixlen, stride)));
    }

    /**
     * After a change linked and closed: a prefix of {@code prefixlen} bits starting with
     * {@code w0} was added ({@code delta} 1) or removed (-1). Counts it for its slot, and builds,
     * resizes or drops the slot's sub-table when the count says so (see the class comment).
     */
    void counted(LpmNode root, long w0, int prefixlen, int delta) {
        Table t = table;
        int[] c = counts;
        if (t == null || c == null || prefixlen < t.stride) {
            return;
        }
        int v = (int) (w0 >>> t.shift);
        int n = c[v] += delta;
        int have = t.refs[v] instanceof Table s ? s.stride - t.stride : 0;
        int want = have;
        if (have == 0) {
            want = n >= SUB_FROM ? subBits(n, t.stride) : 0;
        } else if (n < SUB_FROM / 4) {
            want = 0;
        } else if (n > 2 << have || n < 1 << (have - 2)) {
            want = subBits(n, t.stride);
        }
        if (want != have) {
            resub(root, t, v, want);
            close();
        }
    }

    /**
     * Gives slot {@code v} of {@code t} a new sub-table of {@code bits} more bits, built whole
     * from the trie before it is published, or a plain entry again (bits 0). Opens the window
     * where {@code t} is live; the caller closes it.
     */
    private void resub(LpmNode root, Table t, int v, int bits) {
        locate(root, v, t.stride);
        LpmNode n = locatedNode;
        LpmNode found = locatedFound;
        locatedNode = locatedFound = null;
        if (bits == 0) {
            if (t.live) {
                openWindow();
            }
            t.refs[v] = null; // not an entry, so that put writes the slot
            put(t, v, v + 1, n, found);
            return;
        }
        Table s = new Table(t.stride + bits, v << bits, bits, small, false);
        fill(s, s.base, t.stride, n, found);
        s.live = true;
        if (t.live) {
            openWindow();
        }
        t.refs[v] = s;
    }

    /**
     * Where the walk from the root stands for the keys of slot {@code v} of a table of
     * {@code stride} bits once it has passed every node shorter than the stride (null: it is
     * over), and the best value node on the way: into {@link #locatedNode} and {@link #locatedFound}.
     */
    private void locate(LpmNode root, int v, int stride) {
        long key = (long) v << (64 - stride);
        LpmNode found = null;
        LpmNode n = root;
        while (n != null && n.prefixlen < stride) {
            int p = n.prefixlen;
            if (p > 0 && (n.w0 ^ key) >>> (64 - p) != 0) {
                n = null; // the slot's keys leave the trie at n
                break;
            }
            if (!n.intermediate()) {
                found = n;
            }
            n = key << p < 0 ? n.child1 : n.child0;
        }
        if (n != null && (int) (n.w0 >>> (64 - stride)) != v) {
            n = null;
        }
        locatedNode = n;
        locatedFound = found;
    }

    /**
     * Before the store of {@code node} into {@code parent}'s child {@code dir} (parent null: the
     * root) in place of {@code old}, {@code above} the best value node from the root to the
     * parent, both included: sets the entries the change changes, those under the shorter of
     * {@code old} and {@code node} (see the class comment), opening the window first;
     * {@link #close} after the store.
     *
     * <p>{@code kept}, if not null, is an old subtree that an intermediate node is put above or
     * taken from, the keys sharing its first {@code keptBits} bits reaching it before and after
     * the change with the same value node above (an intermediate node is none): their entries
     * are left as they are, unread. This keeps the insert and delete of a leaf beside a subtree
     * from reading the subtree's entries.
     *
     * <p>{@code leaf}, if not null, is the leaf put beside {@code kept} under the new intermediate
     * node (then {@code kept} is {@code old}) or taken from beside it with its intermediate
     * parent ({@code old}). Where the leaf is of the stride or longer and the intermediate node
     * shorter, only the leaf's own slot changes: the other keys of its half left the trie at the
     * old subtree's root before and leave at the leaf after (or the other way round), with the
     * same answer above, an intermediate node being none. So only that slot is set, not the half
     * (in 10k random IPv4 prefixes, 1 slot where it was about 8, for most inserts and deletes).
     */
    void relink(LpmNode parent, LpmNode above, int dir, LpmNode old, LpmNode node, LpmNode kept, int keptBits,
            LpmNode leaf) {
        Table t = table;
        LpmNode shorter = old == null || node != null && node.prefixlen < old.prefixlen ? node : old;
        if (t == null || shorter == null) {
            return;
        }
        LpmNode linking = node;
        if (leaf != null && shorter.prefixlen < t.stride && leaf.prefixlen >= t.stride) {
            shorter = leaf;
            linking = kept == old ? leaf : null;
        }
        int q = parent == null ? -1 : parent.prefixlen;
        int r = shorter.prefixlen;
        long w = shorter.w0;
        if (kept != null) {
            keptW0 = kept.w0;
            this.keptBits = keptBits;
        }
        // not where a new intermediate node holds the old subtree beside a new leaf (kept does that)
        if (old != null && node != null && (old.prefixlen == node.prefixlen && old.child0 == node.child0
                && old.child1 == node.child1 || node.child0 == old && node.child1 == null
                || node.child1 == old && node.child0 == null || old.child0 == node || old.child1 == node)) {
            linked = node;
        }
        if (r < t.stride) {
            fill(t, slots(w, r, t.stride), r, node, above); // q < r
        } else {
            int v = (int) (w >>> t.shift);
            if (t.refs[v] instanceof Table s) {
                if (q < s.stride) {
                    int rs = Math.min(r, s.stride);
                    fill(s, slots(w, rs, s.stride), rs, linking, above);
                }
            } else if (q < t.stride) {
                fill(t, v, t.stride, linking, above);
            }
        }
        this.keptBits = -1;
        linked = null;
    }

    /** The first slot, in a table of {@code stride} bits, of the keys that start with the first {@code bits} bits of {@code w0}. */
    private static int slots(long w0, int bits, int stride) {
        return bits == 0 ? 0 : (int) (w0 >>> (64 - bits)) << (stride - bits);
    }

    /** Ends the window {@link #relink} or {@link #counted} opened, if it did: after the change's store. */
    void close() {
        if (open) {
            open = false;
            VERSION.setRelease(this, version + 1);
        }
    }

    private void openWindow() {
        if (!open) {
            open = true;
            VERSION.setOpaque(this, version + 1);
            VarHandle.storeStoreFence();
        }
    }

    /** The first slot of table {@code t} that the change being linked leaves as it is. */
    private int skipFrom(Table t) {
        return keptBits < 0 || keptBits > t.stride ? 0 : slots(keptW0, keptBits, t.stride);
    }

    /** The slot after the last that it leaves as it is. */
    private int skipTo(Table t) {
        return keptBits < 0 || keptBits > t.stride ? 0 : skipFrom(t) + (1 << (t.stride - keptBits));
    }

    /**
     * Sets the entries of the keys whose first {@code r} bits are {@code lo}'s (2^(stride - r)
     * slots from slot {@code lo}), whose walk has reached the subtree {@code n} with {@code found}
     * the best value node above it. Nodes of a subtree share the first bits that lead to it, so
     * each node shorter than the stride splits its range into the keys that leave the trie there
     * and its two children's halves: O(entries + nodes shorter than the stride).
     */
    private void fill(Table t, int lo, int r, LpmNode n, LpmNode found) {
        int stride = t.stride;
        int end = lo + (1 << (stride - r));
        if (keptBits >= 0 && lo >= skipFrom(t) && end <= skipTo(t)) {
            return;
        }
        while (n != null && n.prefixlen < stride) {
            int p = n.prefixlen;
            int size = 1 << (stride - p);
            int at = slots(n.w0, p, stride);
            put(t, lo, at, null, found);
            put(t, at + size, end, null, found);
            if (!n.intermediate()) {
                if (linked != null && n != linked) {
                    // an old value node with its old subtree: every entry under it is as before
                    return;
                }
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
     * Slots {@code a..b-1} become: go on at {@code next} (null: the walk is over) with the
     * answer {@code found} above it; only those that differ are written, in the window if the
     * table is live. A slot with a sub-table passes the same on to all of the sub-table's slots.
     */
    private void put(Table t, int a, int b, LpmNode next, LpmNode found) {
        if (a >= b) {
            return;
        }
        if (keptBits >= 0) {
            int skipFrom = skipFrom(t);
            int skipTo = skipTo(t);
            if (a < skipTo && b > skipFrom) {
                put(t, a, skipFrom, next, found);
                put(t, skipTo, b, next, found);
                return;
            }
        }
        Object[] refs = t.refs;
        long[] smalls = t.smalls;
        LpmNode[] founds = t.founds;
        // the writers' nodes above, where readers do not take them: beside numbers, or a sub-table
        boolean writers = founds != null;
        boolean none = next == null && found == null;
        // a node with nothing above it, where a node means "and the number above"
        boolean asJump = next != null && found == null && smalls != null;
        Object ref = none ? NONE : next == null ? END : next;
        long small = found == null ? 0 : found.small;
        LpmJump jump = null;
        for (int i = a - t.base, j = b - t.base; i < j; i++) {
            Object e = refs[i];
            if (writers && founds[i] != found && (smalls != null || e instanceof Table)) {
                founds[i] = found;
            }
            if (e instanceof Table s) {
                fill(s, s.base, t.stride, next, found);
                continue;
            }
            boolean same = asJump ? e instanceof LpmJump jp && jp.next == next
                    : e == ref && (none || (smalls != null ? smalls[i] == small : founds[i] == found));
            if (same) {
                continue;
            }
            if (t.live) {
                openWindow();
            }
            if (asJump) {
                if (jump == null) {
                    jump = new LpmJump(next);
                }
                refs[i] = jump;
                continue;
            }
            if (smalls != null) {
                smalls[i] = small;
            } else {
                founds[i] = found;
            }
            refs[i] = ref;
        }
    }
}
