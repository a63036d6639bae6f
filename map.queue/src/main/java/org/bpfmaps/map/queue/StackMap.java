package org.bpfmaps.map.queue;

import org.bpfmaps.core.spi.MapDef;

/** BPF_MAP_TYPE_STACK: last in, first out. */
final class StackMap extends QueueStackMap {
    StackMap(MapDef def) {
        super(def);
    }

    @Override
    long takeSlot(Ring r) {
        return r.newest();
    }

    @Override
    void drop(Ring r) {
        r.dropNewest();
    }
}
