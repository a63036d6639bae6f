package org.bpfmaps.core.prog;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The context of an SK_SKB program ({@code struct __sk_buff} as an SK_SKB program sees it): the
 * bytes received on a socket in a socket map. The data path adds the bytes and its helpers
 * ({@code bpf_sk_redirect_map}, {@code bpf_sk_redirect_hash}) in later minor versions.
 */
@ProviderType
public interface SkSkbContext extends ProgContext {
    /** {@code skb->len}: the bytes this run sees. */
    int len();

    /** {@code bpf_get_socket_cookie}: the cookie of the socket the bytes came from. */
    long socketCookie();
}
