package org.bpfmaps.map.hash;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapBatchAttr;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapState;
import org.bpfmaps.core.spi.CurrentCpu;
import org.bpfmaps.core.spi.ProgMapOps;

/**
 * What the four hash types share, after kernel/bpf/hashtab.c: lookup, delete, get_next_key,
 * lookup_and_delete and the bucket-at-a-time batches. The subclasses say where elements come from
 * and how an update stores a value ({@link HashOps} for HASH and PERCPU_HASH, {@link LruHashOps}
 * for the LRU types), and how an element whose key was deleted is given back ({@link #release}).
 *
 * <p>Every op may run on any number of threads at once. Lookups and get_next_key take no lock
 * unless a writer keeps changing their bucket; writers lock one bucket. Nothing is allocated on
 * these paths with the caller's buffers, except a new element's buffer in a BPF_F_NO_PREALLOC map.
 */
abstract class HashMapOps implements MapOps, ProgMapOps {
    final HashTable table;
    final MapDef def;

    HashMapOps(HashTable table, MapDef def) {
        this.table = table;
        this.def = def;
    }

    /** Gives back element e after the last chain let go of it (free_htab_elem, htab_lru_push_free). */
    abstract void release(int e);

    /**
     * Whether {@link #release} runs while the bucket is locked. The pool of HASH and
     * PERCPU_HASH is lock-free, and freeing before the delete becomes visible makes "full" exact
     * (see {@link ElemPool}): whoever sees the key gone also finds its room, where the kernel,
     * which frees after unlocking, can answer E2BIG in between. An LRU's lock must never be taken
     * under a bucket lock, so LRU maps free after unlocking.
     */
    abstract boolean releasesUnderLock();

    /** {@code check_flags}: NOEXIST on a present key is EEXIST, EXIST on a missing one ENOENT. */
    static int checkFlags(int old, long flags) {
        if (old >= 0 && (flags & ~BpfFlags.F_LOCK) == BpfFlags.NOEXIST) {
            // elem already exists
            return Errno.EEXIST.ret();
        }
        if (old < 0 && (flags & ~BpfFlags.F_LOCK) == BpfFlags.EXIST) {
            // elem doesn't exist, cannot update it
            return Errno.ENOENT.ret();
        }
        return 0;
    }

    /** Called from syscall: user-space lookups never mark an LRU element as used. */
    @Override
    public int lookupElem(ByteBuffer key, ByteBuffer value, long flags) {
        return table.lookup(key, value) >= 0 ? 0 : Errno.ENOENT.ret();
    }

    /**
     * {@code bpf_map_lookup_elem} from a program: value_size bytes, the current CPU's for per-CPU
     * maps ({@code this_cpu_ptr}); for LRU maps it also sets the element's reference bit, which
     * keeps it from eviction ({@link #used}).
     */
    @Override
    public int progLookupElem(ByteBuffer key, ByteBuffer value) {
        int e = table.lookupCpu(key, value, currentCpu());
        if (e < 0) {
            return Errno.ENOENT.ret();
        }
        used(e);
        return 0;
    }

    /** A program's lookup found element e: LRU maps mark it ({@code bpf_lru_node_set_ref}). */
    void used(int e) {
    }

    /** The CPU whose slot a program reads and writes; 0 when values are not per-CPU. */
    int currentCpu() {
        return table.layout.perCpu ? CurrentCpu.get(def.possibleCpus()) : 0;
    }

    /** {@code bpf_map_delete_elem}: the same op as the syscall's. */
    @Override
    public int progDeleteElem(ByteBuffer key) {
        return deleteElem(key);
    }

    /**
     * The flags a program's update may pass. The helper reaches the type's update without
     * syscall.c's checks: {@code htab_map_update_elem} refuses flags above BPF_EXIST, and
     * BPF_F_LOCK since values here have no spin lock; the LRU and per-CPU updates refuse anything
     * above BPF_EXIST. All EINVAL.
     */
    static boolean progFlagsValid(long flags) {
        return flags >= 0 && flags <= BpfFlags.EXIST;
    }

    @Override
    public int deleteElem(ByteBuffer key) {
        return remove(key, null);
    }

    @Override
    public int lookupAndDeleteElem(ByteBuffer key, ByteBuffer value, long flags) {
        return remove(key, value);
    }

    /** Deletes key, first copying its value to {@code value} when that is not null. */
    private int remove(ByteBuffer key, ByteBuffer value) {
        int at = key.position();
        // the common 4-byte key is read once, then hashed and compared as an int
        boolean small = table.keySize == 4;
        int k = small ? KeyBytes.getInt(key, at) : 0;
        int h = small ? table.hashInt(k) : table.hash(key, at);
        int b = table.bucketOf(h);
        Buckets buckets = table.buckets;
        int e;
        if (!buckets.lockForWrite(b)) {
            return Errno.ENODEV.ret(); // retired: the map's contents have gone to the next provider
        }
        try {
            e = small ? table.unlinkInt(b, h, k) : table.unlinkKey(b, h, key, at);
            if (e < 0) {
                return Errno.ENOENT.ret();
            }
            if (value != null) {
                // per-CPU maps give every CPU's value, in the layout lookup uses; the element is
                // out of the chain but still ours until released, and readers wait for the unlock
                table.copyValueOut(e, value, value.position());
            }
            if (releasesUnderLock()) {
                // free before the delete shows: whoever sees the key gone also sees the room
                release(e);
            }
        } finally {
            buckets.unlock(b);
        }
        if (!releasesUnderLock()) {
            release(e);
        }
        return 0;
    }

    /**
     * Retires the map (every write in progress ends, every later one answers ENODEV), then walks
     * it: its elements, per-CPU values in the all-CPU layout, which the next provider replays.
     * Reads still in flight see the map as it was; no write that returned 0 is missing.
     */
    @Override
    public MapState exportState(MapDef d) {
        table.buckets.retire();
        return MapState.walk(this, d);
    }

    @Override
    public int getNextKey(ByteBuffer key, ByteBuffer nextKey) {
        return table.getNextKey(key, nextKey) ? 0 : Errno.ENOENT.ret();
    }

    @Override
    public int lookupBatch(MapDef d, MapBatchAttr attr) {
        return HashBatch.run(this, d, attr, false);
    }

    @Override
    public int lookupAndDeleteBatch(MapDef d, MapBatchAttr attr) {
        return HashBatch.run(this, d, attr, true);
    }

    @Override
    public String why(BpfCmd cmd, int err) {
        if (err == Errno.E2BIG.ret() && cmd == BpfCmd.MAP_UPDATE_ELEM) {
            return "the map is full: max_entries (%d) elements exist, and only an existing key can be updated";
        }
        if (err == Errno.ENOMEM.ret()) {
            return "no memory for a new element (max_entries %d)";
        }
        if (err != Errno.ENOENT.ret()) {
            return null;
        }
        switch (cmd) {
            case MAP_LOOKUP_ELEM:
            case MAP_DELETE_ELEM:
            case MAP_LOOKUP_AND_DELETE_ELEM:
                return "no element has this key";
            case MAP_GET_NEXT_KEY:
                return "no next key: the key is the last in the map's order, or the map is empty";
            case MAP_UPDATE_ELEM:
                return "BPF_EXIST: no element has this key";
            default:
                return null;
        }
    }
}
