package org.bpfmaps.map.array;

import java.nio.ByteBuffer;
import org.bpfmaps.core.spi.CurrentCpu;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapState;

/**
 * BPF_MAP_TYPE_PERCPU_ARRAY: an array whose every element holds one value per possible CPU. From
 * user space a value is all CPUs' values back to back, each padded to 8 bytes; the padding is
 * stored and read back as written, as the kernel's {@code bpf_percpu_array_copy} does.
 */
final class PercpuArrayMap extends ArrayMap {
    /** The state format: the storage's chunks, handed over as they are. */
    static final String FORMAT = "org.bpfmaps.array.percpu-slots/1";

    private final ArrayStorage storage;
    private final int stride;
    private final int cpus;

    PercpuArrayMap(MapDef def) {
        this(def, ArrayStorage.allocate(Integer.toUnsignedLong(def.maxEntries()), def.valueBufSize()));
    }

    PercpuArrayMap(MapDef def, ArrayStorage storage) {
        super(def);
        this.storage = storage;
        this.stride = def.roundedValueSize();
        this.cpus = def.possibleCpus();
    }

    /** Hands over the memory itself, so that writes still in flight keep reaching the map. */
    @Override
    public MapState exportState(MapDef def) {
        return MapState.ofStorage(FORMAT, Integer.toUnsignedLong(maxEntries), (Object[]) storage.chunks());
    }

    @Override
    protected void copyOut(int idx, ByteBuffer dst, int at) {
        ByteBuffer c = storage.chunk(idx);
        int off = storage.offset(idx);
        for (int cpu = 0; cpu < cpus; cpu++) {
            Slots.read(c, off + cpu * stride, stride, dst, at + cpu * stride);
        }
    }

    /** The current CPU's value_size bytes ({@code percpu_array_map_lookup_elem}: {@code this_cpu_ptr}). */
    @Override
    protected void copyOutProg(int idx, ByteBuffer dst, int at) {
        Slots.read(storage.chunk(idx), storage.offset(idx) + CurrentCpu.get(cpus) * stride, valueSize, dst, at);
    }

    /**
     * The current CPU's value_size bytes, its padding left as it was ({@code array_map_update_elem}
     * copies value_size bytes to {@code this_cpu_ptr} with {@code copy_map_value}).
     */
    @Override
    protected void copyInProg(int idx, ByteBuffer src, int at) {
        Slots.write(storage.chunk(idx), storage.offset(idx) + CurrentCpu.get(cpus) * stride, valueSize, src, at);
    }

    @Override
    protected void copyIn(int idx, ByteBuffer src, int at) {
        ByteBuffer c = storage.chunk(idx);
        int off = storage.offset(idx);
        for (int cpu = 0; cpu < cpus; cpu++) {
            Slots.write(c, off + cpu * stride, stride, src, at + cpu * stride);
        }
    }
}
