package org.bpfmaps.map.hash;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Zeroed, preallocated off-heap slots of equal size, as the kernel's {@code prealloc_init} lays
 * out a hash map's elements in one area: slot {@code e} at byte {@code e * slotBytes}. Direct
 * buffers hold at most 2 GiB, so a large slab is split into chunks of a power-of-two number of
 * slots and finding a slot is a shift and a mask. Chunks are 8-byte aligned and in host byte order,
 * so the words of a slot header are single aligned accesses.
 *
 * <p>The memory is never handed back while the map lives, so a reader that follows a stale link
 * into a slot that was freed and reused reads valid memory (as the kernel's preallocated elements,
 * which are reused without an RCU grace period, are always valid memory).
 */
final class Slab implements Elements {
    /** The most bytes one chunk holds. */
    static final long CHUNK_BYTES = 1L << 30;

    private final ByteBuffer[] chunks;
    private final int shift;
    private final int mask;
    private final int slotBytes;
    private final int capacity;

    Slab(int slots, int slotBytes) {
        this.slotBytes = slotBytes;
        this.capacity = slots;
        long perChunk = Long.highestOneBit(Math.max(1, CHUNK_BYTES / slotBytes));
        if (slots <= perChunk) {
            // one chunk of exactly the slots asked for: small maps pay no rounding
            shift = 31;
            mask = Integer.MAX_VALUE;
            chunks = new ByteBuffer[] {aligned((long) slots * slotBytes)};
            return;
        }
        shift = Long.numberOfTrailingZeros(perChunk);
        mask = (int) perChunk - 1;
        int n = (int) ((slots + perChunk - 1) / perChunk);
        chunks = new ByteBuffer[n];
        long left = slots;
        for (int i = 0; i < n; i++) {
            chunks[i] = aligned(Math.min(left, perChunk) * slotBytes);
            left -= perChunk;
        }
    }

    /** The bytes a slab of this shape takes. */
    static long bytes(long slots, int slotBytes) {
        return slots * slotBytes;
    }

    private static ByteBuffer aligned(long bytes) {
        return ByteBuffer.allocateDirect((int) bytes + 8).alignedSlice(8).limit((int) bytes).slice()
                .order(ByteOrder.nativeOrder());
    }

    @Override
    public ByteBuffer buf(int e) {
        return chunks[e >>> shift];
    }

    @Override
    public int base(int e) {
        return (e & mask) * slotBytes;
    }

    int slotBytes() {
        return slotBytes;
    }

    @Override
    public int capacity() {
        return capacity;
    }
}
