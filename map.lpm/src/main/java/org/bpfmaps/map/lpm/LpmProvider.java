package org.bpfmaps.map.lpm;

import java.util.List;
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
 * LPM_TRIE with the rules of kernel/bpf/lpm_trie.c's {@code trie_alloc}: BPF_F_NO_PREALLOC is
 * mandatory (nodes are allocated on update), the flag mask is NO_PREALLOC, NUMA_NODE and the access
 * flags, keys are a 4-byte prefixlen and 1..256 data bytes (key_size 5..260), values 1 byte to
 * {@link #VALUE_SIZE_MAX}; every violation is EINVAL. There is no lookup-and-delete; the batches
 * are the kernel's generic ones.
 */
@Component(service = MapProvider.class, property = MapProvider.MAP_TYPES + "=lpm_trie")
public final class LpmProvider implements MapProvider {
    /** {@code LPM_CREATE_FLAG_MASK}. */
    static final int CREATE_FLAG_MASK = BpfFlags.F_NO_PREALLOC | BpfFlags.F_NUMA_NODE | BpfFlags.F_ACCESS_MASK;
    /** {@code sizeof(struct bpf_lpm_trie_key_u8)}: the prefixlen before the data. */
    static final int PREFIXLEN_BYTES = 4;
    static final int DATA_SIZE_MAX = 256;
    /**
     * {@code sizeof(struct lpm_trie_node)} on x86-64 Linux 6.18: two child pointers, prefixlen,
     * flags (no rcu_head since nodes come from bpf_mem_alloc). On this kernel a trie of 4-byte
     * data and 8-byte values shows memlock 36 per prefix, and value_size 4194024 is the largest
     * it takes.
     */
    static final long NODE_HEADER = 24;
    /** KMALLOC_MAX_SIZE on x86-64 (4 MiB). */
    static final long KMALLOC_MAX_SIZE = 4L << 20;
    /** {@code LPM_VAL_SIZE_MAX}: a node with the largest data must still fit one allocation. */
    static final long VALUE_SIZE_MAX = KMALLOC_MAX_SIZE - DATA_SIZE_MAX - NODE_HEADER;

    private static final MapTypeTraits TRAITS = MapTypeTraits.of(MapType.LPM_TRIE)
            .flagMask(CREATE_FLAG_MASK)
            .keySize(PREFIXLEN_BYTES + 1, PREFIXLEN_BYTES + DATA_SIZE_MAX)
            .valueSize(1, VALUE_SIZE_MAX, Errno.EINVAL)
            .commands(BpfCmd.MAP_LOOKUP_ELEM, BpfCmd.MAP_UPDATE_ELEM, BpfCmd.MAP_DELETE_ELEM,
                    BpfCmd.MAP_GET_NEXT_KEY, BpfCmd.MAP_LOOKUP_BATCH, BpfCmd.MAP_UPDATE_BATCH,
                    BpfCmd.MAP_DELETE_BATCH)
            .build();

    @Override
    public List<MapTypeTraits> types() {
        return List.of(TRAITS);
    }

    @Override
    public int allocCheck(MapDef def, ErrorSink err) {
        if (!def.hasFlag(BpfFlags.F_NO_PREALLOC)) {
            return err.fail(Errno.EINVAL, "map_flags 0x%x: an LPM trie needs BPF_F_NO_PREALLOC (0x1), since its "
                    + "nodes are allocated on update", def.mapFlags());
        }
        return 0;
    }

    /**
     * The kernel's {@code trie_mem_usage} for an empty trie: 0. A trie's memlock grows with its
     * prefixes ({@link LpmMapOps#memoryInUse}).
     */
    @Override
    public long memoryUsage(MapDef def) {
        return 0;
    }

    /**
     * The trie at its fullest, as it is on this heap, charged now since nodes are allocated later
     * with no budget check: max_entries nodes with a value and, between them, at most
     * max_entries - 1 intermediate nodes; the largest jump tables such a trie builds (the kernel
     * has none); and the map's own objects. Sizes measured with a heap histogram over tries of
     * IPv4 and IPv6 keys (see {@link #NODE_BYTES}).
     */
    @Override
    public MapFootprint footprint(MapDef def) {
        long entries = Integer.toUnsignedLong(def.maxEntries());
        int dataSize = def.keySize() - PREFIXLEN_BYTES;
        // the data words past the first: a long[] the node keeps, which an intermediate node shares
        // with the node it was split from and keeps after that node is gone
        long more = dataSize > 8 ? MapFootprint.arrayBytes((dataSize + 7) / 8 - 1, 8) : 0;
        // a value of 4 or 8 bytes lives in the node (LpmNode.SMALL); others in an array of their own
        long value = def.valueSize() == 4 || def.valueSize() == 8 ? 0
                : MapFootprint.arrayBytes(Integer.toUnsignedLong(def.valueSize()), 1);
        long nodes = entries * (NODE_BYTES + more + value) + (entries - 1) * (NODE_BYTES + more);
        return MapFootprint.heap(MAP_BYTES + nodes
                + LpmJumps.heapBytesAtMost(8 * dataSize, def.valueSize(), entries));
    }

    /**
     * One {@link LpmNode} object: header, prefixlen, two data fields, value and two child
     * references, the small value (48 bytes with compressed references).
     */
    static final long NODE_BYTES = 48;
    /** The ops, trie, lock, jump-table holder and the ops' two messages of one map (measured). */
    static final long MAP_BYTES = 1024;

    @Override
    public MapOps alloc(MapDef def) {
        return new LpmMapOps(def);
    }
}
