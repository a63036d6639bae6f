package org.bpfmaps.map.hash;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapFootprint;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapProvider;
import org.bpfmaps.core.spi.MapTypeTraits;
import org.osgi.service.component.annotations.Component;

/**
 * The hash family: HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH, with the rules of
 * kernel/bpf/hashtab.c's {@code htab_map_alloc_check} and {@code htab_map_alloc}.
 *
 * <p>The table below says the flag mask (NO_PREALLOC, NO_COMMON_LRU, NUMA_NODE, the access flags,
 * ZERO_SEED) and which values are per-CPU; its size minimums are 0 so that {@link #allocCheck}
 * can make the kernel's checks in the kernel's order, which the table cannot say: NO_COMMON_LRU
 * on a non-LRU type, then NO_PREALLOC on an LRU type (ENOTSUPP: LRU maps are always
 * preallocated), then NUMA with per-CPU values or lists, then zero sizes, then key + value against
 * KMALLOC_MAX_SIZE; the core's per-CPU value cap runs after all of these, as the last rule of
 * {@code htab_map_alloc_check} ({@link MapTypeTraits.Builder#perCpuLimitLast}), then the bucket
 * count.
 *
 * <p>With BPF_F_NO_COMMON_LRU, max_entries is rounded up to a multiple of the possible CPUs so
 * that every CPU's LRU list has the same share ({@link #adjust}); info reports the rounded number.
 */
@Component(service = MapProvider.class, property = {MapProvider.MAP_TYPES + "=hash",
    MapProvider.MAP_TYPES + "=percpu_hash", MapProvider.MAP_TYPES + "=lru_hash",
    MapProvider.MAP_TYPES + "=lru_percpu_hash"})
public final class HashProvider implements MapProvider {
    /** {@code HTAB_CREATE_FLAG_MASK}. */
    static final int CREATE_FLAG_MASK = BpfFlags.F_NO_PREALLOC | BpfFlags.F_NO_COMMON_LRU | BpfFlags.F_NUMA_NODE
            | BpfFlags.F_ACCESS_MASK | BpfFlags.F_ZERO_SEED;
    /** KMALLOC_MAX_SIZE on x86-64 (4 MiB): the largest element the kernel can allocate. */
    static final long KMALLOC_MAX_SIZE = 4L << 20;
    /** {@code sizeof(struct htab_elem)} on x86-64 6.18: key + value must stay below 4 MiB minus this. */
    static final long HTAB_ELEM_SIZE = 48;
    /** {@code U32_MAX / sizeof(struct bucket)} rounded down to a power of two: the most buckets. */
    static final long MAX_BUCKETS = 1L << 27;

    private static final BpfCmd[] COMMANDS = {BpfCmd.MAP_LOOKUP_ELEM, BpfCmd.MAP_UPDATE_ELEM,
        BpfCmd.MAP_DELETE_ELEM, BpfCmd.MAP_GET_NEXT_KEY, BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM,
        BpfCmd.MAP_LOOKUP_BATCH, BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH, BpfCmd.MAP_UPDATE_BATCH,
        BpfCmd.MAP_DELETE_BATCH};

    private static final List<MapTypeTraits> TYPES = List.of(traits(MapType.HASH), traits(MapType.PERCPU_HASH),
            traits(MapType.LRU_HASH), traits(MapType.LRU_PERCPU_HASH));

    private static MapTypeTraits traits(MapType type) {
        MapTypeTraits.Builder b = MapTypeTraits.of(type)
                .flagMask(CREATE_FLAG_MASK)
                .keySize(0, 0xffff_ffffL)
                .valueSize(0, 0xffff_ffffL, Errno.E2BIG)
                .maxEntriesMin(0)
                .commands(COMMANDS);
        if (perCpu(type)) {
            b.perCpuLimitLast();
        }
        return b.build();
    }

    static boolean perCpu(MapType type) {
        return type.perCpu();
    }

    static boolean lru(MapType type) {
        return type == MapType.LRU_HASH || type == MapType.LRU_PERCPU_HASH;
    }

    @Override
    public List<MapTypeTraits> types() {
        return TYPES;
    }

    @Override
    public int allocCheck(MapDef def, ErrorSink err) {
        MapType type = def.type();
        boolean percpuLru = def.hasFlag(BpfFlags.F_NO_COMMON_LRU);
        if (!lru(type) && percpuLru) {
            return err.fail(Errno.EINVAL, "map_flags BPF_F_NO_COMMON_LRU (0x2): only LRU hashes have per-CPU LRU lists");
        }
        if (lru(type) && def.hasFlag(BpfFlags.F_NO_PREALLOC)) {
            return err.fail(Errno.ENOTSUPP, "map_flags BPF_F_NO_PREALLOC (0x1): LRU hashes are always preallocated");
        }
        if (def.numaNode() != BpfFlags.NUMA_NO_NODE && (perCpu(type) || percpuLru)) {
            return err.fail(Errno.EINVAL, perCpu(type)
                    ? "BPF_F_NUMA_NODE: per-CPU values cannot be bound to a node"
                    : "BPF_F_NUMA_NODE: per-CPU LRU lists (BPF_F_NO_COMMON_LRU) cannot be bound to a node");
        }
        long ks = Integer.toUnsignedLong(def.keySize());
        long vs = Integer.toUnsignedLong(def.valueSize());
        if (def.maxEntries() == 0) {
            return err.fail(Errno.EINVAL, "max_entries 0: a hash map needs at least 1");
        }
        if (ks == 0) {
            return err.fail(Errno.EINVAL, "key_size 0: a hash map needs keys of at least 1 byte");
        }
        if (vs == 0) {
            return err.fail(Errno.EINVAL, "value_size 0: a hash map needs values of at least 1 byte");
        }
        if (ks + vs >= KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE) {
            // user space could not reach such elements through bpf(); the kernel cannot allocate them
            return err.fail(Errno.E2BIG, "key_size + value_size is %d; it must be below %d (4 MiB minus the "
                    + "element header)", ks + vs, KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE);
        }
        long entries = maxEntries(def);
        if (entries > 1L << 31 || buckets(entries) > MAX_BUCKETS) {
            return err.fail(Errno.E2BIG, "max_entries %d: a hash map has at most %d buckets, so at most that "
                    + "many entries", entries, MAX_BUCKETS);
        }
        return 0;
    }

    /**
     * max_entries as {@code htab_map_alloc} sets it: with BPF_F_NO_COMMON_LRU, rounded up to a
     * multiple of the possible CPUs (down, where up would overflow the u32).
     */
    static long maxEntries(MapDef def) {
        long n = Integer.toUnsignedLong(def.maxEntries());
        if (!lru(def.type()) || !def.hasFlag(BpfFlags.F_NO_COMMON_LRU)) {
            return n;
        }
        long cpus = def.possibleCpus();
        long up = (n + cpus - 1) / cpus * cpus;
        return up <= 0xffff_ffffL ? up : n / cpus * cpus;
    }

    /** {@code roundup_pow_of_two(max_entries)}. */
    static long buckets(long entries) {
        return entries <= 1 ? 1 : Long.highestOneBit(entries - 1) << 1;
    }

    @Override
    public MapDef adjust(MapDef def) {
        long n = maxEntries(def);
        return n == Integer.toUnsignedLong(def.maxEntries()) ? def : def.withMaxEntries((int) n);
    }

    /**
     * The bytes the map's storage takes: the buckets (each its own lock), and the elements.
     * Preallocated: max_entries element slots off-heap. BPF_F_NO_PREALLOC: the index per possible
     * element, and max_entries elements as the most there can be; the budget has to cover the map
     * at its fullest, since elements are allocated later with no budget check.
     */
    @Override
    public long memoryUsage(MapDef def) {
        long entries = Integer.toUnsignedLong(def.maxEntries());
        if (def.hasFlag(BpfFlags.F_NO_PREALLOC)) {
            // charged at its fullest, so that an insert never finds the budget spent
            return onDemandBytes(def, entries);
        }
        long slot = ElemLayout.slotBytes(def, lru(def.type()));
        return bucketBytes(def) + Slab.bytes(entries, (int) slot);
    }

    /** The bytes of a map's bucket table: 8 per bucket, or a record with a home element ({@link #homeShift}). */
    static long bucketBytes(MapDef def) {
        long n = buckets(Integer.toUnsignedLong(def.maxEntries()));
        int shift = homeShift(def);
        // with home elements buckets pair up in 64-byte records: a table of one bucket has one record
        return shift == 0 ? Buckets.bytes(n) : Math.max(n, 2) << shift;
    }

    /** The bytes of a bucket record with a home element: the count, the head and a 24-byte element. */
    private static final int HOME_SHIFT = Buckets.PAIRED_SHIFT;

    /**
     * log2 of a bucket record's bytes when the map's buckets hold home elements
     * ({@link HomeSlots}), else 0. Plain preallocated HASH maps whose element is 24 bytes (keys
     * and values of up to 8 bytes) get them, in 32-byte records, two to a cache line. Why only
     * those: the records cost {@code (32 - 8) * buckets} bytes more than plain buckets, and with
     * an element of {@code slot} bytes the kernel charges {@code 16 * buckets + (slot + 40) *
     * max_entries} (its 16-byte bucket and 48-byte element header), so memlock stays at most the
     * kernel's while {@code 16 * buckets <= 40 * max_entries}, which a power-of-two bucket count
     * below twice max_entries always meets; a 64-byte record (larger values) would not. Per-CPU
     * values are large, LRU maps take their elements from their lists, and BPF_F_NO_PREALLOC maps
     * hold no element storage while a key is absent. The table must also fit one direct buffer.
     */
    static int homeShift(MapDef def) {
        if (def.type() != MapType.HASH || def.hasFlag(BpfFlags.F_NO_PREALLOC)
                || ElemLayout.slotBytes(def, false) != (1 << HOME_SHIFT) - 8) {
            return 0;
        }
        long n = buckets(Integer.toUnsignedLong(def.maxEntries()));
        return n << HOME_SHIFT <= 1L << 30 ? HOME_SHIFT : 0;
    }

    /**
     * What the map takes here, at its fullest: off-heap, the buckets and (preallocated) the
     * element slab, each chunk with the 8 bytes its alignment may skip; on the heap, the ops and
     * table objects with the buffers' objects and the free list's stripes, the LRU lists, and for
     * BPF_F_NO_PREALLOC the per-entry indexes and max_entries element buffers (a byte[] and its
     * HeapByteBuffer each), since inserts are not charged one by one. Measured with a heap
     * histogram and the "direct" buffer pool over thousands of maps, empty and full.
     */
    @Override
    public MapFootprint footprint(MapDef def) {
        long entries = Integer.toUnsignedLong(def.maxEntries());
        boolean homes = homeShift(def) != 0;
        // the table's buffer, with what its alignment (8 bytes, or a cache line for home records) may skip
        MapFootprint table = new MapFootprint(MAP_OBJECT_BYTES + BUFFER_OBJECT_BYTES, bucketBytes(def)
                + (homes ? 64 : 8));
        if (def.hasFlag(BpfFlags.F_NO_PREALLOC)) {
            long element = MapFootprint.arrayBytes(ElemLayout.slotBytes(def, false), 1)
                    + OnDemandElements.BUFFER_OBJECT_BYTES;
            // the references to the elements and the free list's links: an int-sized array each
            return table.plusHeap(OnDemandElements.MAP_BYTES + FreeList.heapBytes()
                    + 2 * MapFootprint.arrayBytes(entries, 4) + entries * element);
        }
        boolean lru = lru(def.type());
        long slot = ElemLayout.slotBytes(def, lru);
        long perChunk = Long.highestOneBit(Math.max(1, Slab.CHUNK_BYTES / slot));
        long chunks = (entries + perChunk - 1) / perChunk;
        MapFootprint slab = new MapFootprint(32 + 16 + 4 * chunks + chunks * BUFFER_OBJECT_BYTES,
                Slab.bytes(entries, (int) slot) + 8 * chunks);
        long pool = homes ? HOME_POOL_BYTES + FreeList.heapBytes()
                : !lru ? 16 + FreeList.heapBytes()
                : def.hasFlag(BpfFlags.F_NO_COMMON_LRU) ? LRU_BYTES + def.possibleCpus() * LRU_LIST_BYTES
                : LRU_BYTES + LRU_LIST_BYTES;
        return table.plus(slab).plusHeap(pool);
    }

    /** The ops, table, layout and bucket objects of one map (measured, as above). */
    static final long MAP_OBJECT_BYTES = 320;
    /** What keeps one direct buffer: the buffer, its cleaner and deallocator, and the aligned slice kept. */
    static final long BUFFER_OBJECT_BYTES = 216;
    /**
     * The {@code HomePool} and {@code HomeSlots} objects of a map with home elements, counted from
     * their fields (a 12-byte header, 4-byte references and ints, 8-byte alignment): 32 each.
     */
    static final long HOME_POOL_BYTES = 32 + 32;
    /** An LRU map's {@code Lru} object and its list array. */
    static final long LRU_BYTES = 64;
    /** One {@code LruList} with its small arrays. */
    static final long LRU_LIST_BYTES = 160;

    /**
     * What a BPF_F_NO_PREALLOC map takes with {@code elements} keys: its buckets and per-entry
     * indexes, which live as long as the map, and each element's heap buffer.
     */
    static long onDemandBytes(MapDef def, long elements) {
        long entries = Integer.toUnsignedLong(def.maxEntries());
        long element = ElemLayout.roundUp8(ElemLayout.slotBytes(def, false)) + OnDemandElements.OBJECT_BYTES;
        return Buckets.bytes(buckets(entries)) + entries * OnDemandElements.INDEX_BYTES + elements * element;
    }

    @Override
    public MapOps alloc(MapDef def) {
        boolean lru = lru(def.type());
        ElemLayout layout = new ElemLayout(def, lru);
        int entries = def.maxEntries();
        int nBuckets = (int) buckets(Integer.toUnsignedLong(entries));
        // BPF_F_ZERO_SEED: the same bucket order every time, for tests
        int seed = def.hasFlag(BpfFlags.F_ZERO_SEED) ? 0 : ThreadLocalRandom.current().nextInt();
        if (def.hasFlag(BpfFlags.F_NO_PREALLOC)) {
            OnDemandElements elems = new OnDemandElements(entries, layout.slotBytes);
            return new HashOps(new HashTable(layout, nBuckets, elems, seed), def, elems);
        }
        Slab slab = new Slab(entries, layout.slotBytes);
        int homeShift = homeShift(def);
        if (homeShift != 0) {
            Buckets buckets = new Buckets(nBuckets, homeShift);
            HomeSlots slots = new HomeSlots(slab, buckets);
            return new HashOps(new HashTable(layout, buckets, slots, seed), def, new HomePool(slab, buckets, slots));
        }
        HashTable table = new HashTable(layout, nBuckets, slab, seed);
        if (!lru) {
            return new HashOps(table, def, new PreallocPool(slab));
        }
        Lru lruLists = new Lru(slab, def.hasFlag(BpfFlags.F_NO_COMMON_LRU), def.possibleCpus(), table);
        return new LruHashOps(table, def, lruLists);
    }
}
