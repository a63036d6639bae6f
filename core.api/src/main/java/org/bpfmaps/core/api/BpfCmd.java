package org.bpfmaps.core.api;

/**
 * The commands of the {@code bpf(2)} syscall, in the order (and so with the numbers) of the kernel's
 * {@code enum bpf_cmd}. Every command is named, implemented or not, so that later program, BTF and
 * link commands keep their numbers.
 */
public enum BpfCmd {
    MAP_CREATE,
    MAP_LOOKUP_ELEM,
    MAP_UPDATE_ELEM,
    MAP_DELETE_ELEM,
    MAP_GET_NEXT_KEY,
    PROG_LOAD,
    OBJ_PIN,
    OBJ_GET,
    PROG_ATTACH,
    PROG_DETACH,
    PROG_TEST_RUN,
    PROG_GET_NEXT_ID,
    MAP_GET_NEXT_ID,
    PROG_GET_FD_BY_ID,
    MAP_GET_FD_BY_ID,
    OBJ_GET_INFO_BY_FD,
    PROG_QUERY,
    RAW_TRACEPOINT_OPEN,
    BTF_LOAD,
    BTF_GET_FD_BY_ID,
    TASK_FD_QUERY,
    MAP_LOOKUP_AND_DELETE_ELEM,
    MAP_FREEZE,
    BTF_GET_NEXT_ID,
    MAP_LOOKUP_BATCH,
    MAP_LOOKUP_AND_DELETE_BATCH,
    MAP_UPDATE_BATCH,
    MAP_DELETE_BATCH,
    LINK_CREATE,
    LINK_UPDATE,
    LINK_GET_FD_BY_ID,
    LINK_GET_NEXT_ID,
    ENABLE_STATS,
    ITER_CREATE,
    LINK_DETACH,
    PROG_BIND_MAP,
    TOKEN_CREATE,
    PROG_STREAM_READ_BY_FD;

    private static final BpfCmd[] ALL = values();

    /** The kernel's number for this command. */
    public int number() {
        return ordinal();
    }

    /** The command with this number, or null for a number the kernel does not define. */
    public static BpfCmd of(int number) {
        return number >= 0 && number < ALL.length ? ALL[number] : null;
    }
}
