package org.bpfmaps.core.api;

/**
 * The attr of the id commands. {@link BpfCmd#MAP_GET_NEXT_ID} reads {@link #startId} and writes
 * {@link #nextId}: the smallest id of a live map above it. {@link BpfCmd#MAP_GET_FD_BY_ID} reads
 * {@link #startId} as {@code map_id} (the kernel's union) and {@link #openFlags}. The PROG_ and
 * LINK_ commands do the same in their kind's id space, and their GET_FD_BY_ID takes no open_flags.
 */
public final class GetIdAttr extends BpfAttr {
    /** {@code start_id}, or {@code map_id} for MAP_GET_FD_BY_ID. */
    public int startId;
    public int nextId;
    public int openFlags;
    /**
     * Stands for the bytes of the attr past {@code open_flags} (offset 12 to the attr's end):
     * non-zero is EINVAL, as the kernel's {@code CHECK_ATTR} answers, for every id command.
     */
    public long tail;

    public GetIdAttr() {
    }

    public GetIdAttr(int startId) {
        this.startId = startId;
    }
}
