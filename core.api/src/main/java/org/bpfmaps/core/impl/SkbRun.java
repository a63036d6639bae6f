package org.bpfmaps.core.impl;

import java.nio.ByteBuffer;
import org.bpfmaps.core.prog.SkAction;
import org.bpfmaps.core.prog.SkSkbContext;
import org.bpfmaps.core.sock.BpfSocket;

/**
 * The context of an SK_SKB run: the bytes, their length and the socket's cookie (the data path
 * sets them), and the redirect the helpers chose ({@code skb_bpf_set_redir}), which the data path
 * reads after a verdict of {@code SK_PASS}.
 */
public final class SkbRun extends RunContext implements SkSkbContext {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();
    private int len;
    private long cookie;
    private ByteBuffer data = EMPTY;
    private BpfSocket redirect;
    private boolean ingress;

    public SkbRun(ProgObject prog, int cpu) {
        super(prog, cpu);
    }

    /** Sets what the next run sees, without bytes. */
    public SkbRun set(int len, long socketCookie) {
        this.len = len;
        this.cookie = socketCookie;
        this.data = EMPTY;
        this.redirect = null;
        this.ingress = false;
        return this;
    }

    /** Sets what the next run sees: {@code bytes} from position to limit (a read-only view is given). */
    public SkbRun set(ByteBuffer bytes, long socketCookie) {
        set(bytes.remaining(), socketCookie);
        this.data = bytes.slice().asReadOnlyBuffer();
        return this;
    }

    /** The socket the last run redirected to, or null. */
    public BpfSocket redirect() {
        return redirect;
    }

    /** Whether the last run's redirect is to the target's read side (BPF_F_INGRESS). */
    public boolean ingress() {
        return ingress;
    }

    @Override
    public int len() {
        return len;
    }

    @Override
    public long socketCookie() {
        return cookie;
    }

    @Override
    public ByteBuffer data() {
        return data.duplicate().rewind();
    }

    @Override
    public int skRedirectMap(int map, int key, long flags) {
        return redirectTo(map, indexKey(key), false, flags);
    }

    @Override
    public int skRedirectHash(int map, ByteBuffer key, long flags) {
        return key == null ? SkAction.SK_DROP : redirectTo(map, key, true, flags);
    }

    /** {@code bpf_sk_redirect_map}/{@code _hash}: flags other than BPF_F_INGRESS or no socket: SK_DROP. */
    private int redirectTo(int map, ByteBuffer key, boolean hash, long flags) {
        if ((flags & ~SkAction.BPF_F_INGRESS) != 0) {
            return SkAction.SK_DROP;
        }
        BpfSocket s = socketAt(map, key, hash);
        if (s == null) {
            return SkAction.SK_DROP;
        }
        redirect = s;
        ingress = (flags & SkAction.BPF_F_INGRESS) != 0;
        return SkAction.SK_PASS;
    }
}
