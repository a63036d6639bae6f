package org.bpfmaps.map.queue;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapState;

/**
 * BPF_MAP_TYPE_BLOOM_FILTER, after kernel/bpf/bloom_filter.c: UPDATE adds a value (BPF_ANY only),
 * LOOKUP takes a value as input and answers 0 (maybe present) or ENOENT (definitely absent). Hash
 * {@code i} of {@code k} is {@code jhash(value, seed + i) & mask}; the seed is random per map unless
 * BPF_F_ZERO_SEED, which makes the answers, false positives included, the kernel's. Members cannot
 * be listed or removed: delete and get_next_key are EOPNOTSUPP (95); pop and batches, which the
 * type's table does not list, the core answers ENOTSUPP.
 * Lock-free: bits are only ever set, each with an atomic OR.
 */
final class BloomFilterMap implements MapOps, KeylessProgOps {
    private final int valueSize;
    private final BloomGeometry geometry;
    private final int seed;
    private final Bitset bits;

    BloomFilterMap(MapDef def) {
        this(def, def.hasFlag(BpfFlags.F_ZERO_SEED) ? 0 : ThreadLocalRandom.current().nextInt());
    }

    /** A filter with a given seed: a restored one must hash as the exported one did. */
    BloomFilterMap(MapDef def, int seed) {
        this(def, seed, null);
    }

    private BloomFilterMap(MapDef def, int seed, long[] words) {
        this.valueSize = def.valueSize();
        this.geometry = BloomGeometry.of(Integer.toUnsignedLong(def.maxEntries()), def.mapExtra());
        this.seed = seed;
        this.bits = words == null ? new Bitset(geometry.bytes()) : new Bitset(words);
    }

    /** The state format: the bit words and the seed, handed over as they are. */
    static final String FORMAT = "org.bpfmaps.bloom.bits/1";

    /**
     * A filter cannot list its members, so its state is its memory: the bit words (adds still in
     * flight on this provider land in them too, so none is lost) and the seed, without which the
     * bits mean nothing.
     */
    @Override
    public MapState exportState(MapDef def) {
        return MapState.ofStorage(FORMAT, -1, bits.words(), new int[] {seed});
    }

    /** The filter over an exported state, or null if the state is not one of this shape. */
    static BloomFilterMap restore(MapDef def, MapState state) {
        BloomGeometry g = BloomGeometry.of(Integer.toUnsignedLong(def.maxEntries()), def.mapExtra());
        if (!FORMAT.equals(state.format()) || state.storage().size() != 2
                || !(state.storage().get(0) instanceof long[] words) || words.length * 8L != g.bytes()
                || !(state.storage().get(1) instanceof int[] seed) || seed.length != 1) {
            return null;
        }
        return new BloomFilterMap(def, seed[0], words);
    }

    private long bit(ByteBuffer value, int i) {
        return Integer.toUnsignedLong(JHash.hash(value, value.position(), valueSize, seed + i)) & geometry.mask();
    }

    /** Membership test: the value is read, never written. */
    @Override
    public int lookupElem(ByteBuffer key, ByteBuffer value, long flags) {
        for (int i = 0; i < geometry.hashFuncs(); i++) {
            if (!bits.test(bit(value, i))) {
                return Errno.ENOENT.ret();
            }
        }
        return 0;
    }

    @Override
    public int updateElem(ByteBuffer key, ByteBuffer value, long flags) {
        if (flags != BpfFlags.ANY) {
            return Errno.EINVAL.ret();
        }
        for (int i = 0; i < geometry.hashFuncs(); i++) {
            bits.set(bit(value, i));
        }
        return 0;
    }

    /** {@code bpf_map_push_elem} ({@code bloom_map_push_elem}): adds the value; BPF_ANY only. */
    @Override
    public int progPushElem(ByteBuffer value, long flags) {
        return updateElem(null, value, flags);
    }

    /**
     * {@code bpf_map_peek_elem} ({@code bloom_map_peek_elem}): 0 if the value may be present, else -ENOENT. A
     * program cannot pop a bloom filter: pop keeps {@link org.bpfmaps.core.spi.ProgMapOps}' EINVAL.
     */
    @Override
    public int progPeekElem(ByteBuffer value) {
        return lookupElem(null, value, 0);
    }

    @Override
    public int deleteElem(ByteBuffer key) {
        return Errno.EOPNOTSUPP.ret();
    }

    @Override
    public int getNextKey(ByteBuffer key, ByteBuffer nextKey) {
        return Errno.EOPNOTSUPP.ret();
    }

    @Override
    public String why(BpfCmd cmd, int err) {
        if (err == Errno.ENOENT.ret()) {
            return "the value is definitely not in the bloom filter";
        }
        if (err == Errno.EINVAL.ret() && cmd == BpfCmd.MAP_UPDATE_ELEM) {
            return "a bloom filter add takes only BPF_ANY (0)";
        }
        if (err == Errno.EOPNOTSUPP.ret()) {
            return "a bloom filter cannot list or remove its values";
        }
        return null;
    }
}
