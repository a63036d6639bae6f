package org.bpfmaps.map.array;

import java.nio.ByteBuffer;

/**
 * Zeroed, preallocated off-heap slots of equal size, as the kernel's array maps keep them: element
 * {@code i} at byte {@code i * slotBytes}. Direct buffers hold at most 2 GiB each, so a large
 * array is split into chunks of a power-of-two number of slots, and finding a slot is a shift and
 * a mask. Every chunk is 8-byte aligned so that slots of 8 bytes can be read and written
 * atomically.
 */
final class ArrayStorage {
    /** The most bytes one chunk holds. */
    static final long CHUNK_BYTES = 1L << 30;

    private final ByteBuffer[] chunks;
    private final int shift;
    private final int mask;
    private final int slotBytes;

    ArrayStorage(long slots, int slotBytes) {
        this.slotBytes = slotBytes;
        int perChunkShift = 63 - Long.numberOfLeadingZeros(Math.max(1, CHUNK_BYTES / slotBytes));
        long perChunk = 1L << perChunkShift;
        if (slots <= perChunk) {
            // one chunk of exactly the slots asked for: small maps pay no rounding
            perChunkShift = 31;
            perChunk = slots;
        }
        this.shift = perChunkShift;
        this.mask = (int) ((1L << Math.min(perChunkShift, 31)) - 1);
        int n = (int) ((slots + perChunk - 1) / perChunk);
        chunks = new ByteBuffer[n];
        long left = slots;
        for (int i = 0; i < n; i++) {
            long s = Math.min(left, perChunk);
            chunks[i] = alignedDirect(s * slotBytes);
            left -= s;
        }
    }

    /** The bytes a storage of this shape takes (for the memory budget). */
    static long bytes(long slots, int slotBytes) {
        return slots * slotBytes;
    }

    /** Whether a slot of this size fits in one chunk. */
    static boolean fits(long slotBytes) {
        return slotBytes <= CHUNK_BYTES;
    }

    private static ByteBuffer alignedDirect(long bytes) {
        return ByteBuffer.allocateDirect((int) bytes + 8).alignedSlice(8).limit((int) bytes).slice();
    }

    /** The chunk holding slot {@code idx} (an unsigned index below the slot count). */
    ByteBuffer chunk(int idx) {
        return chunks[shift >= 31 ? 0 : idx >>> shift];
    }

    /** The byte offset of slot {@code idx} in its chunk. */
    int offset(int idx) {
        return (shift >= 31 ? idx : idx & mask) * slotBytes;
    }

    /** The whole storage as one buffer, or null when it spans several chunks. */
    ByteBuffer whole() {
        return chunks.length == 1 ? chunks[0].duplicate() : null;
    }

    int slotBytes() {
        return slotBytes;
    }
}
