package org.bpfmaps.map.array;

import java.nio.ByteBuffer;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapState;
import org.bpfmaps.core.spi.PrimitiveOps;

/**
 * BPF_MAP_TYPE_ARRAY off-heap: each value in a slot of {@code round_up(value_size, 8)} bytes,
 * which is also the layout an MMAPABLE array shows through mmap. Values of up to 8 bytes also have
 * the primitive fast paths, read and written as one atomic word. Small arrays of small values that
 * nobody can map live in a {@link WordArrayMap} instead.
 */
final class PlainArrayMap extends ArrayMap implements PrimitiveOps {
    /** The state format: the storage's chunks, handed over as they are. */
    static final String FORMAT = "org.bpfmaps.array.slots/1";

    private final ArrayStorage storage;

    PlainArrayMap(MapDef def) {
        this(def, ArrayStorage.allocate(Integer.toUnsignedLong(def.maxEntries()), def.roundedValueSize()));
    }

    PlainArrayMap(MapDef def, ArrayStorage storage) {
        super(def);
        this.storage = storage;
    }

    /** Hands over the memory itself: an mmap view and writes still in flight keep reaching the map. */
    @Override
    public MapState exportState(MapDef def) {
        return MapState.ofStorage(FORMAT, Integer.toUnsignedLong(maxEntries), (Object[]) storage.chunks());
    }

    @Override
    protected void copyOut(int idx, ByteBuffer dst, int at) {
        Slots.read(storage.chunk(idx), storage.offset(idx), valueSize, dst, at);
    }

    @Override
    protected void copyIn(int idx, ByteBuffer src, int at) {
        Slots.write(storage.chunk(idx), storage.offset(idx), valueSize, src, at);
    }

    @Override
    public ByteBuffer mmapView() {
        return storage.whole();
    }

    @Override
    public long lookupLong(int key, long absent) {
        if (!inRange(key)) {
            return absent;
        }
        return Slots.readLong(storage.chunk(key), storage.offset(key), valueSize);
    }

    @Override
    public int updateLong(int key, long value, long flags) {
        int err = updateCheck(key, flags);
        if (err != 0) {
            return err;
        }
        Slots.writeLong(storage.chunk(key), storage.offset(key), valueSize, value);
        return 0;
    }
}
