package org.bpfmaps.core.api;

import java.nio.ByteBuffer;

/**
 * Where a batch walk is: an opaque handle on the kernel's in_batch / out_batch bytes (the last key,
 * or a bucket index for the hash family), as cilium/ebpf's {@code MapBatchCursor}. Start with a new
 * cursor; {@link #done()} tells when the map has no more.
 */
public final class BatchCursor {
    private ByteBuffer in;
    private ByteBuffer out;
    private boolean started;
    private boolean done;

    public boolean done() {
        return done;
    }

    /** Whether a call has moved it from the start. */
    boolean started() {
        return started;
    }

    ByteBuffer in(int keySize) {
        return started ? in : null;
    }

    ByteBuffer out(int keySize) {
        int size = Math.max(keySize, 4);
        if (out == null || out.capacity() < size) {
            out = ByteBuffer.allocate(size);
            in = ByteBuffer.allocate(size);
        }
        return out;
    }

    void advance() {
        ByteBuffer t = in;
        in = out;
        out = t;
        started = true;
    }

    void finish() {
        done = true;
    }
}
