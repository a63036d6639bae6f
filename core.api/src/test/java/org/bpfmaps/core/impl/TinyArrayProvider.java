package org.bpfmaps.core.impl;

import java.nio.ByteBuffer;
import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.Bytes;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapProvider;
import org.bpfmaps.core.spi.MapState;
import org.bpfmaps.core.spi.MapTypeTraits;

/**
 * The smallest provider that lets the core's tests run real commands: an ARRAY on the heap.
 * The real ARRAY family lives in map.array; this one exists so that core tests depend on no
 * provider bundle.
 */
final class TinyArrayProvider implements MapProvider {
    static final MapTypeTraits TRAITS = MapTypeTraits.of(MapType.ARRAY)
            .flagMask(BpfFlags.F_NUMA_NODE | BpfFlags.F_MMAPABLE | BpfFlags.F_ACCESS_MASK)
            .keySize(4, 4)
            .valueSize(1, Integer.MAX_VALUE, Errno.E2BIG)
            .commands(BpfCmd.MAP_LOOKUP_ELEM, BpfCmd.MAP_UPDATE_ELEM, BpfCmd.MAP_DELETE_ELEM,
                    BpfCmd.MAP_GET_NEXT_KEY, BpfCmd.MAP_LOOKUP_BATCH, BpfCmd.MAP_UPDATE_BATCH)
            .build();

    int freed;
    /** When set, {@link #restore} refuses every state with this reason. */
    String refuseWith;

    @Override
    public List<MapTypeTraits> types() {
        return List.of(TRAITS);
    }

    @Override
    public long memoryUsage(MapDef def) {
        return (long) def.roundedValueSize() * Integer.toUnsignedLong(def.maxEntries());
    }

    @Override
    public MapOps restore(MapDef def, MapState state, ErrorSink err) {
        if (refuseWith != null) {
            err.fail(Errno.EINVAL, refuseWith);
            return null;
        }
        return MapProvider.super.restore(def, state, err);
    }

    @Override
    public MapOps alloc(MapDef def) {
        int stride = def.roundedValueSize();
        ByteBuffer data = ByteBuffer.allocate(stride * def.maxEntries());
        int max = def.maxEntries();
        int vs = def.valueSize();
        return new MapOps() {
            @Override
            public int lookupElem(ByteBuffer key, ByteBuffer value, long flags) {
                int i = Bytes.getInt(key, key.position());
                if (Integer.compareUnsigned(i, max) >= 0) {
                    return Errno.ENOENT.ret();
                }
                Bytes.copy(data, i * stride, value, value.position(), vs);
                return 0;
            }

            @Override
            public int updateElem(ByteBuffer key, ByteBuffer value, long flags) {
                int i = Bytes.getInt(key, key.position());
                if (Integer.compareUnsigned(i, max) >= 0) {
                    return Errno.E2BIG.ret();
                }
                if (flags == BpfFlags.NOEXIST) {
                    return Errno.EEXIST.ret();
                }
                Bytes.copy(value, value.position(), data, i * stride, vs);
                return 0;
            }

            @Override
            public int deleteElem(ByteBuffer key) {
                return Errno.EINVAL.ret();
            }

            @Override
            public int getNextKey(ByteBuffer key, ByteBuffer nextKey) {
                int i = key == null ? -1 : Bytes.getInt(key, key.position());
                int next = key == null || Integer.compareUnsigned(i, max) >= 0 ? 0 : i + 1;
                if (next == max) {
                    return Errno.ENOENT.ret();
                }
                Bytes.putInt(nextKey, nextKey.position(), next);
                return 0;
            }

            @Override
            public ByteBuffer mmapView() {
                return data.duplicate();
            }

            @Override
            public void free() {
                freed++;
            }
        };
    }
}
