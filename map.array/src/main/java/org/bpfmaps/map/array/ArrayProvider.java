package org.bpfmaps.map.array;

import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapFootprint;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapState;
import org.bpfmaps.core.spi.MapProvider;
import org.bpfmaps.core.spi.MapTypeTraits;
import org.osgi.service.component.annotations.Component;

/**
 * The ARRAY family: ARRAY and PERCPU_ARRAY, with the rules of kernel/bpf/arraymap.c's
 * {@code array_map_alloc_check}: a 4-byte key, a value of 1 byte to INT_MAX (per-CPU: at most
 * 32 KiB once rounded), BPF_F_MMAPABLE and BPF_F_INNER_MAP only for the plain array, no NUMA
 * node for the per-CPU one. Batches are the kernel's generic lookup and update; there is no
 * delete batch and no lookup-and-delete.
 */
@Component(service = MapProvider.class,
        property = {MapProvider.MAP_TYPES + "=array", MapProvider.MAP_TYPES + "=percpu_array"})
public final class ArrayProvider implements MapProvider {
    private static final BpfCmd[] COMMANDS = {BpfCmd.MAP_LOOKUP_ELEM, BpfCmd.MAP_UPDATE_ELEM,
        BpfCmd.MAP_DELETE_ELEM, BpfCmd.MAP_GET_NEXT_KEY, BpfCmd.MAP_LOOKUP_BATCH, BpfCmd.MAP_UPDATE_BATCH};

    static final MapTypeTraits ARRAY = MapTypeTraits.of(MapType.ARRAY)
            .flagMask(BpfFlags.F_NUMA_NODE | BpfFlags.F_MMAPABLE | BpfFlags.F_ACCESS_MASK | BpfFlags.F_INNER_MAP)
            .keySize(4, 4)
            .valueSize(1, Integer.MAX_VALUE, Errno.E2BIG)
            .commands(COMMANDS)
            .build();

    static final MapTypeTraits PERCPU_ARRAY = MapTypeTraits.of(MapType.PERCPU_ARRAY)
            .flagMask(BpfFlags.F_NUMA_NODE | BpfFlags.F_ACCESS_MASK)
            .keySize(4, 4)
            .valueSize(1, Integer.MAX_VALUE, Errno.E2BIG)
            .noNuma()
            .commands(COMMANDS)
            .build();

    @Override
    public List<MapTypeTraits> types() {
        return List.of(ARRAY, PERCPU_ARRAY);
    }

    @Override
    public int allocCheck(MapDef def, ErrorSink err) {
        long slot = slotBytes(def);
        if (!ArrayStorage.fits(slot)) {
            return err.fail(Errno.ENOMEM, "value_size %d: this implementation allocates values of at most %d bytes",
                    def.valueSize(), ArrayStorage.CHUNK_BYTES);
        }
        long total = slot * Integer.toUnsignedLong(def.maxEntries());
        if (def.hasFlag(BpfFlags.F_MMAPABLE) && total > ArrayStorage.CHUNK_BYTES) {
            return err.fail(Errno.ENOMEM, "an MMAPABLE array of %d bytes is over the %d bytes one view can map",
                    total, ArrayStorage.CHUNK_BYTES);
        }
        return 0;
    }

    /**
     * The kernel's {@code array_map_mem_usage()}, so that {@code memlock} reads as bpftool shows it
     * for the same map: the {@code struct bpf_array} header, one rounded value per entry (page
     * aligned, header included, for an MMAPABLE array), and for a per-CPU array one pointer per
     * entry plus the values of every possible CPU. The storage here is the values alone; the
     * header and pointers stand for this JVM's own bookkeeping of the map.
     */
    @Override
    public long memoryUsage(MapDef def) {
        long entries = Integer.toUnsignedLong(def.maxEntries());
        long elem = def.roundedValueSize();
        if (def.type() == MapType.PERCPU_ARRAY) {
            return BPF_ARRAY_HEADER + entries * POINTER + entries * elem * def.possibleCpus();
        }
        if (def.hasFlag(BpfFlags.F_MMAPABLE)) {
            return pageAlign(BPF_ARRAY_HEADER) + pageAlign(entries * elem);
        }
        return BPF_ARRAY_HEADER + entries * elem;
    }

    /**
     * What the map takes here: a {@link WordArrayMap}'s {@code long[]} on the heap, or the
     * off-heap slots of the other layouts (every CPU's for a per-CPU array) with their buffer
     * objects; and the ops object. Measured with a heap histogram and the JVM's "direct" buffer
     * pool over 20,000 maps of each layout, less the core's bookkeeping (about 350 bytes a map):
     * a one-entry array of 8-byte values 41 heap bytes (24 for the {@code long[]}, 24 for the
     * ops), of 100 entries 842; an off-heap one, per-CPU or not, about 285 heap bytes (the
     * buffer objects) and its slots plus 8 bytes of alignment off-heap, exactly.
     */
    @Override
    public MapFootprint footprint(MapDef def) {
        long entries = Integer.toUnsignedLong(def.maxEntries());
        if (def.type() != MapType.PERCPU_ARRAY && WordArrayMap.suits(def)) {
            return MapFootprint.heap(OPS_BYTES + MapFootprint.arrayBytes(entries, 8));
        }
        return ArrayStorage.footprint(entries, slotBytes(def)).plusHeap(OPS_BYTES);
    }

    /** The ops object of one map (measured, as above). */
    static final long OPS_BYTES = 24;

    /** {@code sizeof(struct bpf_array)} on x86-64 Linux 6.x, as bpftool's memlock shows it. */
    static final long BPF_ARRAY_HEADER = 312;
    private static final long POINTER = 8;
    private static final long PAGE = 4096;

    private static long pageAlign(long n) {
        return (n + PAGE - 1) & -PAGE;
    }

    @Override
    public MapOps alloc(MapDef def) {
        if (def.type() == MapType.PERCPU_ARRAY) {
            return new PercpuArrayMap(def);
        }
        return WordArrayMap.suits(def) ? new WordArrayMap(def) : new PlainArrayMap(def);
    }

    /**
     * Takes back a map this family exported (this version or another): when the storage handed
     * over has the layout this version would choose for the definition, the map adopts it, the
     * same memory; otherwise it is read through the layout it has and copied into a new map. An
     * {@link MapState#ELEMENTS} state is replayed, as every provider does.
     */
    @Override
    public MapOps restore(MapDef def, MapState state, ErrorSink err) {
        ArrayMap handed = over(def, state);
        if (handed == null && state.format().startsWith(FORMATS)) {
            err.fail(Errno.EINVAL, "the storage handed over (" + state.format() + ") does not fit a "
                    + def.type().bpftoolName() + " of max_entries %d and value_size %d", def.maxEntries(),
                    def.valueSize());
            return null;
        }
        if (handed == null) {
            return MapProvider.super.restore(def, state, err);
        }
        MapOps fresh = alloc(def);
        if (fresh.getClass() == handed.getClass()) {
            return handed;
        }
        int r = MapState.walk(handed, def).replay(fresh);
        if (r != 0) {
            err.fail(Errno.EINVAL, "copying the array's elements failed: " + Errno.nameOf(r));
            return null;
        }
        return fresh;
    }

    /** The prefix of this family's state formats. */
    private static final String FORMATS = "org.bpfmaps.array.";

    /** The map over storage handed over in one of this family's formats, or null if it is not one. */
    private static ArrayMap over(MapDef def, MapState state) {
        long entries = Integer.toUnsignedLong(def.maxEntries());
        boolean percpu = def.type() == MapType.PERCPU_ARRAY;
        switch (state.format()) {
            case WordArrayMap.FORMAT:
                return !percpu && state.storage().size() == 1 && state.storage().get(0) instanceof long[] w
                        && w.length == entries && def.valueSize() <= 8 ? new WordArrayMap(def, w) : null;
            case PlainArrayMap.FORMAT: {
                ArrayStorage s = percpu ? null : ArrayStorage.adopt(entries, def.roundedValueSize(), state.storage());
                return s == null ? null : new PlainArrayMap(def, s);
            }
            case PercpuArrayMap.FORMAT: {
                ArrayStorage s = percpu ? ArrayStorage.adopt(entries, def.valueBufSize(), state.storage()) : null;
                return s == null ? null : new PercpuArrayMap(def, s);
            }
            default:
                return null;
        }
    }

    private static long slotBytes(MapDef def) {
        return def.type() == MapType.PERCPU_ARRAY ? def.valueBufSize() : def.roundedValueSize();
    }
}
