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

    /** The program slots of a socket map or a socket ({@code struct sk_psock_progs}): one per type above. */
    public static final int SOCK_SLOTS = 4;

    /**
     * The slot of a socket attach type in {@code struct sk_psock_progs}, 0 to {@link #SOCK_SLOTS} - 1
     * (msg verdict, stream parser, stream verdict, skb verdict), or -1 for any other attach type:
     * what a map's and a socket's program slots are indexed by.
     *
     * @since 2.5
     */
    public static int sockSlot(int attachType) {
        switch (attachType) {
            case SK_MSG_VERDICT:
                return 0;
            case SK_SKB_STREAM_PARSER:
                return 1;
            case SK_SKB_STREAM_VERDICT:
                return 2;
            case SK_SKB_VERDICT:
                return 3;
            default:
                return -1;
        }
    }

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
