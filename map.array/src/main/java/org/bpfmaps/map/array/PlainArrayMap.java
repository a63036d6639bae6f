package org.bpfmaps.map.array;

import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.PrimitiveOps;

/**
 * BPF_MAP_TYPE_ARRAY: each value in a slot of {@code round_up(value_size, 8)} bytes, which is
 * also the layout an MMAPABLE array shows through mmap. Values of up to 8 bytes also have the
 * primitive fast paths, read and written as one atomic word.
 */
final class PlainArrayMap extends ArrayMap implements PrimitiveOps {
    PlainArrayMap(MapDef def) {
        super(def, def.roundedValueSize());
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
        if (!inRange(key)) {
            return Errno.E2BIG.ret();
        }
        if (flags == BpfFlags.NOEXIST) {
            return Errno.EEXIST.ret();
        }
        Slots.writeLong(storage.chunk(key), storage.offset(key), valueSize, value);
        return 0;
    }
}
