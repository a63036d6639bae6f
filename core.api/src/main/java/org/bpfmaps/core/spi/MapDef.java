package org.bpfmaps.core.spi;

import org.bpfmaps.core.api.MapType;

/**
 * A map's definition after the core's checks: the MAP_CREATE fields that a provider reads, plus
 * the layout the core derived from them.
 *
 * @param mapFlags the flags kept by the map (the per-fd BPF_F_RDONLY / BPF_F_WRONLY removed)
 * @param numaNode the requested node, or {@code NUMA_NO_NODE} (-1)
 * @param possibleCpus the instance's possible CPU count
 * @param valueBufSize the bytes of a value as user space passes it: {@code value_size}, or for
 *     per-CPU types {@code round_up(value_size, 8) * possibleCpus}
 */
public record MapDef(
        MapType type,
        int keySize,
        int valueSize,
        int maxEntries,
        int mapFlags,
        int numaNode,
        long mapExtra,
        String name,
        int possibleCpus,
        int valueBufSize) {

    /** {@code round_up(value_size, 8)}: the stride of one value slot in per-CPU and array layouts. */
    public int roundedValueSize() {
        return (valueSize + 7) & ~7;
    }

    /** The same definition with another max_entries: what {@link MapProvider#adjust} may return. */
    public MapDef withMaxEntries(int entries) {
        return new MapDef(type, keySize, valueSize, entries, mapFlags, numaNode, mapExtra, name, possibleCpus,
                valueBufSize);
    }

    public boolean hasFlag(int flag) {
        return (mapFlags & flag) != 0;
    }
}
