package org.bpfmaps.core.impl;

import org.bpfmaps.core.prog.SkSkbContext;

/** The context of an SK_SKB run: the length of the bytes and the socket's cookie (the data path sets them). */
public final class SkbRun extends RunContext implements SkSkbContext {
    private int len;
    private long cookie;

    public SkbRun(ProgObject prog, int cpu) {
        super(prog, cpu);
    }

    /** Sets what the next run sees. */
    public SkbRun set(int len, long socketCookie) {
        this.len = len;
        this.cookie = socketCookie;
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
}
