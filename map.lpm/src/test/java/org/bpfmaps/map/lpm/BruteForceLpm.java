package org.bpfmaps.map.lpm;

import java.util.ArrayList;
import java.util.List;

/**
 * The selftest's "trivial longest prefix match" (tlpm in test_lpm_map.c): a plain list of
 * prefixes, searched whole on every lookup. Obviously right, and so the reference the trie is
 * compared with. Adding a prefix already there replaces it, as an update does.
 */
final class BruteForceLpm {
    /** One stored prefix: its length, its data bytes (as given) and a value. */
    record Prefix(int bits, byte[] data, long value) {
    }

    private final List<Prefix> list = new ArrayList<>();

    static boolean bit(byte[] data, int i) {
        return (data[i / 8] & (1 << (7 - i % 8))) != 0;
    }

    /** Whether the first {@code bits} bits of two data arrays are equal: whole bytes, then the rest. */
    static boolean samePrefix(byte[] a, byte[] b, int bits) {
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        return rest == 0 || ((a[full] ^ b[full]) & (0xff00 >>> rest) & 0xff) == 0;
    }

    void add(byte[] data, int bits, long value) {
        remove(data, bits);
        list.add(new Prefix(bits, data.clone(), value));
    }

    /** Removes the exact prefix; whether it was there. */
    boolean remove(byte[] data, int bits) {
        return list.removeIf(p -> p.bits == bits && samePrefix(p.data, data, bits));
    }

    /** The longest stored prefix no longer than {@code bits} that covers {@code key}, or null. */
    Prefix match(byte[] key, int bits) {
        Prefix best = null;
        for (Prefix p : list) {
            if (p.bits <= bits && (best == null || p.bits > best.bits) && samePrefix(p.data, key, p.bits)) {
                best = p;
            }
        }
        return best;
    }

    List<Prefix> prefixes() {
        return list;
    }

    int size() {
        return list.size();
    }
}
