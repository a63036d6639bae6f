package org.bpfmaps.core.impl;

import java.nio.ByteBuffer;
import org.bpfmaps.core.prog.SkSkbContext;

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
    /** With {@link #set(ByteBuffer, int, int, long)}: the bytes are base[off, off + len), sliced when asked. */
    private ByteBuffer base;
    private int off;

    public SkbRun(ProgObject prog, int cpu) {
        super(prog, cpu);
    }

    /** Sets what the next run sees, without bytes. */
    public SkbRun set(int len, long socketCookie) {
        this.len = len;
        this.cookie = socketCookie;
        this.data = EMPTY;
        this.base = null;
        clearRedirect();
        return this;
    }

    /**
     * Sets what the next run sees: {@code len} bytes of {@code readOnly} from {@code off}, without
     * allocating: the view {@link #data()} gives is only cut when the program asks for it (the data
     * path's receive buffer is one read-only view for every message).
     */
    public SkbRun set(ByteBuffer readOnly, int off, int len, long socketCookie) {
        set(len, socketCookie);
        this.base = readOnly;
        this.off = off;
        return this;
    }

    /** Sets what the next run sees: {@code bytes} from position to limit (a read-only view is given). */
    public SkbRun set(ByteBuffer bytes, long socketCookie) {
        set(bytes.remaining(), socketCookie);
        this.data = bytes.slice().asReadOnlyBuffer();
        return this;
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
        if (base != null) {
            return base.slice(off, len);
        }
        return data.duplicate().rewind();
    }

    @Override
    public int skRedirectMap(int map, int key, long flags) {
        return redirectTo(map, indexKey(key), false, flags);
    }

    @Override
    public int skRedirectHash(int map, ByteBuffer key, long flags) {
        return redirectTo(map, key, true, flags);
    }
}
