package org.bpfmaps.core.impl;

import java.util.Map;
import java.util.TreeMap;

/**
 * The ids of one kind of object, allocated as the kernel's {@code idr_alloc_cyclic(1, INT_MAX)}:
 * increasing, wrapping at INT_MAX, never handing out an id that is still live.
 */
final class IdSpace {
    private final TreeMap<Integer, BpfObject> live = new TreeMap<>();
    private int next = 1;

    synchronized int add(BpfObject o) {
        if (live.size() == Integer.MAX_VALUE - 1) {
            return -1;
        }
        while (live.containsKey(next)) {
            next = next == Integer.MAX_VALUE ? 1 : next + 1;
        }
        int id = next;
        next = next == Integer.MAX_VALUE ? 1 : next + 1;
        live.put(id, o);
        o.published(this, id);
        return id;
    }

    synchronized void remove(BpfObject o) {
        int id = o.id();
        if (id != 0 && live.get(id) == o) {
            live.remove(id);
        }
    }

    synchronized BpfObject get(int id) {
        return live.get(id);
    }

    /** The live object with the smallest id above {@code after} (unsigned), or null. */
    synchronized BpfObject nextAfter(long after, java.util.function.Predicate<BpfObject> filter) {
        if (after >= Integer.MAX_VALUE) {
            return null;
        }
        for (Map.Entry<Integer, BpfObject> e : live.tailMap((int) after, false).entrySet()) {
            if (filter.test(e.getValue())) {
                return e.getValue();
            }
        }
        return null;
    }
}
