package org.bpfmaps.core.spi;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapBatchAttr;

/**
 * The kernel's generic batch operations ({@code generic_map_lookup_batch},
 * {@code generic_map_update_batch}, {@code generic_map_delete_batch} in
 * {@code kernel/bpf/syscall.c}), built on a map's element ops. Their contract on {@code count} is
 * the kernel's: untouched when the call fails before looking at an element, set to 0 as soon as it
 * does, and to the number of elements processed when it ends, even on an error.
 */
public final class GenericBatch {
    private GenericBatch() {
    }

    /** Lookup batch: walks get_next_key from in_batch (or the start), copying keys and values. */
    public static int lookup(MapOps ops, MapDef def, MapBatchAttr attr) {
        int err = checkElemFlags(attr);
        if (err != 0) {
            return err;
        }
        long maxCount = Integer.toUnsignedLong(attr.count);
        if (maxCount == 0) {
            return 0;
        }
        attr.count = 0;
        int keySize = def.keySize();
        int valueSize = def.valueBufSize();
        ByteBuffer prevKeyBuf = ByteBuffer.allocate(keySize);
        ByteBuffer keyBuf = ByteBuffer.allocate(keySize);
        ByteBuffer value = ByteBuffer.allocate(valueSize);
        ByteBuffer prevKey = null;
        if (attr.inBatch != null) {
            if (!Bytes.canRead(attr.inBatch, 0, keySize)) {
                return attr.fail(Errno.EFAULT, "in_batch holds fewer than key_size (%d) bytes", keySize);
            }
            Bytes.copy(attr.inBatch, attr.inBatch.position(), prevKeyBuf, 0, keySize);
            prevKey = prevKeyBuf;
        }
        ByteBuffer key = keyBuf;
        long cp = 0;
        while (cp < maxCount) {
            err = ops.getNextKey(prevKey, key);
            if (err != 0) {
                break;
            }
            err = ops.lookupElem(key, value, attr.elemFlags);
            if (err != Errno.ENOENT.ret()) {
                if (err != 0) {
                    return err;
                }
                if (!Bytes.canWrite(attr.keys, cp * keySize, keySize)) {
                    return attr.fail(Errno.EFAULT, "keys has no room for element %d (key_size %d)", cp, keySize);
                }
                if (!Bytes.canWrite(attr.values, cp * valueSize, valueSize)) {
                    return attr.fail(Errno.EFAULT, "values has no room for element %d (value size %d)", cp,
                            valueSize);
                }
                Bytes.copy(key, 0, attr.keys, attr.keys.position() + (int) (cp * keySize), keySize);
                Bytes.copy(value, 0, attr.values, attr.values.position() + (int) (cp * valueSize), valueSize);
                cp++;
            }
            // the key just read becomes the cursor; reuse the other buffer for the next key
            ByteBuffer t = prevKey == null ? prevKeyBuf : prevKey;
            prevKey = key;
            key = t;
        }
        attr.count = (int) cp;
        if (cp > 0) {
            if (!Bytes.canWrite(attr.outBatch, 0, keySize)) {
                return attr.fail(Errno.EFAULT, "out_batch holds fewer than key_size (%d) bytes", keySize);
            }
            Bytes.copy(prevKey, 0, attr.outBatch, attr.outBatch.position(), keySize);
        }
        return err;
    }

    /** Update batch: applies keys[i] = values[i] with elem_flags, stopping at the first error. */
    public static int update(MapOps ops, MapDef def, MapBatchAttr attr) {
        int err = checkElemFlags(attr);
        if (err != 0) {
            return err;
        }
        long maxCount = Integer.toUnsignedLong(attr.count);
        if (maxCount == 0) {
            return 0;
        }
        attr.count = 0;
        int keySize = def.keySize();
        int valueSize = def.valueBufSize();
        ByteBuffer key = ByteBuffer.allocate(keySize);
        ByteBuffer value = ByteBuffer.allocate(valueSize);
        long cp = 0;
        err = 0;
        for (; cp < maxCount; cp++) {
            if (!Bytes.canRead(attr.keys, cp * keySize, keySize)) {
                err = attr.fail(Errno.EFAULT, "keys holds no element %d (key_size %d)", cp, keySize);
                break;
            }
            if (!Bytes.canRead(attr.values, cp * valueSize, valueSize)) {
                err = attr.fail(Errno.EFAULT, "values holds no element %d (value size %d)", cp, valueSize);
                break;
            }
            Bytes.copy(attr.keys, attr.keys.position() + (int) (cp * keySize), key, 0, keySize);
            Bytes.copy(attr.values, attr.values.position() + (int) (cp * valueSize), value, 0, valueSize);
            err = ops.updateElem(key, value, attr.elemFlags);
            if (err != 0) {
                break;
            }
        }
        attr.count = (int) cp;
        return err;
    }

    /** Delete batch: deletes keys[i], stopping at the first error. */
    public static int delete(MapOps ops, MapDef def, MapBatchAttr attr) {
        int err = checkElemFlags(attr);
        if (err != 0) {
            return err;
        }
        long maxCount = Integer.toUnsignedLong(attr.count);
        if (maxCount == 0) {
            return 0;
        }
        attr.count = 0;
        int keySize = def.keySize();
        ByteBuffer key = ByteBuffer.allocate(keySize);
        long cp = 0;
        err = 0;
        for (; cp < maxCount; cp++) {
            if (!Bytes.canRead(attr.keys, cp * keySize, keySize)) {
                err = attr.fail(Errno.EFAULT, "keys holds no element %d (key_size %d)", cp, keySize);
                break;
            }
            Bytes.copy(attr.keys, attr.keys.position() + (int) (cp * keySize), key, 0, keySize);
            err = ops.deleteElem(key);
            if (err != 0) {
                break;
            }
        }
        attr.count = (int) cp;
        return err;
    }

    /** elem_flags may only be BPF_F_LOCK, and no map here has a spin lock: so only 0. */
    private static int checkElemFlags(MapBatchAttr attr) {
        if ((attr.elemFlags & ~BpfFlags.F_LOCK) != 0) {
            return attr.fail(Errno.EINVAL, "elem_flags 0x%x: a batch takes only BPF_F_LOCK (0x4)",
                    attr.elemFlags);
        }
        if ((attr.elemFlags & BpfFlags.F_LOCK) != 0) {
            return attr.fail(Errno.EINVAL, "elem_flags BPF_F_LOCK (0x%x) needs a value with a bpf_spin_lock, "
                    + "and values here have no BTF", attr.elemFlags);
        }
        return 0;
    }
}
