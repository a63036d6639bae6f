package org.bpfmaps.core.api;

/**
 * The attr of {@link BpfCmd#PROG_ATTACH} and {@link BpfCmd#PROG_DETACH}: the kernel's anonymous
 * attach struct of {@code union bpf_attr} (offsets 0 to 32). A program is attached to a socket map
 * ({@code target_fd}) under one of the four socket attach types below; the other fields must be
 * zero for a socket map, as on 6.18 (EINVAL).
 */
public final class ProgAttachAttr extends BpfAttr {
    /** {@code BPF_SK_SKB_STREAM_PARSER}: the stream parser of a socket map (SK_SKB programs). */
    public static final int SK_SKB_STREAM_PARSER = 4;
    /** {@code BPF_SK_SKB_STREAM_VERDICT}: the stream verdict (SK_SKB), exclusive with SK_SKB_VERDICT. */
    public static final int SK_SKB_STREAM_VERDICT = 5;
    /** {@code BPF_SK_MSG_VERDICT}: the send-side verdict (SK_MSG programs). */
    public static final int SK_MSG_VERDICT = 7;
    /** {@code BPF_SK_SKB_VERDICT}: the verdict without a parser (SK_SKB), exclusive with STREAM_VERDICT. */
    public static final int SK_SKB_VERDICT = 38;

    /** {@code target_fd}: the socket map. */
    public int targetFd;
    /** {@code attach_bpf_fd}: the program (a detach of 6.18 needs it too: 0 is fd 0, no program). */
    public int attachBpfFd;
    /** {@code enum bpf_attach_type}. */
    public int attachType;
    /** {@code attach_flags}: none apply to socket maps. */
    public int attachFlags;
    /** {@code replace_bpf_fd} (offset 16). */
    public int replaceBpfFd;
    /** {@code relative_fd} / {@code relative_id} (offset 20). */
    public int relativeFd;
    /** {@code expected_revision} (offset 24). */
    public long expectedRevision;
    /**
     * Stands for the bytes of the attr past the struct (offset 32 to the attr's end): non-zero
     * is EINVAL, as the kernel's {@code CHECK_ATTR} answers.
     */
    public long tail;

    public ProgAttachAttr() {
    }

    public ProgAttachAttr(int targetFd, int attachBpfFd, int attachType) {
        this.targetFd = targetFd;
        this.attachBpfFd = attachBpfFd;
        this.attachType = attachType;
    }
}
