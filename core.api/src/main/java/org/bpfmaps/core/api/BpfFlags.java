package org.bpfmaps.core.api;

/** The flag constants of the kernel's UAPI header, with their Linux values. */
public final class BpfFlags {
    private BpfFlags() {
    }

    // ---- map_flags of MAP_CREATE ----
    public static final int F_NO_PREALLOC = 1;
    public static final int F_NO_COMMON_LRU = 1 << 1;
    public static final int F_NUMA_NODE = 1 << 2;
    /** User-space access through this fd only reads; not kept in the map's own flags. */
    public static final int F_RDONLY = 1 << 3;
    /** User-space access through this fd only writes; not kept in the map's own flags. */
    public static final int F_WRONLY = 1 << 4;
    public static final int F_STACK_BUILD_ID = 1 << 5;
    public static final int F_ZERO_SEED = 1 << 6;
    public static final int F_RDONLY_PROG = 1 << 7;
    public static final int F_WRONLY_PROG = 1 << 8;
    public static final int F_CLONE = 1 << 9;
    public static final int F_MMAPABLE = 1 << 10;
    public static final int F_PRESERVE_ELEMS = 1 << 11;
    public static final int F_INNER_MAP = 1 << 12;
    public static final int F_LINK = 1 << 13;
    public static final int F_PATH_FD = 1 << 14;
    public static final int F_VTYPE_BTF_OBJ_FD = 1 << 15;
    public static final int F_TOKEN_FD = 1 << 16;
    public static final int F_SEGV_ON_FAULT = 1 << 17;
    public static final int F_NO_USER_CONV = 1 << 18;

    /** The access flags every map type accepts ({@code BPF_F_ACCESS_MASK}). */
    public static final int F_ACCESS_MASK = F_RDONLY | F_RDONLY_PROG | F_WRONLY | F_WRONLY_PROG;

    // ---- flags of element commands ----
    public static final long ANY = 0;
    public static final long NOEXIST = 1;
    public static final long EXIST = 2;
    public static final long F_LOCK = 4;

    /** No NUMA node requested ({@code NUMA_NO_NODE}). */
    public static final int NUMA_NO_NODE = -1;

    /** Size of {@code struct bpf_map_info} on the kernel this project follows (6.18). */
    public static final int MAP_INFO_SIZE = 104;

    /** Length of {@code map_name}, NUL included ({@code BPF_OBJ_NAME_LEN}). */
    public static final int OBJ_NAME_LEN = 16;
}
