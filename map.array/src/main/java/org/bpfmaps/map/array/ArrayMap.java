package org.bpfmaps.map.array;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.spi.Bytes;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.ProgMapOps;

/**
 * The array maps, after kernel/bpf/arraymap.c: {@code max_entries} preallocated, zeroed values
 * addressed by a {@code __u32} index. Every index below max_entries always exists, so elements
 * cannot be deleted (EINVAL: "clear by writing zeros") and BPF_NOEXIST can never succeed (EEXIST).
 * Subclasses say where the values live and how a value is laid out in its slot.
 */
abstract class ArrayMap implements MapOps, ProgMapOps {
    protected final int maxEntries;
    protected final int valueSize;

    ArrayMap(MapDef def) {
        this.maxEntries = def.maxEntries();
        this.valueSize = def.valueSize();
    }

    /** Whether the (unsigned) index names an element. */
    protected boolean inRange(int idx) {
        return Integer.compareUnsigned(idx, maxEntries) < 0;
    }

    @Override
    public int lookupElem(ByteBuffer key, ByteBuffer value, long flags) {
        int idx = Bytes.getInt(key, key.position());
        if (!inRange(idx)) {
            return Errno.ENOENT.ret();
        }
        copyOut(idx, value, value.position());
        return 0;
    }

    @Override
    public int updateElem(ByteBuffer key, ByteBuffer value, long flags) {
        int idx = Bytes.getInt(key, key.position());
        int err = updateCheck(idx, flags);
        if (err != 0) {
            return err;
        }
        copyIn(idx, value, value.position());
        return 0;
    }

    /** What an update of element {@code idx} answers before writing: 0, E2BIG or EEXIST. */
    protected final int updateCheck(int idx, long flags) {
        if (!inRange(idx)) {
            // all elements were pre-allocated, cannot insert a new one
            return Errno.E2BIG.ret();
        }
        if ((flags & ~BpfFlags.F_LOCK) == BpfFlags.NOEXIST) {
            // all elements already exist
            return Errno.EEXIST.ret();
        }
        return 0;
    }

    @Override
    public int deleteElem(ByteBuffer key) {
        return Errno.EINVAL.ret();
    }

    @Override
    public int getNextKey(ByteBuffer key, ByteBuffer nextKey) {
        int idx = key == null ? -1 : Bytes.getInt(key, key.position());
        if (key == null || !inRange(idx)) {
            Bytes.putInt(nextKey, nextKey.position(), 0);
            return 0;
        }
        if (Integer.compareUnsigned(idx, maxEntries - 1) == 0) {
            return Errno.ENOENT.ret();
        }
        Bytes.putInt(nextKey, nextKey.position(), idx + 1);
        return 0;
    }

    /** {@code bpf_map_lookup_elem} from a program: value_size bytes (the current CPU's, per-CPU). */
    @Override
    public int progLookupElem(ByteBuffer key, ByteBuffer value) {
        int idx = Bytes.getInt(key, key.position());
        if (!inRange(idx)) {
            return Errno.ENOENT.ret();
        }
        copyOutProg(idx, value, value.position());
        return 0;
    }

    /**
     * {@code bpf_map_update_elem} from a program: {@code array_map_update_elem}'s own checks in its
     * order (flags above BPF_EXIST, the index, BPF_NOEXIST, then BPF_F_LOCK, for which values
     * here have no spin lock), which syscall.c's common checks otherwise come before.
     */
    @Override
    public int progUpdateElem(ByteBuffer key, ByteBuffer value, long flags) {
        if ((flags & ~BpfFlags.F_LOCK) > BpfFlags.EXIST || flags < 0) {
            // unknown flags
            return Errno.EINVAL.ret();
        }
        int idx = Bytes.getInt(key, key.position());
        int err = updateCheck(idx, flags);
        if (err != 0) {
            return err;
        }
        if ((flags & BpfFlags.F_LOCK) != 0) {
            return Errno.EINVAL.ret();
        }
        copyInProg(idx, value, value.position());
        return 0;
    }

    /** Array elements cannot be deleted, from a program either. */
    @Override
    public int progDeleteElem(ByteBuffer key) {
        return deleteElem(key);
    }

    /** What a program's lookup copies: value_size bytes; per-CPU arrays override it with the current CPU's. */
    protected void copyOutProg(int idx, ByteBuffer dst, int at) {
        copyOut(idx, dst, at);
    }

    /** What a program's update writes: value_size bytes; per-CPU arrays override it with the current CPU's. */
    protected void copyInProg(int idx, ByteBuffer src, int at) {
        copyIn(idx, src, at);
    }

    /** Copies element {@code idx}'s value to {@code dst}. */
    protected abstract void copyOut(int idx, ByteBuffer dst, int at);

    /** Copies a value from {@code src} into element {@code idx}. */
    protected abstract void copyIn(int idx, ByteBuffer src, int at);

    @Override
    public String why(BpfCmd cmd, int err) {
        if (err == Errno.EINVAL.ret() && cmd == BpfCmd.MAP_DELETE_ELEM) {
            return "array elements cannot be deleted: every index below max_entries (%d) exists; write zeros";
        }
        if (err == Errno.E2BIG.ret() || (err == Errno.ENOENT.ret() && cmd == BpfCmd.MAP_LOOKUP_ELEM)) {
            return "the key is an index at or above max_entries (%d)";
        }
        if (err == Errno.EEXIST.ret()) {
            return "BPF_NOEXIST: every index below max_entries (%d) always exists in an array";
        }
        if (err == Errno.ENOENT.ret() && cmd == BpfCmd.MAP_GET_NEXT_KEY) {
            return "the key is the last index (max_entries %d); there is no next key";
        }
        return null;
    }
}
