package org.bpfmaps.map.lpm;

import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.MapDef;
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
    /** {@code sizeof(struct lpm_trie_node)} on x86-64: rcu_head, two child pointers, prefixlen, flags. */
    static final long NODE_HEADER = 40;
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
     * The trie at its fullest: max_entries nodes with a value and, between them, at most
     * max_entries - 1 intermediate nodes, each as big as the kernel's element ({@code
     * trie_alloc} takes every node from one cache of leaf-sized objects). The budget has to cover
     * it now, since nodes are allocated later with no budget check. Plus the largest jump table
     * such a trie builds (at most 12 MiB), which the kernel does not have but this map does.
     */
    @Override
    public long memoryUsage(MapDef def) {
        long entries = Integer.toUnsignedLong(def.maxEntries());
        long node = NODE_HEADER + (def.keySize() - PREFIXLEN_BYTES) + Integer.toUnsignedLong(def.valueSize());
        return (2 * entries - 1) * node
                + LpmJumps.bytesAtMost(8 * (def.keySize() - PREFIXLEN_BYTES), def.valueSize(), entries);
    }

    @Override
    public MapOps alloc(MapDef def) {
        return new LpmMapOps(def);
    }
}
