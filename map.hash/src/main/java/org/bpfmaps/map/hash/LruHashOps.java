package org.bpfmaps.map.hash;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.PrimitiveOps;

/**
 * BPF_MAP_TYPE_LRU_HASH and BPF_MAP_TYPE_LRU_PERCPU_HASH: an update never fails for lack of room,
 * it takes an element from the LRU, which evicts when none is free.
 *
 * <p>As in {@code htab_lru_map_update_elem}, the element is taken before the bucket lock (evicting
 * locks the victim's bucket, and the lru lock must come first), so an update takes it even when
 * it then fails: a BPF_EXIST update of a missing key in a full map has evicted an element by the
 * time it answers ENOENT. The new element is linked before the old one is unlinked, and gets its
 * reference bit, so a key that was updated counts as used. The per-CPU type updates an existing
 * value in place and, for BPF_EXIST, takes no element at all
 * ({@code __htab_lru_percpu_map_update_elem}).
 *
 * <p>The primitive forms serve LRU_HASH maps with 4-byte keys and values of up to 8 bytes.
 */
final class LruHashOps extends HashMapOps implements PrimitiveOps {
    private final Lru lru;

    LruHashOps(HashTable table, MapDef def, Lru lru) {
        super(table, def);
        this.lru = lru;
    }

    @Override
    void release(int e) {
        lru.push(e);
    }

    @Override
    boolean releasesUnderLock() {
        return false;
    }

    @Override
    void used(int e) {
        lru.touch(e);
    }

    @Override
    public int updateElem(ByteBuffer key, ByteBuffer value, long flags) {
        return update(key, value, flags, -1);
    }

    /**
     * {@code bpf_map_update_elem} from a program: for LRU_PERCPU_HASH the current CPU's value, and
     * a new element has the other CPUs' values zeroed; LRU_HASH updates as from user space.
     */
    @Override
    public int progUpdateElem(ByteBuffer key, ByteBuffer value, long flags) {
        return update(key, value, flags, currentCpu());
    }

    /** An update from user space (cpu -1: every CPU's value) or from a program on {@code cpu}. */
    private int update(ByteBuffer key, ByteBuffer value, long flags, int cpu) {
        if (!progFlagsValid(flags)) {
            // unknown flags (BPF_F_LOCK included: LRU values have no spin lock)
            return Errno.EINVAL.ret();
        }
        int at = key.position();
        int h = table.hash(key, at);
        if (table.layout.perCpu) {
            return updatePercpu(key, at, h, value, flags, cpu);
        }
        int n = lru.pop(h);
        if (n < 0) {
            return Errno.ENOMEM.ret();
        }
        table.initKey(n, h, key, at);
        table.copyValueIn(n, value, value.position());
        return replace(table.bucketOf(h), n, flags);
    }

    /** Links the prepared element n in place of the element with its key, if flags allow. */
    private int replace(int b, int n, long flags) {
        Buckets buckets = table.buckets;
        int old;
        int err;
        if (!buckets.lockForWrite(b)) {
            return Errno.ENODEV.ret(); // retired: the map's contents have gone to the next provider
        }
        try {
            old = table.findKeyOf(b, n);
            err = checkFlags(old, flags);
            if (err == 0) {
                // add the new element at the head, so that a concurrent search finds it before the old one
                table.link(b, n);
                if (old >= 0) {
                    table.unlink(b, old);
                    lru.touch(n);
                }
            }
        } finally {
            buckets.unlock(b);
        }
        if (err != 0) {
            lru.push(n);
        } else if (old >= 0) {
            lru.push(old);
        }
        return err;
    }

    private int updatePercpu(ByteBuffer key, int at, int h, ByteBuffer value, long flags, int cpu) {
        int n = -1;
        if (flags != BpfFlags.EXIST) {
            n = lru.pop(h);
            if (n < 0) {
                return Errno.ENOMEM.ret();
            }
            table.initKey(n, h, key, at);
            if (cpu < 0) {
                table.copyValueIn(n, value, value.position());
            } else {
                table.initValueFromProgram(n, value, value.position(), cpu);
            }
        }
        int b = table.bucketOf(h);
        Buckets buckets = table.buckets;
        int err;
        if (!buckets.lockForWrite(b)) {
            return Errno.ENODEV.ret(); // retired: the map's contents have gone to the next provider
        }
        try {
            int old = table.find(b, h, key, at);
            err = checkFlags(old, flags);
            if (err == 0) {
                if (old >= 0) {
                    // per-cpu hash map can update value in-place
                    if (cpu < 0) {
                        table.copyValueIn(old, value, value.position());
                    } else {
                        table.copyValueInCpu(old, value, value.position(), cpu);
                    }
                    lru.touch(old);
                } else {
                    table.link(b, n);
                    n = -1;
                }
            }
        } finally {
            buckets.unlock(b);
        }
        if (n >= 0) {
            lru.push(n);
        }
        return err;
    }

    @Override
    public long lookupLong(int key, long absent) {
        return primitive() ? table.lookupLong(key, absent) : absent;
    }

    @Override
    public int updateLong(int key, long value, long flags) {
        if (!primitive() || flags < 0 || flags > BpfFlags.EXIST) {
            return Errno.EINVAL.ret();
        }
        int h = table.hashInt(key);
        int n = lru.pop(h);
        if (n < 0) {
            return Errno.ENOMEM.ret();
        }
        table.initIntKey(n, h, key);
        table.putLong(n, value);
        return replace(table.bucketOf(h), n, flags);
    }

    /** Whether the primitive forms apply: 4-byte keys, one value of at most 8 bytes. */
    private boolean primitive() {
        return def.keySize() == 4 && def.valueSize() <= 8 && !table.layout.perCpu;
    }
}
