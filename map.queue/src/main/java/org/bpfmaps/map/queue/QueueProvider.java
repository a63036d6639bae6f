package org.bpfmaps.map.queue;

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
 * The keyless maps: QUEUE and STACK (kernel/bpf/queue_stack_maps.c) and BLOOM_FILTER
 * (kernel/bpf/bloom_filter.c). Shipped apart from the default distribution, to be hot-loaded.
 *
 * <p>QUEUE and STACK fit the core's table exactly ({@code queue_stack_map_alloc_check}: key_size
 * 0, value_size 1..KMALLOC_MAX_SIZE, max_entries at least 1, NUMA and access flags only, every
 * EINVAL before the E2BIG). The bloom filter does not: the kernel checks the value size (E2BIG)
 * in {@code map_alloc_check} and everything else (EINVAL) later in {@code map_alloc}, so its table
 * lets through what {@link #allocCheck} then refuses in the kernel's order. Its table still refuses
 * BPF_F_MMAPABLE, because the core answers mmap by that bit (ENOTSUPP for a type that cannot map).
 */
@Component(service = MapProvider.class, property = {MapProvider.MAP_TYPES + "=queue",
    MapProvider.MAP_TYPES + "=stack", MapProvider.MAP_TYPES + "=bloom_filter"})
public final class QueueProvider implements MapProvider {
    /** {@code KMALLOC_MAX_SIZE} on x86-64 (4 MiB): values above it could not be copied to user space. */
    static final long KMALLOC_MAX_SIZE = 4L << 20;

    /** {@code sizeof(struct bpf_queue_stack)} and {@code sizeof(struct bpf_bloom_filter)} on 6.18 x86-64. */
    static final long MAP_HEADER = 312;

    static final int QUEUE_STACK_FLAG_MASK = BpfFlags.F_NUMA_NODE | BpfFlags.F_ACCESS_MASK;
    static final int BLOOM_FLAG_MASK = BpfFlags.F_NUMA_NODE | BpfFlags.F_ZERO_SEED | BpfFlags.F_ACCESS_MASK;

    private static final BpfCmd[] QUEUE_STACK_COMMANDS = {BpfCmd.MAP_LOOKUP_ELEM, BpfCmd.MAP_UPDATE_ELEM,
        BpfCmd.MAP_DELETE_ELEM, BpfCmd.MAP_GET_NEXT_KEY, BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM};

    static final MapTypeTraits QUEUE = queueStack(MapType.QUEUE);
    static final MapTypeTraits STACK = queueStack(MapType.STACK);

    static final MapTypeTraits BLOOM_FILTER = MapTypeTraits.of(MapType.BLOOM_FILTER)
            .flagMask(~BpfFlags.F_MMAPABLE)
            .keySize(0, 0xffff_ffffL)
            .valueSize(0, 0xffff_ffffL, Errno.E2BIG)
            .maxEntriesMin(0)
            .commands(BpfCmd.MAP_LOOKUP_ELEM, BpfCmd.MAP_UPDATE_ELEM, BpfCmd.MAP_DELETE_ELEM, BpfCmd.MAP_GET_NEXT_KEY)
            .build();

    private static MapTypeTraits queueStack(MapType type) {
        return MapTypeTraits.of(type)
                .flagMask(QUEUE_STACK_FLAG_MASK)
                .keySize(0, 0)
                .valueSize(1, KMALLOC_MAX_SIZE, Errno.E2BIG)
                .commands(QUEUE_STACK_COMMANDS)
                .build();
    }

    @Override
    public List<MapTypeTraits> types() {
        return List.of(QUEUE, STACK, BLOOM_FILTER);
    }

    /** The bloom filter's checks, in the order of {@code bloom_map_alloc_check} then {@code bloom_map_alloc}. */
    @Override
    public int allocCheck(MapDef def, ErrorSink err) {
        if (def.type() != MapType.BLOOM_FILTER) {
            return 0;
        }
        long vs = Integer.toUnsignedLong(def.valueSize());
        if (vs > KMALLOC_MAX_SIZE) {
            return err.fail(Errno.E2BIG, "value_size %d: bloom_filter values are at most %d bytes", vs,
                    KMALLOC_MAX_SIZE);
        }
        if (def.keySize() != 0) {
            return err.fail(Errno.EINVAL, "key_size %d: a bloom_filter has no keys (key_size must be 0)",
                    Integer.toUnsignedLong(def.keySize()));
        }
        if (vs == 0) {
            return err.fail(Errno.EINVAL, "value_size 0: bloom_filter values are at least 1 byte");
        }
        if (def.maxEntries() == 0) {
            return err.fail(Errno.EINVAL, "max_entries 0: bloom_filter needs at least 1");
        }
        // the core has removed BPF_F_RDONLY / BPF_F_WRONLY, which the mask allows anyway
        if ((def.mapFlags() & ~BLOOM_FLAG_MASK) != 0) {
            return err.fail(Errno.EINVAL, "map_flags 0x%x: bloom_filter accepts only 0x%x", def.mapFlags(),
                    BLOOM_FLAG_MASK);
        }
        int prog = BpfFlags.F_RDONLY_PROG | BpfFlags.F_WRONLY_PROG;
        if ((def.mapFlags() & prog) == prog) {
            return err.fail(Errno.EINVAL, "map_flags has both BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG");
        }
        if ((def.mapExtra() & ~0xfL) != 0) {
            return err.fail(Errno.EINVAL, "map_extra 0x%x: only its low 4 bits (the number of hash functions) "
                    + "may be set", def.mapExtra());
        }
        return 0;
    }

    /**
     * The kernel's {@code queue_stack_map_mem_usage} and {@code bloom_map_mem_usage}, so that
     * {@code memlock} reads as bpftool shows it: the map struct, then {@code max_entries + 1} value
     * slots, or the bitset.
     */
    @Override
    public long memoryUsage(MapDef def) {
        if (def.type() == MapType.BLOOM_FILTER) {
            return MAP_HEADER + BloomGeometry.of(Integer.toUnsignedLong(def.maxEntries()), def.mapExtra()).bytes();
        }
        return MAP_HEADER + (Integer.toUnsignedLong(def.maxEntries()) + 1) * Integer.toUnsignedLong(def.valueSize());
    }

    /**
     * What the map takes on this heap (nothing is off-heap): a queue's or stack's
     * {@code max_entries + 1} slots in byte arrays of at most 1 GiB, or a bloom filter's bit words;
     * and the map's own objects (measured with a heap histogram over thousands of maps).
     */
    @Override
    public MapFootprint footprint(MapDef def) {
        long entries = Integer.toUnsignedLong(def.maxEntries());
        if (def.type() == MapType.BLOOM_FILTER) {
            long words = BloomGeometry.of(entries, def.mapExtra()).bytes() / 8;
            return MapFootprint.heap(BLOOM_BYTES + MapFootprint.arrayBytes(words, 8));
        }
        long slot = Integer.toUnsignedLong(def.valueSize());
        long slots = entries + 1;
        long perChunk = Math.max(1, (1L << 30) / slot);
        long chunks = (slots + perChunk - 1) / perChunk;
        // every chunk full but the last; each a byte[] of its header and bytes, padded to 8
        long full = slots / perChunk;
        long bytes = full * MapFootprint.arrayBytes(perChunk * slot, 1);
        if (chunks > full) {
            bytes += MapFootprint.arrayBytes((slots - full * perChunk) * slot, 1);
        }
        return MapFootprint.heap(QUEUE_BYTES + MapFootprint.arrayBytes(chunks, 4) + bytes);
    }

    /** A queue's or stack's ops, lock, ring and slot array objects. */
    static final long QUEUE_BYTES = 128;
    /** A bloom filter's ops, geometry and bit set objects. */
    static final long BLOOM_BYTES = 128;

    /**
     * A bloom filter adopts the bit words and seed its predecessor handed over; a queue or stack
     * is refilled from its elements, oldest first, by the default replay.
     */
    @Override
    public MapOps restore(MapDef def, MapState state, ErrorSink err) {
        if (def.type() != MapType.BLOOM_FILTER) {
            return MapProvider.super.restore(def, state, err);
        }
        BloomFilterMap m = BloomFilterMap.restore(def, state);
        if (m == null) {
            err.fail(Errno.EINVAL, "the bloom filter state (" + state.format() + ") does not fit max_entries %d "
                    + "and map_extra %d", Integer.toUnsignedLong(def.maxEntries()), def.mapExtra());
        }
        return m;
    }

    @Override
    public MapOps alloc(MapDef def) {
        switch (def.type()) {
            case QUEUE:
                return new QueueMap(def);
            case STACK:
                return new StackMap(def);
            default:
                return new BloomFilterMap(def);
        }
    }
}
