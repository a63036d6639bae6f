package org.bpfmaps.shell;

import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.MapType;

/**
 * The {@code memlock} bpftool shows, which it reads from {@code /proc/self/fdinfo}: the kernel's
 * {@code bpf_map_memory_usage()}, computed here as kernel 6.18's {@code array_map_mem_usage()}
 * does, with the constants of the x86-64 kernel the recordings were made on.
 */
final class Memlock {
    private Memlock() {
    }

    /**
     * {@code sizeof(struct bpf_array)} on that kernel: a plain array's memlock less its
     * {@code max_entries * round_up(value_size, 8)}, the same for every size measured.
     */
    static final long BPF_ARRAY_SIZE = 312;
    static final long PAGE_SIZE = 4096;
    static final long POINTER_SIZE = 8;

    /**
     * The bytes the kernel would report, or -1 for a type whose formula is not known here (bpftool
     * then leaves memlock out, as it does when fdinfo lacks the line).
     *
     * <ul>
     *   <li>array: the struct and one rounded element per entry; with BPF_F_MMAPABLE both are
     *       page-aligned, since the elements then live in their own pages;
     *   <li>percpu_array: the struct, one pointer per entry and one rounded element per entry
     *       per possible CPU.
     * </ul>
     * The entries are max_entries as given, not the power of two the kernel allocates.
     */
    static long of(MapInfo info, int possibleCpus) {
        long entries = Integer.toUnsignedLong(info.maxEntries());
        long elem = MapKinds.roundUp8(info.valueSize());
        if (info.type() == MapType.ARRAY.number()) {
            if ((info.mapFlags() & BpfFlags.F_MMAPABLE) != 0) {
                return pageAlign(BPF_ARRAY_SIZE) + pageAlign(entries * elem);
            }
            return BPF_ARRAY_SIZE + entries * elem;
        }
        if (info.type() == MapType.PERCPU_ARRAY.number()) {
            return BPF_ARRAY_SIZE + entries * POINTER_SIZE + entries * elem * possibleCpus;
        }
        return -1;
    }

    private static long pageAlign(long n) {
        return (n + PAGE_SIZE - 1) & -PAGE_SIZE;
    }
}
