package org.bpfmaps.map.lpm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One node of the trie ({@code struct lpm_trie_node}): a prefix length, the key's data bytes as
 * stored (bits beyond the prefix included, as the kernel keeps them), the value, and two
 * children. The data are big-endian words, so that a prefix compares 64 bits at a time.
 *
 * <p>Everything but the children is final: a node's prefix, data and value never change once a
 * reader can see it. Where the kernel changes a node in place (marking it intermediate on delete)
 * or swaps in a new node (replacing a value), the writer publishes a new node instead. The child
 * links are volatile: a writer builds a node completely, then links it with one volatile store,
 * the release that stands for the kernel's {@code rcu_assign_pointer}; a reader's volatile load is
 * the matching acquire, so it sees either the old subtree or the new one, whole. The constructor
 * sets the links with plain stores and the link that publishes the node is a release store
 * ({@link #setChild}): a volatile store would add a full fence (on x86 a locked instruction) per
 * store, three per insert, that no reader needs.
 */
final class LpmNode {
    final int prefixlen;
    /** Data bytes 0..7, big-endian, zero-padded past the data size. */
    final long w0;
    /** Data words 1.. (bytes 8..), the last zero-padded; null when the data fit {@link #w0}. */
    final long[] more;
    /** The value, or null for an intermediate node (the kernel's LPM_TREE_NODE_FLAG_IM). */
    final byte[] value;
    /**
     * A value of 4 or 8 bytes again, as one host-order number: a lookup copies it out without
     * touching {@link #value}, which saves a cache miss per lookup in a large trie.
     */
    final long small;
    volatile LpmNode child0;
    volatile LpmNode child1;

    private static final VarHandle CHILD0;
    private static final VarHandle CHILD1;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CHILD0 = l.findVarHandle(LpmNode.class, "child0", LpmNode.class);
            CHILD1 = l.findVarHandle(LpmNode.class, "child1", LpmNode.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The value of a node whose value is 4 or 8 bytes: {@link #small} alone holds it, which saves
     * an array per prefix (the allocation and 24 bytes); not null, so the node is no intermediate.
     */
    static final byte[] SMALL = new byte[0];

    LpmNode(int prefixlen, long w0, long[] more, byte[] value, LpmNode child0, LpmNode child1) {
        this(prefixlen, w0, more, value, LpmKey.small(value), child0, child1);
    }

    /** With the value as a number given ({@code value} then {@link #SMALL}). */
    LpmNode(int prefixlen, long w0, long[] more, byte[] value, long small, LpmNode child0, LpmNode child1) {
        this.prefixlen = prefixlen;
        this.w0 = w0;
        this.more = more;
        this.value = value;
        this.small = small;
        // plain: the node is published by a release store of the link to it (setChild)
        CHILD0.set(this, child0);
        CHILD1.set(this, child1);
    }

    /**
     * Links {@code node}, complete, as child {@code bit}: a release store, the writer's half of
     * the publication whose reader's half is the volatile load of the link.
     */
    void setChild(int bit, LpmNode node) {
        if (bit == 0) {
            CHILD0.setRelease(this, node);
        } else {
            CHILD1.setRelease(this, node);
        }
    }

    boolean intermediate() {
        return value == null;
    }

    LpmNode child(int bit) {
        return bit == 0 ? child0 : child1;
    }

    /** Word {@code i} of the data (0 is {@link #w0}). */
    long word(int i) {
        return i == 0 ? w0 : more[i - 1];
    }

    /** Bit {@code index} of the data, counting from the most significant bit of byte 0. */
    int bit(int index) {
        return (int) (word(index >>> 6) >>> (63 - (index & 63))) & 1;
    }
}
