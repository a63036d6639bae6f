package org.bpfmaps.map.lpm;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.spi.Bytes;

/**
 * The longest-prefix-match trie of kernel/bpf/lpm_trie.c: an unbalanced binary (Patricia) trie
 * where a node's child is chosen by the first bit after its prefix, and intermediate nodes, which
 * carry no value and never count toward max_entries, exist only where two prefixes branch.
 * Updates and deletes change the same nodes the kernel's do, in the same cases, so that
 * get_next_key's postorder walk returns keys in the kernel's order.
 *
 * <p>Concurrency as the kernel's RCU: lookups and get_next_key take no lock and never block; they
 * follow volatile links between nodes that are complete before they are linked (see
 * {@link LpmNode}). Every change is published by one store into one link, so a reader sees the
 * trie before or after it, never between. Writers serialise on one lock, as on the kernel's
 * {@code trie->lock}. Nodes that a writer unlinks are left to the garbage collector, which frees
 * them only once no reader holds them: the grace period comes for free. Once the trie is large,
 * a lookup starts below its top, where a jump table ({@link LpmJumps}) says the walk stands, and
 * so does an update or delete whose change lies below the node the table names, or else at the
 * best value node above the table's stride on the key's walk ({@link LpmJumps#start}).
 *
 * <p>Keys are read where they lie in the caller's buffer: {@code at} is the absolute index of the
 * prefixlen (host order), the data follow. The first two data words are loaded once per call;
 * words beyond them (keys over 16 data bytes) are read from the buffer when compared. Every call
 * here expects a prefixlen already checked against {@link #maxPrefixlen}.
 */
final class LpmTrie {
    final int dataSize;
    final int maxPrefixlen;
    private final int valueSize;
    private final long maxEntries;
    private final Object lock = new Object();
    private volatile LpmNode root;
    /** Nodes with a value; written under {@link #lock}. */
    private long entries;
    /** Set by {@link #retire}, under {@link #lock}: the trie's contents have gone to the next provider. */
    private boolean retired;
    /** A lookup's first bits in one step, once the trie is large; kept exact by {@link #link}. */
    private final LpmJumps jumps;

    LpmTrie(int dataSize, int valueSize, long maxEntries) {
        this(dataSize, valueSize, maxEntries, LpmJumps.STRIDES, LpmJumps.FROM);
    }

    /** With the jump table's strides and thresholds given (tests make them small). */
    LpmTrie(int dataSize, int valueSize, long maxEntries, int[] strides, long[] from) {
        this.dataSize = dataSize;
        this.maxPrefixlen = 8 * dataSize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
        this.jumps = new LpmJumps(maxPrefixlen, valueSize == 4 || valueSize == 8, strides, from);
    }

    /** The jump table's stride, 0 while there is none (for tests). */
    int stride() {
        return jumps.stride();
    }

    /** The stride of the sub-table of the slot of data starting with {@code w0}, 0 if none (for tests). */
    int subStride(long w0) {
        return jumps.subStride(w0);
    }

    /** For tests: null when every writers' start of the jump table is right (see LpmJumps#checkStarts). */
    String checkStarts() {
        synchronized (lock) {
            return jumps.checkStarts(root);
        }
    }

    /** Whether a prefixlen (a u32) is above max_prefixlen. */
    boolean tooLong(int prefixlen) {
        return Integer.compareUnsigned(prefixlen, maxPrefixlen) > 0;
    }

    long entries() {
        synchronized (lock) {
            return entries;
        }
    }

    // ---- reads: no lock ----

    /**
     * Longest-prefix match ({@code trie_lookup_elem}): the value of the most specific stored
     * prefix, no longer than the key's prefixlen, that covers the key's data; copied to
     * {@code value} at absolute index {@code valueAt}. 0, or -ENOENT when none covers it.
     */
    int lookup(ByteBuffer key, int at, ByteBuffer value, int valueAt) {
        int kpl = Bytes.getInt(key, at);
        if (tooLong(kpl)) {
            return Errno.ENOENT.ret();
        }
        int dataAt = at + LpmProvider.PREFIXLEN_BYTES;
        long k0 = LpmKey.word(key, dataAt, 0, dataSize);
        // the jump table's entry for the key, if it has one (see LpmJumps), and the answer above it
        LpmJumps js = jumps;
        long stamp = js.stamp();
        LpmJumps.Table t = js.table;
        Object e = null;
        long aboveSmall = 0;
        LpmNode aboveNode = null;
        if (t != null && kpl >= t.stride) {
            int slot = (int) (k0 >>> t.shift);
            e = t.refs[slot];
            // loaded beside the entry, not after it: the two cache misses overlap
            if (t.smalls != null) {
                aboveSmall = t.smalls[slot];
            } else {
                aboveNode = t.founds[slot];
            }
            if (e instanceof LpmJumps.Table s) {
                // a sub-table: the same, further into the key (a shorter query walks from the root)
                e = null;
                if (kpl >= s.stride) {
                    t = s;
                    slot = (int) (k0 >>> s.shift) - s.base;
                    e = s.refs[slot];
                    if (s.smalls != null) {
                        aboveSmall = s.smalls[slot];
                    } else {
                        aboveNode = s.founds[slot];
                    }
                }
            }
            if (!js.validate(stamp)) {
                e = null; // a writer changed entries meanwhile: walk from the root
            }
        }
        LpmNode from;
        boolean above = false;
        if (e == LpmJumps.END) {
            from = null;
            above = true;
        } else if (e instanceof LpmNode n) {
            from = n;
            above = t.smalls != null || aboveNode != null;
        } else if (e instanceof LpmJump j) {
            from = j.next;
        } else if (e == LpmJumps.NONE) {
            return Errno.ENOENT.ret();
        } else {
            from = root;
        }
        LpmNode found = from == null ? null : dataSize <= 8 ? find64(from, k0, kpl)
                : find(from, key, dataAt, kpl, k0, LpmKey.word(key, dataAt, 1, dataSize));
        if (found == null && above) {
            if (aboveNode == null) {
                putSmall(value, valueAt, aboveSmall);
                return 0;
            }
            found = aboveNode;
        }
        if (found == null) {
            return Errno.ENOENT.ret();
        }
        if (valueSize == 8 || valueSize == 4) {
            putSmall(value, valueAt, found.small);
        } else {
            value.put(valueAt, found.value, 0, valueSize);
        }
        return 0;
    }

    /** A value of 4 or 8 bytes, kept as one host-order number. */
    private void putSmall(ByteBuffer value, int valueAt, long small) {
        if (valueSize == 8) {
            Bytes.putLong(value, valueAt, small);
        } else {
            Bytes.putInt(value, valueAt, (int) small);
        }
    }

    /**
     * The lookup walk for data of at most 8 bytes, the whole key in one register, from the root or
     * from where the jump table stood: the most specific value node on the way, or null.
     */
    private LpmNode find64(LpmNode from, long k0, int kpl) {
        LpmNode found = null;
        for (LpmNode node = from; node != null;) {
            int npl = node.prefixlen;
            int m = Long.numberOfLeadingZeros(node.w0 ^ k0);
            int limit = Math.min(npl, kpl);
            if (m > limit) {
                m = limit;
            }
            if (m == maxPrefixlen) {
                return node;
            }
            if (m < npl) {
                break;
            }
            if (node.value != null) {
                found = node;
            }
            // npl < maxPrefixlen <= 64 here: the bit after the node's prefix
            node = (k0 << npl) < 0 ? node.child1 : node.child0;
        }
        return found;
    }

    /** The lookup walk for any data size. */
    private LpmNode find(LpmNode from, ByteBuffer key, int dataAt, int kpl, long k0, long k1) {
        LpmNode found = null;
        for (LpmNode node = from; node != null;) {
            int m = match(node, key, dataAt, kpl, k0, k1);
            if (m == maxPrefixlen) {
                return node;
            }
            if (m < node.prefixlen) {
                break;
            }
            if (node.value != null) {
                found = node;
            }
            node = node.child(keyBit(key, dataAt, k0, k1, node.prefixlen));
        }
        return found;
    }

    /**
     * get_next_key ({@code trie_get_next_key}): the node after the key's exact node in postorder
     * (children before their parent, child 0 before child 1, intermediate nodes skipped), so more
     * specific prefixes come first and /0 last. No key, a prefixlen above the maximum, or a key
     * whose exact prefix is not stored: the first node in postorder. -ENOENT when the trie is
     * empty or the key's node is the last.
     */
    int nextKey(ByteBuffer key, int at, ByteBuffer next, int nextAt) {
        LpmNode top = root;
        if (top == null) {
            return Errno.ENOENT.ret();
        }
        LpmNode out;
        if (key == null || tooLong(Bytes.getInt(key, at))) {
            out = leftmost(top);
        } else {
            out = successor(top, key, at);
        }
        if (out == null) {
            return Errno.ENOENT.ret();
        }
        Bytes.putInt(next, nextAt, out.prefixlen);
        LpmKey.put(next, nextAt + LpmProvider.PREFIXLEN_BYTES, out, dataSize);
        return 0;
    }

    /**
     * The postorder successor of the key's exact node, found in one walk down from the root: the
     * kernel walks back up a stack of the path; the successor is decided by the deepest ancestor
     * that either has a right subtree the path did not enter (its leftmost node is next) or holds
     * a value (it is next), so remembering the deepest such ancestor on the way down gives the
     * same answer with no stack. Null at the end of the walk.
     */
    private LpmNode successor(LpmNode top, ByteBuffer key, int at) {
        int kpl = Bytes.getInt(key, at);
        int dataAt = at + LpmProvider.PREFIXLEN_BYTES;
        long k0 = LpmKey.word(key, dataAt, 0, dataSize);
        long k1 = dataSize > 8 ? LpmKey.word(key, dataAt, 1, dataSize) : 0;
        LpmNode after = null;
        boolean afterIsSubtree = false;
        LpmNode node = top;
        int m = 0;
        while (node != null) {
            m = match(node, key, dataAt, kpl, k0, k1);
            if (node.prefixlen != m || node.prefixlen == kpl) {
                break;
            }
            int bit = keyBit(key, dataAt, k0, k1, node.prefixlen);
            LpmNode right = node.child1;
            LpmNode down = bit == 0 ? node.child0 : right;
            if (bit == 0 && right != null) {
                after = right;
                afterIsSubtree = true;
            } else if (!node.intermediate()) {
                after = node;
                afterIsSubtree = false;
            }
            node = down;
        }
        if (node == null || node.prefixlen != m || node.intermediate()) {
            return leftmost(top);
        }
        if (after == null) {
            return null;
        }
        return afterIsSubtree ? leftmost(after) : after;
    }

    /** The first node with a value in postorder under {@code node}: down child 0 where there is one. */
    private static LpmNode leftmost(LpmNode node) {
        LpmNode last = null;
        while (node != null) {
            LpmNode c0 = node.child0;
            if (!node.intermediate()) {
                last = node;
                node = c0 != null ? c0 : node.child1;
            } else {
                // an intermediate node always has both children; child 1 only guards the invariant
                node = c0 != null ? c0 : node.child1;
            }
        }
        return last;
    }

    // ---- writes: under the lock ----

    /**
     * Retires the trie: no change starts any more (update and delete answer -ENODEV), and the
     * change in progress, if any, has ended when this returns, since it holds the writers' lock
     * that retiring takes. Reads go on unlocked and see the trie as it stays from then on.
     */
    void retire() {
        synchronized (lock) {
            retired = true;
        }
    }

    /**
     * {@code trie_update_elem}: the exact prefix gets the value (a new node, keeping the old one's
     * children); else a new node is linked where the walk ends, above the node it covers, or beside
     * it under a new intermediate node. BPF_NOEXIST on a stored prefix: -EEXIST; BPF_EXIST on a
     * missing one: -ENOENT; a new prefix in a full trie: -ENOSPC; a retired trie: -ENODEV. Flags
     * are already at most BPF_EXIST and the prefixlen at most the maximum.
     */
    int update(ByteBuffer key, int at, ByteBuffer value, int valueAt, long flags) {
        int kpl = Bytes.getInt(key, at);
        int dataAt = at + LpmProvider.PREFIXLEN_BYTES;
        long k0 = LpmKey.word(key, dataAt, 0, dataSize);
        long[] more = LpmKey.moreWords(key, dataAt, dataSize);
        long k1 = more != null ? more[0] : 0;
        // a value of 4 or 8 bytes is kept as a number alone (see LpmNode.SMALL)
        byte[] v;
        long sv;
        if (valueSize == 8) {
            v = LpmNode.SMALL;
            sv = Bytes.getLong(value, valueAt);
        } else if (valueSize == 4) {
            v = LpmNode.SMALL;
            sv = Bytes.getInt(value, valueAt);
        } else {
            v = new byte[valueSize];
            value.get(valueAt, v, 0, valueSize);
            sv = 0;
        }
        synchronized (lock) {
            if (retired) {
                return Errno.ENODEV.ret(); // the contents have gone to the next provider
            }
            // from below the jump table where it says the change is (see LpmJumps.below), else
            // from the slot's writers' start (LpmJumps.start), unless this update would build a
            // larger table, whose entries may need the nodes above
            boolean grows = jumps.wouldGrow(entries + 1);
            // (the slot's start read first, so that its cache miss overlaps below's)
            LpmNode upper = grows ? null : jumps.start(k0, kpl);
            LpmNode start = grows ? null : jumps.below(k0, kpl);
            int tries = start != null ? 0 : 1;
            LpmNode parent;
            LpmNode above; // the best value node from the root to the parent (null from below, not needed there)
            int dir;
            LpmNode node;
            int m;
            for (;;) {
                parent = null;
                above = null;
                dir = 0;
                m = 0;
                if (tries == 1) {
                    start = upper;
                    above = start; // the best value node above its place, itself
                } else if (tries > 1) {
                    start = null;
                }
                node = start != null ? start : root;
                while (node != null) {
                    m = match(node, key, dataAt, kpl, k0, k1);
                    if (node.prefixlen != m || node.prefixlen == kpl) {
                        break;
                    }
                    parent = node;
                    if (!node.intermediate()) {
                        above = node;
                    }
                    dir = keyBit(key, dataAt, k0, k1, node.prefixlen);
                    node = node.child(dir);
                }
                if (start == null || parent != null) {
                    break;
                }
                tries++; // the change is at start itself: from the slot's start (above it), or the root
            }
            if (node == null) {
                int err = addEntry(flags);
                if (err == 0) {
                    link(parent, above, dir, new LpmNode(kpl, k0, more, v, sv, null, null));
                    jumps.counted(root, k0, kpl, 1);
                }
                return err;
            }
            if (node.prefixlen == m) {
                // the exact prefix: a stored value is replaced, an intermediate node becomes real
                boolean added = node.intermediate();
                if (!added) {
                    if (flags == BpfFlags.NOEXIST) {
                        return Errno.EEXIST.ret();
                    }
                } else {
                    int err = addEntry(flags);
                    if (err != 0) {
                        return err;
                    }
                }
                link(parent, above, dir, new LpmNode(kpl, k0, more, v, sv, node.child0, node.child1));
                if (added) {
                    jumps.counted(root, k0, kpl, 1);
                }
                return 0;
            }
            int err = addEntry(flags);
            if (err != 0) {
                return err;
            }
            if (m == kpl) {
                // the new prefix covers the node: it goes above it
                LpmNode fresh = node.bit(m) == 0 ? new LpmNode(kpl, k0, more, v, sv, node, null)
                        : new LpmNode(kpl, k0, more, v, sv, null, node);
                link(parent, above, dir, fresh);
                jumps.counted(root, k0, kpl, 1);
                return 0;
            }
            // they branch after m bits: an intermediate node with the old node's data holds both
            LpmNode fresh = new LpmNode(kpl, k0, more, v, sv, null, null);
            LpmNode im = keyBit(key, dataAt, k0, k1, m) == 1
                    ? new LpmNode(m, node.w0, node.more, null, node, fresh)
                    : new LpmNode(m, node.w0, node.more, null, fresh, node);
            // the old node keeps its entries: the same subtree under the same prefixes (im has none)
            link(parent, above, dir, im, node, m + 1, fresh);
            jumps.counted(root, k0, kpl, 1);
            return 0;
        }
    }

    /** {@code trie_check_add_elem}: room for one more prefix, counted; EXIST first, then ENOSPC. */
    private int addEntry(long flags) {
        if (flags == BpfFlags.EXIST) {
            return Errno.ENOENT.ret();
        }
        if (entries == maxEntries) {
            return Errno.ENOSPC.ret();
        }
        entries++;
        // the table is built from the trie as it is; the link that follows keeps it exact
        jumps.grow(root, entries);
        return 0;
    }

    /**
     * {@code trie_delete_elem}: the node of exactly this prefix (bits beyond it do not matter)
     * loses its value. With two children it stays as an intermediate node; a leaf under an
     * intermediate parent takes the parent with it, its sibling moving up; otherwise its one child
     * (or nothing) takes its place. -ENOENT when no node holds this exact prefix; -ENODEV once
     * retired.
     */
    int delete(ByteBuffer key, int at) {
        int kpl = Bytes.getInt(key, at);
        int dataAt = at + LpmProvider.PREFIXLEN_BYTES;
        long k0 = LpmKey.word(key, dataAt, 0, dataSize);
        long k1 = dataSize > 8 ? LpmKey.word(key, dataAt, 1, dataSize) : 0;
        synchronized (lock) {
            if (retired) {
                return Errno.ENODEV.ret();
            }
            // from below the jump table where it says the change is (see LpmJumps.below), else
            // from the slot's writers' start (LpmJumps.start)
            LpmNode upper = jumps.start(k0, kpl);
            LpmNode start = jumps.below(k0, kpl);
            int tries = start != null ? 0 : 1;
            LpmNode grand;
            LpmNode grandAbove; // the best value nodes from the root (or start) to grand and parent
            LpmNode above;
            int grandDir;
            LpmNode parent;
            int dir;
            LpmNode node;
            int m;
            for (;;) {
                grand = grandAbove = above = parent = null;
                grandDir = dir = m = 0;
                if (tries == 1) {
                    start = upper;
                    above = start; // the best value node above its place, itself
                } else if (tries > 1) {
                    start = null;
                }
                node = start != null ? start : root;
                while (node != null) {
                    m = match(node, key, dataAt, kpl, k0, k1);
                    if (node.prefixlen != m || node.prefixlen == kpl) {
                        break;
                    }
                    grand = parent;
                    grandAbove = above;
                    grandDir = dir;
                    parent = node;
                    if (!node.intermediate()) {
                        above = node;
                    }
                    dir = keyBit(key, dataAt, k0, k1, node.prefixlen);
                    node = node.child(dir);
                }
                if (start == null || grand != null) {
                    break;
                }
                tries++; // the change may reach start or the link above it: from higher up
            }
            if (node == null || node.prefixlen != kpl || node.prefixlen != m || node.intermediate()) {
                return Errno.ENOENT.ret();
            }
            entries--;
            LpmNode c0 = node.child0;
            LpmNode c1 = node.child1;
            if (c0 != null && c1 != null) {
                link(parent, above, dir, new LpmNode(node.prefixlen, node.w0, node.more, null, c0, c1));
            } else if (parent != null && parent.intermediate() && c0 == null && c1 == null) {
                // the sibling moves up past an intermediate node and keeps its entries
                LpmNode sibling = dir == 0 ? parent.child1 : parent.child0;
                link(grand, grandAbove, grandDir, sibling, sibling, parent.prefixlen + 1, node);
            } else {
                link(parent, above, dir, c0 != null ? c0 : c1);
            }
            jumps.counted(root, node.w0, kpl, -1);
            return 0;
        }
    }

    /**
     * Publishes {@code node} in the parent's child {@code dir}, or as the root, keeping the jump
     * table exact: the entries the change changes are set, and the store made, in one writer's
     * window, which lookups that read the table meanwhile detect (they walk from the root).
     */
    private void link(LpmNode parent, LpmNode above, int dir, LpmNode node) {
        link(parent, above, dir, node, null, 0, null);
    }

    /**
     * The same, where the old subtree {@code kept}'s entries are known to be unchanged: those of
     * the keys that share its first {@code keptBits} bits, and {@code leaf} the leaf put or taken
     * beside it (see {@link LpmJumps#relink}).
     */
    private void link(LpmNode parent, LpmNode above, int dir, LpmNode node, LpmNode kept, int keptBits,
            LpmNode leaf) {
        jumps.relink(parent, above, dir, parent == null ? root : parent.child(dir), node, kept, keptBits, leaf);
        if (parent == null) {
            root = node;
        } else {
            parent.setChild(dir, node);
        }
        jumps.close();
    }

    // ---- bits ----

    /**
     * {@code longest_prefix_match}: how many leading bits of the node's data the key's data
     * share, at most the shorter of the two prefix lengths; a word at a time.
     */
    private int match(LpmNode node, ByteBuffer key, int dataAt, int kpl, long k0, long k1) {
        int limit = Math.min(node.prefixlen, kpl);
        long d = node.w0 ^ k0;
        if (d != 0 || limit <= 64) {
            return Math.min(Long.numberOfLeadingZeros(d), limit);
        }
        // limit > 64: both have more than 8 data bytes
        long[] more = node.more;
        for (int i = 1;; i++) {
            long kw = i == 1 ? k1 : LpmKey.word(key, dataAt, i, dataSize);
            d = more[i - 1] ^ kw;
            int base = 64 * i;
            if (d != 0 || limit <= base + 64) {
                return Math.min(base + Long.numberOfLeadingZeros(d), limit);
            }
        }
    }

    /** Bit {@code index} of the key's data (most significant bit of byte 0 first). */
    private int keyBit(ByteBuffer key, int dataAt, long k0, long k1, int index) {
        int w = index >>> 6;
        long word = w == 0 ? k0 : w == 1 ? k1 : LpmKey.word(key, dataAt, w, dataSize);
        return (int) (word >>> (63 - (index & 63))) & 1;
    }
}
