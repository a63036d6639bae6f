package org.bpfmaps.map.hash;

import org.bpfmaps.core.spi.CurrentCpu;

/**
 * The LRU of an LRU hash map, as the kernel's {@code struct bpf_lru}: either one list set shared
 * by all CPUs (the default, "common LRU"), or with BPF_F_NO_COMMON_LRU one per possible CPU, each
 * owning an equal share of the elements, so that an element never moves between CPUs' lists and a
 * CPU evicts only its own elements, even when another CPU's list has room.
 *
 * <p>The CPU whose list an insert takes from is {@link CurrentCpu}'s: the one a program run binds,
 * else the thread's own (its id modulo the possible CPUs), as for every per-CPU helper.
 *
 * <p>The kernel's common LRU adds per-CPU caches of free and pending nodes in front of the shared
 * list, to take its lock less often; here the shared list is used directly, with the kernel's
 * batch sizes: an empty free list evicts {@code target_free = clamp(max_entries / cpus / 2, 1,
 * 128)} elements at once and the lists rotate every target_free pops; a per-CPU list evicts 4 and
 * rotates on every pop, each walk at most 128 (common) or 4 (per-CPU) nodes long.
 */
final class Lru {
    /** What the LRU calls to take an element it evicts out of the hash table. */
    interface Evictor {
        /** Deletes element e from the table; false when no chain holds it. */
        boolean deleteNode(int e);
    }

    private static final int LOCAL_FREE_TARGET = 128;
    private static final int PERCPU_FREE_TARGET = 4;
    private static final int POP_TRIES = 1_000_000;

    private final LruList[] lists;
    private final Slab slab;
    private final int cpus;

    Lru(Slab slab, boolean perCpuLists, int cpus, Evictor evictor) {
        this.slab = slab;
        this.cpus = cpus;
        int n = slab.capacity();
        if (perCpuLists) {
            lists = new LruList[cpus];
            for (int cpu = 0; cpu < cpus; cpu++) {
                lists[cpu] = new LruList(slab, evictor, PERCPU_FREE_TARGET, PERCPU_FREE_TARGET, 1);
            }
            // max_entries is a multiple of the CPUs: CPU c owns elements [c * share, (c + 1) * share)
            int share = n / cpus;
            for (int e = 0; e < n; e++) {
                int cpu = Math.min(e / share, cpus - 1);
                lists[cpu].populate(e, cpu);
            }
        } else {
            int target = Math.max(1, Math.min(n / cpus / 2, LOCAL_FREE_TARGET));
            lists = new LruList[] {new LruList(slab, evictor, LOCAL_FREE_TARGET, target, target)};
            for (int e = n - 1; e >= 0; e--) {
                lists[0].populate(e, 0);
            }
        }
    }

    /**
     * A free element for a new key with this hash, evicting if need be. The list comes up empty
     * only while every one of its elements is being inserted or freed by other threads (in the
     * kernel, where at most one update per CPU runs at a time, only if a list has fewer elements
     * than CPUs); they hold no lock this thread needs, so it yields and tries again, and -1
     * (ENOMEM) comes only after a very long wait.
     */
    int pop(int hash) {
        LruList l = lists.length == 1 ? lists[0] : lists[currentCpu()];
        for (int tries = 0; tries < POP_TRIES; tries++) {
            int e = l.pop(hash);
            if (e >= 0) {
                return e;
            }
            Thread.yield();
        }
        return -1;
    }

    /** Returns element e, which no chain holds any more, to its list's free list. */
    void push(int e) {
        int cpu = lists.length == 1 ? 0 : KeyBytes.getInt(slab.buf(e), slab.base(e) + ElemLayout.LRU_CPU);
        lists[cpu].push(e);
    }

    /**
     * {@code bpf_lru_node_set_ref}: marks e as used, as a program's lookup does (user-space lookups
     * do not). Racy and lock-free: it may mark an element that was just freed, which its next pop
     * clears; only reads first so that a hot element's line is not written on every lookup.
     */
    void touch(int e) {
        int at = slab.base(e) + ElemLayout.LRU_REF;
        if (slab.buf(e).get(at) == 0) {
            slab.buf(e).put(at, (byte) 1);
        }
    }

    /** The CPU the calling thread stands for. */
    int currentCpu() {
        return CurrentCpu.get(cpus);
    }
}
