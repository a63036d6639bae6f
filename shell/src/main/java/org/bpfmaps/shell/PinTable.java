package org.bpfmaps.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * bpftool's table of pinned maps for {@code -f}: map id to the paths where it is pinned, in the
 * order bpftool prints them. bpftool appends each path, in the order its bpffs walk finds them, to
 * a libbpf {@code hashmap} keyed by id and prints a map's paths in its bucket's chain order. The
 * chain takes new entries at its head and reverses whenever the table grows, so the order depends
 * on how many pins were added after each: this replays the hashmap (its growth rule and its
 * {@code hash_bits}) to print the same order.
 */
final class PinTable {
    /** One chained entry: {@code hashmap_entry}. */
    private record Entry(int id, String path) {
    }

    private List<List<Entry>> buckets = new ArrayList<>();
    private int capBits;
    private int size;

    /** The table built from the pins in walk order ({@code build_pinned_obj_table}). */
    PinTable(Map<String, Integer> walk) {
        walk.forEach((path, id) -> append(id, path));
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** {@code hashmap__for_each_key_entry}: the paths of one map id, in chain order. */
    List<String> paths(int id) {
        List<String> out = new ArrayList<>();
        if (buckets.isEmpty()) {
            return out;
        }
        for (Entry e : buckets.get(bucket(id, capBits))) {
            if (e.id == id) {
                out.add(e.path);
            }
        }
        return out;
    }

    /** {@code hashmap__append}: grows when empty or over 75% full, then adds at the chain's head. */
    private void append(int id, String path) {
        int cap = buckets.size();
        if (cap == 0 || (size + 1) * 4 / 3 > cap) {
            grow();
        }
        buckets.get(bucket(id, capBits)).add(0, new Entry(id, path));
        size++;
    }

    /** {@code hashmap_grow}: doubles (at least 4 buckets), moving entries bucket by bucket, each to a head. */
    private void grow() {
        int bits = Math.max(capBits + 1, 2);
        List<List<Entry>> next = new ArrayList<>(1 << bits);
        for (int i = 0; i < 1 << bits; i++) {
            next.add(new ArrayList<>());
        }
        for (List<Entry> chain : buckets) {
            for (Entry e : chain) {
                next.get(bucket(e.id, bits)).add(0, e);
            }
        }
        buckets = next;
        capBits = bits;
    }

    /** libbpf's {@code hash_bits} of the id (its own hash, {@code hash_fn_for_key_as_id}), on LP64. */
    private static int bucket(int id, int bits) {
        if (bits == 0) {
            return 0;
        }
        long h = Integer.toUnsignedLong(id) * 0x9E3779B97F4A7C15L; // 11400714819323198485
        return (int) (h >>> (64 - bits));
    }
}
