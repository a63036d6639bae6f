package org.bpfmaps.core.prog;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The context of an SK_MSG program ({@code struct sk_msg_md}): a message sent on a socket in a
 * socket map. The data path adds the bytes and its helpers ({@code bpf_msg_redirect_map},
 * {@code bpf_msg_redirect_hash}, {@code bpf_msg_apply_bytes}, {@code bpf_msg_cork_bytes},
 * {@code bpf_msg_pull_data}) in later minor versions.
 */
@ProviderType
public interface SkMsgContext extends ProgContext {
    /** {@code sk_msg_md->size}: the bytes of the message. */
    int size();

    /** {@code bpf_get_socket_cookie}: the cookie of the sending socket. */
    long socketCookie();
}
