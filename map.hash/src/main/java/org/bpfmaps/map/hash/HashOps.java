package org.bpfmaps.map.hash;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.PrimitiveOps;

/**
 * BPF_MAP_TYPE_HASH and BPF_MAP_TYPE_PERCPU_HASH: a new key takes an element from the pool (the
 * free list of a preallocated map, or a fresh buffer with BPF_F_NO_PREALLOC) and a full pool is
 * E2BIG; an existing key has its value replaced in place, which needs no element, so a full map
 * still takes updates of its keys.
 *
 * <p>The kernel replaces a plain HASH element as a whole (a new element linked before the old one
 * is unlinked) so that lock-free readers never see a value half-written; here the value is
 * rewritten in place while the bucket is locked, and readers that overlap it retry, which
 * gives them the same guarantee without a spare element. Per-CPU values are updated in place, as
 * the kernel does.
 *
 * <p>The primitive forms serve plain HASH maps with 4-byte keys and values of up to 8 bytes.
 */
final class HashOps extends HashMapOps implements PrimitiveOps {
    private final ElemPool pool;

    HashOps(HashTable table, MapDef def, ElemPool pool) {
        super(table, def);
        this.pool = pool;
        this.primitive = def.keySize() == 4 && def.valueSize() <= 8 && !table.layout.perCpu;
    }

    @Override
    void release(int e) {
        pool.free(e);
    }

    /** A BPF_F_NO_PREALLOC map holds what its keys take; a preallocated one, what it was charged. */
    @Override
    public long memoryInUse() {
        return pool instanceof OnDemandElements od ? HashProvider.onDemandBytes(def, od.live()) : -1;
    }

    @Override
    boolean releasesUnderLock() {
        return true;
    }

    @Override
    public int updateElem(ByteBuffer key, ByteBuffer value, long flags) {
        if ((flags & ~BpfFlags.F_LOCK) > BpfFlags.EXIST) {
            // unknown flags
            return Errno.EINVAL.ret();
        }
        return update(key, value, flags, -1);
    }

    /**
     * {@code bpf_map_update_elem} from a program: a per-CPU value is the current CPU's, and a new
     * per-CPU element has the other CPUs' values zeroed ({@code pcpu_init_value}).
     */
    @Override
    public int progUpdateElem(ByteBuffer key, ByteBuffer value, long flags) {
        if (!progFlagsValid(flags)) {
            return Errno.EINVAL.ret();
        }
        return update(key, value, flags, currentCpu());
    }

    /** An update from user space (cpu -1: every CPU's value) or from a program on {@code cpu}. */
    private int update(ByteBuffer key, ByteBuffer value, long flags, int cpu) {
        int at = key.position();
        if (table.keySize == 4) {
            // the common 4-byte key: read once, then hashed, compared and stored as an int
            int k = KeyBytes.getInt(key, at);
            return update(table.hashInt(k), null, 0, k, value, 0, flags, cpu);
        }
        return update(table.hash(key, at), key, at, 0, value, 0, flags, cpu);
    }

    /**
     * The update of the key with hash h: the bytes at {@code at} in {@code key}, or when that is
     * null the 4-byte key {@code k}; its value from {@code value}, or when that is null the low
     * bytes of {@code word} ({@link #updateLong}).
     */
    private int update(int h, ByteBuffer key, int at, int k, ByteBuffer value, long word, long flags, int cpu) {
        int b = table.bucketOf(h);
        Buckets buckets = table.buckets;
        if (!buckets.lockForWrite(b)) {
            return Errno.ENODEV.ret(); // retired: the map's contents have gone to the next provider
        }
        try {
            int old = key == null ? table.findInt(b, h, k) : table.find(b, h, key, at);
            int err = checkFlags(old, flags);
            if (err != 0) {
                return err;
            }
            if (old >= 0) {
                storeValue(old, false, value, word, cpu);
                return 0;
            }
            int e = pool.alloc(b);
            if (e < 0) {
                // all elements are in use (or no memory): no room for a new key
                return e;
            }
            if (key == null) {
                table.initIntKey(e, h, k);
            } else {
                table.initKey(e, h, key, at);
            }
            storeValue(e, true, value, word, cpu);
            table.link(b, e);
        } finally {
            buckets.unlock(b);
        }
        return 0;
    }

    /**
     * Writes element e's value: {@code word} when value is null; else every CPU's from user space
     * (cpu -1), or a program's on {@code cpu}, which for a new element also zeroes the other CPUs'.
     */
    private void storeValue(int e, boolean fresh, ByteBuffer value, long word, int cpu) {
        if (value == null) {
            table.putLong(e, word);
        } else if (cpu < 0) {
            table.copyValueIn(e, value, value.position());
        } else if (fresh) {
            table.initValueFromProgram(e, value, value.position(), cpu);
        } else {
            table.copyValueInCpu(e, value, value.position(), cpu);
        }
    }

    @Override
    public long lookupLong(int key, long absent) {
        if (!primitive()) {
            return absent;
        }
        return table.lookupLong(key, absent);
    }

    @Override
    public int updateLong(int key, long value, long flags) {
        if (!primitive() || flags < 0 || flags > BpfFlags.EXIST) {
            return Errno.EINVAL.ret();
        }
        return update(table.hashInt(key), null, 0, key, null, value, flags, -1);
    }

    /** Whether the primitive forms apply: 4-byte keys, one value of at most 8 bytes (a field: one load per call, not three). */
    private final boolean primitive;

    private boolean primitive() {
        return primitive;
    }
}
