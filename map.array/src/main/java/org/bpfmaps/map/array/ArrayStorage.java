package org.bpfmaps.map.array;

import java.nio.ByteBuffer;
import org.bpfmaps.core.spi.MapFootprint;

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

    /** Adopts chunks that an {@link ArrayStorage} of the same shape made (see {@link #chunks()}). */
    private ArrayStorage(ByteBuffer[] chunks, int shift, int mask, int slotBytes) {
        this.chunks = chunks;
        this.shift = shift;
        this.mask = mask;
        this.slotBytes = slotBytes;
    }

    /** Zeroed storage for {@code slots} slots of {@code slotBytes} bytes. */
    static ArrayStorage allocate(long slots, int slotBytes) {
        ArrayStorage s = shapeOf(slots, slotBytes);
        long left = slots;
        for (int i = 0; i < s.chunks.length; i++) {
            long n = Math.min(left, s.perChunk());
            s.chunks[i] = alignedDirect(n * slotBytes);
            left -= n;
        }
        return s;
    }

    /**
     * The chunks, to hand over to the next provider when this one leaves: the same memory, so that
     * an mmap view and writes still in flight keep reaching the map.
     */
    ByteBuffer[] chunks() {
        return chunks.clone();
    }

    /**
     * The storage over chunks handed over by {@link #chunks()}, or null if they are not what a new
     * storage of this shape would be (another layout: the caller copies the elements instead).
     */
    static ArrayStorage adopt(long slots, int slotBytes, java.util.List<Object> handed) {
        ArrayStorage fresh = shapeOf(slots, slotBytes);
        if (handed.size() != fresh.chunks.length) {
            return null;
        }
        ByteBuffer[] c = new ByteBuffer[handed.size()];
        long left = slots;
        for (int i = 0; i < c.length; i++) {
            long want = Math.min(left, fresh.perChunk()) * slotBytes;
            if (!(handed.get(i) instanceof ByteBuffer b) || !b.isDirect() || b.capacity() != want
                    || b.alignmentOffset(0, 8) != 0) {
                return null;
            }
            c[i] = b;
            left -= want / slotBytes;
        }
        return new ArrayStorage(c, fresh.shift, fresh.mask, slotBytes);
    }

    /** A storage's shape (shift, mask, chunk count) with no memory behind it yet. */
    private static ArrayStorage shapeOf(long slots, int slotBytes) {
        int perChunkShift = 63 - Long.numberOfLeadingZeros(Math.max(1, CHUNK_BYTES / slotBytes));
        long perChunk = 1L << perChunkShift;
        if (slots <= perChunk) {
            // one chunk of exactly the slots asked for: small maps pay no rounding
            return new ArrayStorage(new ByteBuffer[1], 31, (int) ((1L << 31) - 1), slotBytes);
        }
        int n = (int) ((slots + perChunk - 1) / perChunk);
        return new ArrayStorage(new ByteBuffer[n], perChunkShift, (int) ((1L << perChunkShift) - 1), slotBytes);
    }

    private long perChunk() {
        return shift >= 31 ? Long.MAX_VALUE : 1L << shift;
    }

    /**
     * The Java objects that keep one chunk: the buffer {@code allocateDirect} makes with its
     * cleaner and deallocator, and the aligned slice the storage keeps (measured: see
     * {@link ArrayProvider#footprint}).
     */
    static final long CHUNK_OBJECT_BYTES = 216;
    /** This object and its chunk array's header. */
    static final long STORAGE_OBJECT_BYTES = 32 + 16;

    /**
     * What a storage of this shape takes: each chunk's bytes and the 8 its alignment may skip,
     * off-heap; the buffer objects and the chunk array on the heap.
     */
    static MapFootprint footprint(long slots, long slotBytes) {
        int perChunkShift = 63 - Long.numberOfLeadingZeros(Math.max(1, CHUNK_BYTES / slotBytes));
        long perChunk = slots <= 1L << perChunkShift ? Math.max(slots, 1) : 1L << perChunkShift;
        long chunks = (slots + perChunk - 1) / perChunk;
        return new MapFootprint(STORAGE_OBJECT_BYTES + ((4 * chunks + 7) & ~7L) + chunks * CHUNK_OBJECT_BYTES,
                slots * slotBytes + 8 * chunks);
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
