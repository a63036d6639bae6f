package org.bpfmaps.core.prog;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The context of an SK_SKB program ({@code struct __sk_buff} as an SK_SKB program sees it): the
 * bytes received on a socket whose data path the core owns: a stream parser sees what has been
 * received and not yet parsed, a verdict program one message.
 */
@ProviderType
public interface SkSkbContext extends ProgContext {
    /** {@code skb->len}: the bytes this run sees. */
    int len();

    /** {@code bpf_get_socket_cookie}: the cookie of the socket the bytes came from. */
    long socketCookie();

    /**
     * The bytes of the run, read-only, position 0, limit {@link #len()} (the kernel's
     * {@code skb->data .. data_end}). Valid during the run only.
     */
    ByteBuffer data();

    /**
     * {@code bpf_sk_redirect_map} (net/core/sock_map.c): the message goes to the socket at
     * {@code key} of the SOCKMAP at index {@code map} of the program's maps, out of it (egress),
     * or into its read side with {@link SkAction#BPF_F_INGRESS}. {@link SkAction#SK_PASS} when the
     * socket was found (the program returns it to redirect), {@link SkAction#SK_DROP} when there
     * is no such socket, the map holds no sockets, or {@code flags} has a bit other than
     * BPF_F_INGRESS.
     */
    int skRedirectMap(int map, int key, long flags);

    /** {@code bpf_sk_redirect_hash}: as {@link #skRedirectMap}, for the SOCKHASH key {@code key}. */
    int skRedirectHash(int map, ByteBuffer key, long flags);
}
