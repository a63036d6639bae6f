package org.bpfmaps.map.queue;

import org.bpfmaps.core.spi.MapDef;

/** BPF_MAP_TYPE_QUEUE: first in, first out. */
final class QueueMap extends QueueStackMap {
    QueueMap(MapDef def) {
        super(def);
    }

    @Override
    long takeSlot(Ring r) {
        return r.oldest();
    }

    @Override
    void drop(Ring r) {
        r.dropOldest();
    }
}
