package org.bpfmaps.core.impl;

import org.bpfmaps.core.prog.SkMsgContext;

/** The context of an SK_MSG run: the size of the message and the socket's cookie (the data path sets them). */
public final class MsgRun extends RunContext implements SkMsgContext {
    private int size;
    private long cookie;

    public MsgRun(ProgObject prog, int cpu) {
        super(prog, cpu);
    }

    /** Sets what the next run sees. */
    public MsgRun set(int size, long socketCookie) {
        this.size = size;
        this.cookie = socketCookie;
        return this;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long socketCookie() {
        return cookie;
    }
}
