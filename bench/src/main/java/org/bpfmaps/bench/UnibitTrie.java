package org.bpfmaps.bench;

/**
 * LpmBench's baseline: the straightforward unibit binary trie a Java programmer writes for
 * longest-prefix match, one node per bit of the prefix, a lookup walking the address bit by bit
 * and remembering the last node with a value. Not thread-safe for writers; readers of a trie
 * no one changes are fine. Prefixes up to 128 bits, as two longs (hi, lo), big-endian.
 */
final class UnibitTrie {
    private static final class Node {
        Node zero;
        Node one;
        boolean present;
        long value;
    }

    private final Node root = new Node();

    private static boolean bit(long hi, long lo, int i) {
        return i < 64 ? (hi << i) < 0 : (lo << (i - 64)) < 0;
    }

    void put(long hi, long lo, int bits, long value) {
        Node n = root;
        for (int i = 0; i < bits; i++) {
            if (bit(hi, lo, i)) {
                if (n.one == null) {
                    n.one = new Node();
                }
                n = n.one;
            } else {
                if (n.zero == null) {
                    n.zero = new Node();
                }
                n = n.zero;
            }
        }
        n.present = true;
        n.value = value;
    }

    /** Removes the value; empty branches stay, as a simple trie leaves them. */
    boolean remove(long hi, long lo, int bits) {
        Node n = root;
        for (int i = 0; i < bits && n != null; i++) {
            n = bit(hi, lo, i) ? n.one : n.zero;
        }
        if (n == null || !n.present) {
            return false;
        }
        n.present = false;
        return true;
    }

    /** The value of the longest prefix covering the address of {@code bits} bits, or {@code absent}. */
    long lookup(long hi, long lo, int bits, long absent) {
        long found = absent;
        Node n = root;
        for (int i = 0; n != null; i++) {
            if (n.present) {
                found = n.value;
            }
            if (i == bits) {
                break;
            }
            n = bit(hi, lo, i) ? n.one : n.zero;
        }
        return found;
    }
}
