package org.bpfmaps.core.api;

import java.nio.ByteBuffer;

/**
 * The attr of the four batch commands, with the kernel's contract: {@link #count} is the number of
 * elements asked for on the way in and the number processed on the way out (after a failure, the
 * elements processed before it; after a failure found before any element was looked at, unchanged).
 * {@link #inBatch} null starts from the beginning; {@link #outBatch} receives the cursor for the
 * next call (the last key, or for the hash family a 4-byte bucket index). A lookup batch that
 * reaches the end answers ENOENT with the last elements in count.
 *
 * <p>Buffers follow {@link MapElemAttr}'s rules: element {@code i} of {@link #keys} starts at
 * {@code position + i * key_size}, of {@link #values} at {@code position + i * value_size} (the
 * per-CPU size for per-CPU maps).
 */
public final class MapBatchAttr extends BpfAttr {
    public ByteBuffer inBatch;
    public ByteBuffer outBatch;
    public ByteBuffer keys;
    public ByteBuffer values;
    public int count;
    public int mapFd;
    public long elemFlags;
    public long flags;

    public MapBatchAttr() {
    }

    public MapBatchAttr(int mapFd) {
        this.mapFd = mapFd;
    }
}
