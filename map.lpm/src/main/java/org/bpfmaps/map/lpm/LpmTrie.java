package org.bpfmaps.map.lpm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * them only once no reader holds them: the grace period comes for free.
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

    LpmTrie(int dataSize, int valueSize, long maxEntries) {
        this.dataSize = dataSize;
        this.maxPrefixlen = 8 * dataSize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
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
        LpmNode found = dataSize <= 8 ? find64(k0, kpl) : find(key, dataAt, kpl, k0,
                LpmKey.word(key, dataAt, 1, dataSize));
        if (found == null) {
            return Errno.ENOENT.ret();
        }
        if (valueSize == 8) {
            Bytes.putLong(value, valueAt, found.small);
        } else if (valueSize == 4) {
            Bytes.putInt(value, valueAt, (int) found.small);
        } else {
            value.put(valueAt, found.value, 0, valueSize);
        }
        return 0;
    }

    /** The lookup walk for data of at most 8 bytes: the whole key in one register. */
    private LpmNode find64(long k0, int kpl) {
        Jump j = jump(k0, kpl);
        LpmNode found = j == null ? null : j.found;
        for (LpmNode node = j == null ? root : j.next; node != null;) {
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
    private LpmNode find(ByteBuffer key, int dataAt, int kpl, long k0, long k1) {
        Jump j = jump(k0, kpl);
        LpmNode found = j == null ? null : j.found;
        for (LpmNode node = j == null ? root : j.next; node != null;) {
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

    // ---- the jump table: a lookup's first STRIDE bits in one step ----

    /*
     * Why: with many prefixes the top of the trie is full, and a lookup pays one dependent load per
     * level from the root. The table holds, for each value of a key's first STRIDE bits, where the
     * walk from the root stands once it has passed every node shorter than STRIDE bits: the node
     * it goes on with (the first of STRIDE bits or more, or null when the walk is over) and the
     * best value node passed so far. Those nodes match and branch on the first STRIDE bits alone,
     * so the entry is the same for every key that starts with them (a query prefixlen of at least
     * STRIDE; shorter ones walk from the root). Writers keep it exact: a change linked under a node
     * shorter than STRIDE bits (or at the root) empties the entries below that link before the
     * store, so that lookups of those keys walk from the root meanwhile, and refills them after.
     * It exists once the trie holds INDEX_FROM prefixes (65536 entries, shared where equal, cost
     * about 2 MiB at most) and for data longer than STRIDE bits.
     */
    private static final int STRIDE = 16;
    private static final int INDEX_FROM = 1024;
    private static final VarHandle JUMPS = MethodHandles.arrayElementVarHandle(Jump[].class);

    /** One entry: where the walk goes on, and the best value node it passed. Immutable. */
    private static final class Jump {
        final LpmNode next;
        final LpmNode found;

        Jump(LpmNode next, LpmNode found) {
            this.next = next;
            this.found = found;
        }
    }

    /** The table, null until built; its entries are null while a writer refills them. */
    private volatile Jump[] jumps;

    /** The entry for this key, or null: walk from the root. */
    private Jump jump(long k0, int kpl) {
        Jump[] js = jumps;
        return js == null || kpl < STRIDE ? null : (Jump) JUMPS.getAcquire(js, (int) (k0 >>> (64 - STRIDE)));
    }

    /** The walk from the root for keys starting with the STRIDE bits {@code v}, until STRIDE bits. */
    private Jump walkTo(int v, Jump previous) {
        long k = (long) v << (64 - STRIDE);
        LpmNode found = null;
        LpmNode node = root;
        while (node != null && node.prefixlen < STRIDE) {
            int npl = node.prefixlen;
            if (Long.numberOfLeadingZeros(node.w0 ^ k) < npl) {
                node = null; // the key leaves the trie here: the walk is over
                break;
            }
            if (node.value != null) {
                found = node;
            }
            node = (k << npl) < 0 ? node.child1 : node.child0;
        }
        // neighbouring keys mostly stand at the same place: share the entry
        return previous != null && previous.next == node && previous.found == found ? previous
                : new Jump(node, found);
    }

    /** Builds the table once the trie is large enough; under the lock, before a change is linked. */
    private void buildJumps() {
        if (jumps != null || maxPrefixlen <= STRIDE || entries < INDEX_FROM) {
            return;
        }
        Jump[] js = new Jump[1 << STRIDE];
        Jump previous = null;
        for (int v = 0; v < js.length; v++) {
            js[v] = previous = walkTo(v, previous);
        }
        jumps = js;
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
     * {@code trie_update_elem}: the exact prefix gets the value (a new node, keeping the old one's
     * children); else a new node is linked where the walk ends, above the node it covers, or beside
     * it under a new intermediate node. BPF_NOEXIST on a stored prefix: -EEXIST; BPF_EXIST on a
     * missing one: -ENOENT; a new prefix in a full trie: -ENOSPC. Flags are already at most
     * BPF_EXIST and the prefixlen at most the maximum.
     */
    int update(ByteBuffer key, int at, ByteBuffer value, int valueAt, long flags) {
        int kpl = Bytes.getInt(key, at);
        int dataAt = at + LpmProvider.PREFIXLEN_BYTES;
        long k0 = LpmKey.word(key, dataAt, 0, dataSize);
        long[] more = LpmKey.moreWords(key, dataAt, dataSize);
        long k1 = more != null ? more[0] : 0;
        byte[] v = new byte[valueSize];
        value.get(valueAt, v, 0, valueSize);
        synchronized (lock) {
            LpmNode parent = null;
            int dir = 0;
            LpmNode node = root;
            int m = 0;
            while (node != null) {
                m = match(node, key, dataAt, kpl, k0, k1);
                if (node.prefixlen != m || node.prefixlen == kpl) {
                    break;
                }
                parent = node;
                dir = keyBit(key, dataAt, k0, k1, node.prefixlen);
                node = node.child(dir);
            }
            if (node == null) {
                int err = addEntry(flags);
                if (err == 0) {
                    link(parent, dir, new LpmNode(kpl, k0, more, v, null, null));
                }
                return err;
            }
            if (node.prefixlen == m) {
                // the exact prefix: a stored value is replaced, an intermediate node becomes real
                if (!node.intermediate()) {
                    if (flags == BpfFlags.NOEXIST) {
                        return Errno.EEXIST.ret();
                    }
                } else {
                    int err = addEntry(flags);
                    if (err != 0) {
                        return err;
                    }
                }
                link(parent, dir, new LpmNode(kpl, k0, more, v, node.child0, node.child1));
                return 0;
            }
            int err = addEntry(flags);
            if (err != 0) {
                return err;
            }
            if (m == kpl) {
                // the new prefix covers the node: it goes above it
                LpmNode fresh = node.bit(m) == 0 ? new LpmNode(kpl, k0, more, v, node, null)
                        : new LpmNode(kpl, k0, more, v, null, node);
                link(parent, dir, fresh);
                return 0;
            }
            // they branch after m bits: an intermediate node with the old node's data holds both
            LpmNode fresh = new LpmNode(kpl, k0, more, v, null, null);
            LpmNode im = keyBit(key, dataAt, k0, k1, m) == 1
                    ? new LpmNode(m, node.w0, node.more, null, node, fresh)
                    : new LpmNode(m, node.w0, node.more, null, fresh, node);
            link(parent, dir, im);
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
        buildJumps();
        return 0;
    }

    /**
     * {@code trie_delete_elem}: the node of exactly this prefix (bits beyond it do not matter)
     * loses its value. With two children it stays as an intermediate node; a leaf under an
     * intermediate parent takes the parent with it, its sibling moving up; otherwise its one child
     * (or nothing) takes its place. -ENOENT when no node holds this exact prefix.
     */
    int delete(ByteBuffer key, int at) {
        int kpl = Bytes.getInt(key, at);
        int dataAt = at + LpmProvider.PREFIXLEN_BYTES;
        long k0 = LpmKey.word(key, dataAt, 0, dataSize);
        long k1 = dataSize > 8 ? LpmKey.word(key, dataAt, 1, dataSize) : 0;
        synchronized (lock) {
            LpmNode grand = null;
            int grandDir = 0;
            LpmNode parent = null;
            int dir = 0;
            LpmNode node = root;
            int m = 0;
            while (node != null) {
                m = match(node, key, dataAt, kpl, k0, k1);
                if (node.prefixlen != m || node.prefixlen == kpl) {
                    break;
                }
                grand = parent;
                grandDir = dir;
                parent = node;
                dir = keyBit(key, dataAt, k0, k1, node.prefixlen);
                node = node.child(dir);
            }
            if (node == null || node.prefixlen != kpl || node.prefixlen != m || node.intermediate()) {
                return Errno.ENOENT.ret();
            }
            entries--;
            LpmNode c0 = node.child0;
            LpmNode c1 = node.child1;
            if (c0 != null && c1 != null) {
                link(parent, dir, new LpmNode(node.prefixlen, node.w0, node.more, null, c0, c1));
            } else if (parent != null && parent.intermediate() && c0 == null && c1 == null) {
                link(grand, grandDir, dir == 0 ? parent.child1 : parent.child0);
            } else {
                link(parent, dir, c0 != null ? c0 : c1);
            }
            return 0;
        }
    }

    /**
     * Publishes {@code node} in the parent's child {@code dir}, or as the root, keeping the jump
     * table exact: the entries of keys whose walk passes this link are emptied before the store
     * and refilled after it.
     */
    private void link(LpmNode parent, int dir, LpmNode node) {
        Jump[] js = jumps;
        int from = 0;
        int count = 0;
        if (js != null && (parent == null || parent.prefixlen < STRIDE)) {
            if (parent == null) {
                count = js.length;
            } else {
                int q = parent.prefixlen;
                int top = q == 0 ? 0 : (int) (parent.w0 >>> (64 - q));
                count = 1 << (STRIDE - q - 1);
                from = ((top << 1) | dir) * count;
            }
            for (int v = from; v < from + count; v++) {
                JUMPS.setRelease(js, v, null);
            }
        }
        if (parent == null) {
            root = node;
        } else if (dir == 0) {
            parent.child0 = node;
        } else {
            parent.child1 = node;
        }
        Jump previous = null;
        for (int v = from; v < from + count; v++) {
            previous = walkTo(v, previous);
            JUMPS.setRelease(js, v, previous);
        }
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
