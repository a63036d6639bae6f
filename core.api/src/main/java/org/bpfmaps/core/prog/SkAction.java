package org.bpfmaps.core.prog;

/**
 * The verdicts of socket programs ({@code enum sk_action}): what an SK_SKB verdict or an SK_MSG
 * program returns. Any other value is taken as {@link #SK_DROP}, as {@code sk_psock_map_verd}
 * does in net/core/skmsg.c.
 */
public final class SkAction {
    private SkAction() {
    }

    public static final int SK_DROP = 0;
    public static final int SK_PASS = 1;

    /**
     * {@code BPF_F_INGRESS}: the flag of the redirect helpers that sends the bytes into the target
     * socket's read side instead of out of it. Any other flag bit makes a redirect helper answer
     * {@link #SK_DROP}, as {@code bpf_sk_redirect_map} and {@code bpf_msg_redirect_map} do.
     */
    public static final long BPF_F_INGRESS = 1;
}
