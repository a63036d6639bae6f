package org.bpfmaps.core.impl.datapath;

import java.nio.ByteBuffer;

/**
 * The fixed-size direct chunks every owned socket's queues are made of, reused across messages
 * and sockets so that queueing a message allocates nothing once the path is warm. A socket's
 * queues hold at most its budget in bytes, so at most {@code budget / CHUNK + 2} chunks each;
 * the pool keeps up to {@link #MAX_FREE} chunks that no queue holds, and lets the others go to
 * the garbage collector (a burst through many sockets does not pin its peak for good).
 */
final class ChunkPool {
    /** Bytes of a chunk: large enough that a gathering write of a full queue is a few iovecs. */
    static final int CHUNK = 16 << 10;
    /** Chunks kept while no queue holds them (1 MiB). */
    static final int MAX_FREE = 64;

    private final ByteBuffer[] free = new ByteBuffer[MAX_FREE];
    private int count;

    /** A chunk with nothing in it: position and limit 0 (the queue appends between limit and capacity). */
    synchronized ByteBuffer take() {
        if (count > 0) {
            ByteBuffer b = free[--count];
            free[count] = null;
            return b;
        }
        return ByteBuffer.allocateDirect(CHUNK).limit(0);
    }

    /** Gives a chunk back; kept for the next queue while the pool has room. */
    synchronized void give(ByteBuffer b) {
        if (count < MAX_FREE) {
            b.position(0).limit(0);
            free[count++] = b;
        }
    }

    /** Chunks kept now (tests). */
    synchronized int free() {
        return count;
    }
}
