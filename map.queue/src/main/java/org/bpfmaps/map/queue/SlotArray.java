package org.bpfmaps.map.queue;

import java.nio.ByteBuffer;

/**
 * {@code count} fixed-size byte slots, preallocated and zeroed as the kernel's
 * {@code bpf_map_area_alloc} gives them, split over arrays of at most 1 GiB so that a ring longer
 * than one Java array still fits. Not thread-safe: the map that owns it holds its lock.
 */
final class SlotArray {
    private static final int CHUNK_BYTES = 1 << 30;

    private final int slotBytes;
    private final long slotsPerChunk;
    private final byte[][] chunks;

    SlotArray(long count, int slotBytes) {
        this.slotBytes = slotBytes;
        this.slotsPerChunk = Math.max(1, CHUNK_BYTES / slotBytes);
        int n = Math.toIntExact((count + slotsPerChunk - 1) / slotsPerChunk);
        chunks = new byte[n][];
        long left = count;
        for (int i = 0; i < n; i++) {
            long here = Math.min(left, slotsPerChunk);
            chunks[i] = new byte[Math.toIntExact(here * slotBytes)];
            left -= here;
        }
    }

    /** Copies slot {@code idx} to {@code dst} at absolute index {@code at}. */
    void read(long idx, ByteBuffer dst, int at) {
        dst.put(at, chunks[(int) (idx / slotsPerChunk)], offset(idx), slotBytes);
    }

    /** Copies {@code slotBytes} bytes from {@code src} at absolute index {@code at} into slot {@code idx}. */
    void write(long idx, ByteBuffer src, int at) {
        src.get(at, chunks[(int) (idx / slotsPerChunk)], offset(idx), slotBytes);
    }

    /** Slot {@code idx} as a new array. */
    byte[] copyOf(long idx) {
        byte[] out = new byte[slotBytes];
        System.arraycopy(chunks[(int) (idx / slotsPerChunk)], offset(idx), out, 0, slotBytes);
        return out;
    }

    private int offset(long idx) {
        return (int) (idx % slotsPerChunk) * slotBytes;
    }
}
