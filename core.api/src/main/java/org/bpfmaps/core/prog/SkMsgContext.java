package org.bpfmaps.core.prog;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The context of an SK_MSG program ({@code struct sk_msg_md}): a message sent on a socket in a
 * socket whose data path the core owns: what one write of the application gave (or what a cork
 * gathered), with the helpers of net/core/filter.c and net/core/sock_map.c.
 */
@ProviderType
public interface SkMsgContext extends ProgContext {
    /** {@code sk_msg_md->size}: the bytes of the message. */
    int size();

    /** {@code bpf_get_socket_cookie}: the cookie of the sending socket. */
    long socketCookie();

    /**
     * The bytes between {@code msg->data} and {@code msg->data_end}, read-only: the whole message
     * unless {@link #msgPullData} chose a part. Valid during the run only.
     */
    ByteBuffer data();

    /**
     * {@code bpf_msg_redirect_map}: the message goes out of (egress) or, with
     * {@link SkAction#BPF_F_INGRESS}, into the read side of the socket at {@code key} of the
     * SOCKMAP at index {@code map}. {@link SkAction#SK_PASS} when found, else {@link SkAction#SK_DROP}.
     */
    int msgRedirectMap(int map, int key, long flags);

    /** {@code bpf_msg_redirect_hash}: as {@link #msgRedirectMap} for a SOCKHASH key. */
    int msgRedirectHash(int map, ByteBuffer key, long flags);

    /**
     * {@code bpf_msg_apply_bytes}: the verdict of this run applies to the next {@code bytes} bytes
     * sent (this message's and the following writes'), without running the program again. 0.
     */
    int msgApplyBytes(int bytes);

    /**
     * {@code bpf_msg_cork_bytes}: hold the bytes until {@code bytes} have been gathered, then run
     * the program again on all of them; this run's verdict is not applied. 0.
     */
    int msgCorkBytes(int bytes);

    /**
     * {@code bpf_msg_pull_data}: makes {@link #data()} the bytes {@code [start, end)}. 0, or
     * -EINVAL when {@code flags} is not 0, {@code end <= start} or {@code start >= size()}; an
     * {@code end} past the message is cut at its end (the message is always linear here).
     */
    int msgPullData(int start, int end, long flags);
}
