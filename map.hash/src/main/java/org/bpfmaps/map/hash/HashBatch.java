package org.bpfmaps.map.hash;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapBatchAttr;
import org.bpfmaps.core.spi.Bytes;
import org.bpfmaps.core.spi.MapDef;

/**
 * MAP_LOOKUP_BATCH and MAP_LOOKUP_AND_DELETE_BATCH for the hash family, as the kernel's
 * {@code __htab_map_lookup_and_delete_batch}: whole buckets at a time, under the bucket lock, so a
 * page never splits a bucket and a walk never returns a key twice (unless it was deleted and
 * added again). The cursor in in_batch / out_batch is a {@code u32} bucket index, not a key.
 *
 * <ul>
 *   <li>elem_flags other than BPF_F_LOCK, or any {@code flags}: EINVAL, count untouched.
 *   <li>count 0: nothing happens, 0.
 *   <li>count is set to 0, then in_batch (or bucket 0) is the first bucket; one at or past the
 *       last bucket is ENOENT, out_batch untouched.
 *   <li>Buckets are copied whole while they fit in count. The first bucket that does not fit ends
 *       the page: ENOSPC if nothing was copied yet (count 0 then: the caller needs a bigger
 *       count), else 0 with the page; out_batch is that bucket, to start from next time.
 *   <li>Running past the last bucket ends the walk: ENOENT, with the final page in count and the
 *       bucket count in out_batch.
 *   <li>keys or values too small for the page: EFAULT, count left at 0 (with delete, the elements
 *       copied before are gone, as in the kernel; the bucket that did not fit stays).
 * </ul>
 */
final class HashBatch {
    private HashBatch() {
    }

    static int run(HashMapOps ops, MapDef def, MapBatchAttr a, boolean delete) {
        if ((a.elemFlags & ~BpfFlags.F_LOCK) != 0) {
            return a.fail(Errno.EINVAL, "elem_flags 0x%x: a batch takes only BPF_F_LOCK (0x4)", a.elemFlags);
        }
        if ((a.elemFlags & BpfFlags.F_LOCK) != 0) {
            return a.fail(Errno.EINVAL, "elem_flags BPF_F_LOCK (0x%x) needs a value with a bpf_spin_lock, "
                    + "and values here have no BTF", a.elemFlags);
        }
        if (a.flags != 0) {
            return a.fail(Errno.EINVAL, "flags 0x%x: a hash map's lookup batch takes no flags (must be 0)", a.flags);
        }
        long max = Integer.toUnsignedLong(a.count);
        if (max == 0) {
            return 0;
        }
        a.count = 0;
        int batch = 0;
        if (a.inBatch != null) {
            if (!Bytes.canRead(a.inBatch, 0, 4)) {
                return a.fail(Errno.EFAULT, "in_batch holds fewer than the 4 bytes of a bucket index");
            }
            batch = Bytes.getInt(a.inBatch, a.inBatch.position());
        }
        HashTable t = ops.table;
        Buckets buckets = t.buckets;
        int n = buckets.count();
        if (Integer.compareUnsigned(batch, n) >= 0) {
            return a.fail(Errno.ENOENT, "in_batch is bucket %d, and the map has %d buckets: the walk is over",
                    Integer.toUnsignedLong(batch), n);
        }
        int ks = def.keySize();
        int vs = def.valueBufSize();
        long total = 0;
        boolean noRoom = false;
        for (;;) {
            int b = batch;
            if (buckets.head(b) >= 0) {
                // not empty when peeked at: count and copy under the lock
                int cnt;
                int detached = -1;
                if (!delete) {
                    buckets.lock(b);
                } else if (!buckets.lockForWrite(b)) {
                    // retired: the map's contents have gone to the next provider
                    a.count = (int) total;
                    return Errno.ENODEV.ret();
                }
                try {
                    cnt = t.chainLength(b);
                    if (cnt > max - total) {
                        // the bucket does not fit: the page ends before it
                        noRoom = total == 0;
                        break;
                    }
                    if (cnt > 0 && (!Bytes.canWrite(a.keys, (total + cnt - 1) * ks, ks)
                            || !Bytes.canWrite(a.values, (total + cnt - 1) * vs, vs))) {
                        return a.fail(Errno.EFAULT, "keys or values has no room for element %d of the page",
                                total + cnt - 1);
                    }
                    int i = 0;
                    for (int e = buckets.head(b); e >= 0; e = t.next(e), i++) {
                        t.copyKeyOut(e, a.keys, a.keys.position() + (int) ((total + i) * ks));
                        t.copyValueOut(e, a.values, a.values.position() + (int) ((total + i) * vs));
                    }
                    if (delete && cnt > 0) {
                        // the whole chain goes; it stays linked through its elements for freeing
                        detached = buckets.head(b);
                        buckets.setHead(b, -1);
                        if (ops.releasesUnderLock()) {
                            release(ops, detached);
                            detached = -1;
                        }
                    }
                } finally {
                    buckets.unlock(b);
                }
                // an LRU's elements are freed after the bucket lock is dropped: its lock never comes second
                release(ops, detached);
                total += cnt;
            }
            if (++batch == n) {
                break;
            }
        }
        a.count = (int) total;
        if (!putBatch(a, batch)) {
            return a.fail(Errno.EFAULT, "out_batch holds fewer than the 4 bytes of a bucket index");
        }
        if (noRoom) {
            return a.fail(Errno.ENOSPC, "count %d is smaller than bucket %d's chain: ask for more elements",
                    max, batch);
        }
        // the walk ran past the last bucket: the end, with the final page
        return batch == n ? Errno.ENOENT.ret() : 0;
    }

    /** Frees a detached chain, element by element. */
    private static void release(HashMapOps ops, int first) {
        HashTable t = ops.table;
        for (int e = first; e >= 0;) {
            int next = t.next(e);
            ops.release(e);
            e = next;
        }
    }

    /** Writes the next bucket to out_batch; false when it has no room. */
    private static boolean putBatch(MapBatchAttr a, int batch) {
        ByteBuffer out = a.outBatch;
        if (!Bytes.canWrite(out, 0, 4)) {
            return false;
        }
        Bytes.putInt(out, out.position(), batch);
        return true;
    }
}
