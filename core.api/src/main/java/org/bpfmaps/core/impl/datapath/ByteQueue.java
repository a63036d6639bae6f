package org.bpfmaps.core.impl.datapath;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.Arrays;

/**
 * A socket's queue of bytes (in, for the application's reads, or out, to its socket): a FIFO of
 * {@link ChunkPool} chunks, each holding its bytes between position and limit. Appending copies
 * into the tail chunk (a new one from the pool when it is full); reading or writing takes from the
 * head and gives emptied chunks back. Nothing is allocated per message: the chunks come from the
 * pool and the array of them only grows while the queue reaches a length it never had.
 * Not thread-safe: its owner's monitor guards it.
 */
final class ByteQueue {
    private final ChunkPool pool;
    private ByteBuffer[] chunks = new ByteBuffer[4];
    private int count;
    private long size;

    ByteQueue(ChunkPool pool) {
        this.pool = pool;
    }

    long size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Copies what {@code src} holds (position to limit) to the queue's end; src is consumed. */
    void add(ByteBuffer src) {
        while (src.hasRemaining()) {
            ByteBuffer tail = count == 0 ? null : chunks[count - 1];
            if (tail == null || tail.limit() == tail.capacity()) {
                tail = pool.take();
                if (count == chunks.length) {
                    chunks = Arrays.copyOf(chunks, count * 2);
                }
                chunks[count++] = tail;
            }
            int at = tail.limit();
            int k = Math.min(src.remaining(), tail.capacity() - at);
            tail.limit(at + k);
            tail.put(at, src, src.position(), k);
            src.position(src.position() + k);
            size += k;
        }
    }

    /** Moves up to {@code dst.remaining()} bytes from the queue's head into dst; returns how many. */
    int read(ByteBuffer dst) {
        int n = 0;
        while (dst.hasRemaining() && count > 0) {
            ByteBuffer b = chunks[0];
            int k = Math.min(b.remaining(), dst.remaining());
            dst.put(dst.position(), b, b.position(), k).position(dst.position() + k);
            b.position(b.position() + k);
            n += k;
            if (!b.hasRemaining()) {
                dropHead();
            }
        }
        size -= n;
        return n;
    }

    /** Writes the queue's bytes to {@code ch} in one gathering write; returns how many it took. */
    long writeTo(GatheringByteChannel ch) throws IOException {
        if (count == 0) {
            return 0;
        }
        long n = count == 1 ? ch.write(chunks[0]) : ch.write(chunks, 0, count);
        size -= n;
        while (count > 0 && !chunks[0].hasRemaining()) {
            dropHead();
        }
        return n;
    }

    /** Empties the queue, its chunks back to the pool. */
    void clear() {
        while (count > 0) {
            dropHead();
        }
        size = 0;
    }

    private void dropHead() {
        ByteBuffer b = chunks[0];
        System.arraycopy(chunks, 1, chunks, 0, count - 1);
        chunks[--count] = null;
        pool.give(b);
    }
}
