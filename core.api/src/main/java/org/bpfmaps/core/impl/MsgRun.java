package org.bpfmaps.core.impl;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.prog.SkMsgContext;

/**
 * The context of an SK_MSG run: the message's bytes, size and the socket's cookie (the data path
 * sets them), and what the helpers chose: the redirect ({@code sk_msg.sk_redir}), apply and cork
 * bytes ({@code psock->apply_bytes}, {@code cork_bytes}), which the data path reads after the run.
 */
public final class MsgRun extends RunContext implements SkMsgContext {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();
    private int size;
    private long cookie;
    private ByteBuffer bytes = EMPTY;
    private ByteBuffer data = EMPTY;
    private int applyBytes;
    private int corkBytes;

    public MsgRun(ProgObject prog, int cpu) {
        super(prog, cpu);
    }

    /** Sets what the next run sees, without bytes. */
    public MsgRun set(int size, long socketCookie) {
        this.size = size;
        this.cookie = socketCookie;
        this.bytes = EMPTY;
        this.data = EMPTY;
        clearRedirect();
        this.applyBytes = 0;
        this.corkBytes = 0;
        return this;
    }

    /** Sets what the next run sees: {@code msg} from position to limit. */
    public MsgRun set(ByteBuffer msg, long socketCookie) {
        set(msg.remaining(), socketCookie);
        this.bytes = msg.slice().asReadOnlyBuffer();
        this.data = bytes;
        return this;
    }

    /** What the last run gave {@code bpf_msg_apply_bytes}; 0 when it did not call it. */
    public int applyBytes() {
        return applyBytes;
    }

    /** What the last run gave {@code bpf_msg_cork_bytes}; 0 when it did not call it. */
    public int corkBytes() {
        return corkBytes;
    }

    @Override
    public int size() {
        return size;
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
    public int msgRedirectMap(int map, int key, long flags) {
        return redirectTo(map, indexKey(key), false, flags);
    }

    @Override
    public int msgRedirectHash(int map, ByteBuffer key, long flags) {
        return redirectTo(map, key, true, flags);
    }


    @Override
    public int msgApplyBytes(int n) {
        applyBytes = n;
        return 0;
    }

    @Override
    public int msgCorkBytes(int n) {
        corkBytes = n;
        return 0;
    }

    /** {@code bpf_msg_pull_data} (net/core/filter.c): flags, an empty range or a start past the message are EINVAL. */
    @Override
    public int msgPullData(int start, int end, long flags) {
        if (flags != 0 || Integer.compareUnsigned(end, start) <= 0 || Integer.compareUnsigned(start, size) >= 0) {
            return Errno.EINVAL.ret();
        }
        int e = Integer.compareUnsigned(end, size) > 0 ? size : end;
        data = bytes.duplicate().position(start).limit(e).slice();
        return 0;
    }
}
