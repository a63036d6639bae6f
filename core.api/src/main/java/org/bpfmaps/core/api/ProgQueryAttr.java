package org.bpfmaps.core.api;

/**
 * The attr of {@link BpfCmd#PROG_QUERY} ({@code query} of {@code union bpf_attr}, offsets 0 to 64)
 * on a socket map: which program is attached under {@link #attachType}. The call writes
 * {@link #attachFlags} (0) and {@link #progCnt} (0 or 1), and the program's id into
 * {@link #progIds} when it has room ({@code prog_cnt} in is its length, as the kernel reads it).
 */
public final class ProgQueryAttr extends BpfAttr {
    public int targetFd;
    public int attachType;
    /** {@code query_flags}: none apply to socket maps (EINVAL). */
    public int queryFlags;
    /** Written: 0 for a socket map. */
    public int attachFlags;
    /** The ids buffer ({@code prog_ids}), or null for a NULL pointer. */
    public int[] progIds;
    /** In: the room in {@link #progIds}; out: the number of programs attached. */
    public int progCnt;
    /** Stands for the bytes past the query struct (offset 64 on): non-zero is EINVAL ({@code CHECK_ATTR}). */
    public long tail;

    public ProgQueryAttr() {
    }

    public ProgQueryAttr(int targetFd, int attachType, int[] progIds) {
        this.targetFd = targetFd;
        this.attachType = attachType;
        this.progIds = progIds;
        this.progCnt = progIds == null ? 0 : progIds.length;
    }
}
