package org.bpfmaps.core.api;

import java.util.Locale;

/**
 * Map types with the Linux numbers of {@code enum bpf_map_type} and the names bpftool prints
 * ({@code hash}, {@code lpm_trie}, ...). All of them are named whether or not an installed provider
 * serves them: a type with no provider answers MAP_CREATE with EINVAL, as a kernel built without it.
 */
public enum MapType {
    UNSPEC,
    HASH,
    ARRAY,
    PROG_ARRAY,
    PERF_EVENT_ARRAY,
    PERCPU_HASH,
    PERCPU_ARRAY,
    STACK_TRACE,
    CGROUP_ARRAY,
    LRU_HASH,
    LRU_PERCPU_HASH,
    LPM_TRIE,
    ARRAY_OF_MAPS,
    HASH_OF_MAPS,
    DEVMAP,
    SOCKMAP,
    CPUMAP,
    XSKMAP,
    SOCKHASH,
    CGROUP_STORAGE,
    REUSEPORT_SOCKARRAY,
    PERCPU_CGROUP_STORAGE,
    QUEUE,
    STACK,
    SK_STORAGE,
    DEVMAP_HASH,
    STRUCT_OPS,
    RINGBUF,
    INODE_STORAGE,
    TASK_STORAGE,
    BLOOM_FILTER,
    USER_RINGBUF,
    CGRP_STORAGE,
    ARENA,
    INSN_ARRAY,
    RHASH;

    private static final MapType[] ALL = values();
    private final String bpftoolName = name().toLowerCase(Locale.ROOT);

    /** The Linux number of this type ({@code BPF_MAP_TYPE_*}). */
    public int number() {
        return ordinal();
    }

    /**
     * Whether the type's values are per-CPU: a value passed through the syscall (lookup, update,
     * batches) holds {@code round_up(value_size, 8)} bytes for each possible CPU, as the kernel's
     * {@code bpf_map_value_size()} says. The one list of per-CPU types: the core, the typed API,
     * the shell and the conformance runner all ask here.
     */
    public boolean perCpu() {
        return switch (this) {
            case PERCPU_HASH, PERCPU_ARRAY, LRU_PERCPU_HASH, PERCPU_CGROUP_STORAGE -> true;
            default -> false;
        };
    }

    /** The name bpftool uses: lower case without the {@code BPF_MAP_TYPE_} prefix. */
    public String bpftoolName() {
        return bpftoolName;
    }

    /** The type with this Linux number, or null for a number Linux does not define. */
    public static MapType of(int number) {
        return number >= 0 && number < ALL.length ? ALL[number] : null;
    }

    /** The type with this bpftool name or enum name (any case), or null. */
    public static MapType byName(String name) {
        for (MapType t : ALL) {
            if (t.bpftoolName.equalsIgnoreCase(name)) {
                return t;
            }
        }
        return null;
    }

    /** The bpftool name of a type number, or the number itself for one Linux does not define. */
    public static String nameOf(int number) {
        MapType t = of(number);
        return t != null ? t.bpftoolName : Integer.toUnsignedString(number);
    }
}
