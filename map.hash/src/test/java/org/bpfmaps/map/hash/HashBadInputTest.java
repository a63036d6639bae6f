package org.bpfmaps.map.hash;

import static org.bpfmaps.map.hash.HashFixture.u32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapBatchAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bad input to the hash family through bpf(): every call the kernel rejects (NULL keys, buffers
 * too small, flags outside the mask, batch elem_flags other than BPF_F_LOCK, batch cursors the map
 * did not produce) answers the kernel's errno with a message, and the map's contents, walked with
 * get_next_key and lookup, are exactly what they were. Where the kernel keeps what a batch wrote
 * before its first failing element (the corpus's hash_batch_update_full, pcpu_hash_batch_delete),
 * exactly that is kept.
 */
class HashBadInputTest {
    private static final int MAX = 16; // 16 buckets
    private final HashFixture f = new HashFixture(2);

    @AfterEach
    void close() {
        f.close();
    }

    /** A map of MAX entries holding keys 1..5, key k with value 10k (CPU c: 10k + c). */
    private int filled(MapType t) {
        int fd = f.create(t, 4, 8, MAX, 0);
        for (int k = 1; k <= 5; k++) {
            assertEquals(0, f.put(t, fd, k, 10 * k, BpfFlags.NOEXIST));
        }
        return fd;
    }

    /** The map's contents in get_next_key order: key -> the value buffer in hex (every CPU's). */
    private Map<Integer, String> snapshot(MapType t, int fd) {
        Map<Integer, String> s = new LinkedHashMap<>();
        int vb = f.valueBuf(t, 8);
        for (int k : f.keys(fd)) {
            ByteBuffer v = ByteBuffer.allocate(vb);
            assertEquals(0, f.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, u32(k), v, 0)));
            s.put(k, HexFormat.of().formatHex(v.array()));
        }
        return s;
    }

    /** A value in the type's layout, {@code v + c} on CPU c. */
    private ByteBuffer value(MapType t, long v) {
        int vb = f.valueBuf(t, 8);
        ByteBuffer b = ByteBuffer.allocate(vb).order(ByteOrder.nativeOrder());
        for (int off = 0, c = 0; off < vb; off += 8, c++) {
            b.putLong(off, v + c);
        }
        return b;
    }

    private static String hex(ByteBuffer b) {
        return HexFormat.of().formatHex(b.array());
    }

    /** Runs an element command, asserting its errno and that it says why. */
    private void elem(BpfCmd cmd, MapElemAttr a, Errno want, String what) {
        assertEquals(want.ret(), f.bpf.bpf(cmd, a), what + ": " + a.errorMessage());
        assertTrue(a.errorMessage() != null && !a.errorMessage().isEmpty(), what + ": no message");
    }

    /** Runs a batch command, asserting its errno, its message and the count it leaves. */
    private void batch(BpfCmd cmd, MapBatchAttr a, Errno want, int count, String what) {
        int r = f.bpf.bpf(cmd, a);
        assertEquals(want == null ? 0 : want.ret(), r, what + ": " + a.errorMessage());
        if (want != null) {
            assertTrue(a.errorMessage() != null && !a.errorMessage().isEmpty(), what + ": no message");
        }
        assertEquals(count, a.count, what + ": count");
    }

    /** A batch of keys (and values v(k) = 1000k) for the update and delete batches. */
    private MapBatchAttr keys(MapType t, int fd, int... ks) {
        int vb = f.valueBuf(t, 8);
        MapBatchAttr a = new MapBatchAttr(fd);
        a.keys = ByteBuffer.allocate(4 * ks.length).order(ByteOrder.nativeOrder());
        a.values = ByteBuffer.allocate(vb * ks.length).order(ByteOrder.nativeOrder());
        for (int i = 0; i < ks.length; i++) {
            a.keys.putInt(4 * i, ks[i]);
            a.values.put(vb * i, value(t, 1000L * ks[i]), 0, vb);
        }
        a.count = ks.length;
        return a;
    }

    /** A lookup_and_delete batch page of up to count elements from cursor (null: the start). */
    private MapBatchAttr page(MapType t, int fd, ByteBuffer cursor, int count) {
        MapBatchAttr a = new MapBatchAttr(fd);
        a.inBatch = cursor;
        a.outBatch = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        a.keys = ByteBuffer.allocate(4 * Math.max(count, 1)).order(ByteOrder.nativeOrder());
        a.values = ByteBuffer.allocate(f.valueBuf(t, 8) * Math.max(count, 1)).order(ByteOrder.nativeOrder());
        a.count = count;
        return a;
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void nullAndShortKeysAreEfaultAndChangeNothing(MapType t) {
        int fd = filled(t);
        Map<Integer, String> before = snapshot(t, fd);
        int vb = f.valueBuf(t, 8);
        ByteBuffer v = value(t, 77);
        // key 1's first 3 bytes: a key buffer one byte short
        ByteBuffer shortKey = ByteBuffer.allocate(3);
        shortKey.put(0, u32(1), 0, 3);
        for (ByteBuffer key : new ByteBuffer[] {null, shortKey}) {
            String k = key == null ? "NULL key" : "3-byte key";
            elem(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, key, v, BpfFlags.ANY), Errno.EFAULT,
                    "update, " + k);
            elem(BpfCmd.MAP_DELETE_ELEM, new MapElemAttr().set(fd, key, null, 0), Errno.EFAULT, "delete, " + k);
            elem(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, new MapElemAttr().set(fd, key, ByteBuffer.allocate(vb), 0),
                    Errno.EFAULT, "lookup_and_delete, " + k);
            elem(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, key, ByteBuffer.allocate(vb), 0), Errno.EFAULT,
                    "lookup, " + k);
        }
        assertUnchanged(before, t, fd);
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void shortValuesAreEfaultAndChangeNothing(MapType t) {
        int fd = filled(t);
        Map<Integer, String> before = snapshot(t, fd);
        int vb = f.valueBuf(t, 8);
        // one byte short (for a per-CPU map: the last CPU's value is cut)
        ByteBuffer shortValue = ByteBuffer.allocate(vb - 1);
        shortValue.put(0, value(t, 77), 0, vb - 1);
        elem(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, u32(3), shortValue, BpfFlags.ANY), Errno.EFAULT,
                "update of a present key");
        elem(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, u32(3), shortValue, BpfFlags.EXIST), Errno.EFAULT,
                "EXIST update of a present key");
        elem(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, u32(99), shortValue, BpfFlags.ANY), Errno.EFAULT,
                "insert of a new key");
        elem(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, u32(99), null, BpfFlags.ANY), Errno.EFAULT,
                "insert with a NULL value");
        // the kernel deletes before it copies out (and so loses the element with EFAULT); the
        // dispatcher keeps it, as the issue asks of bad input
        elem(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, new MapElemAttr().set(fd, u32(3), ByteBuffer.allocate(vb - 1), 0),
                Errno.EFAULT, "lookup_and_delete into a short value");
        elem(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, new MapElemAttr().set(fd, u32(3), null, 0), Errno.EFAULT,
                "lookup_and_delete into a NULL value");
        elem(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, new MapElemAttr().set(fd, u32(99), null, 0), Errno.ENOENT,
                "lookup_and_delete of a missing key into a NULL value");
        elem(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, u32(3), ByteBuffer.allocate(vb - 1), 0), Errno.EFAULT,
                "lookup into a short value");
        assertUnchanged(before, t, fd);
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void flagsOutsideTheMaskAreEinvalAndChangeNothing(MapType t) {
        int fd = filled(t);
        Map<Integer, String> before = snapshot(t, fd);
        ByteBuffer v = value(t, 77);
        // 3: pcpu_hash_bad_flags, lru_basic; 4 (BPF_F_LOCK), 8: pcpu_hash_bad_flags; BPF_F_LOCK with
        // NOEXIST or EXIST: no spin lock in the value; bits above 32 and all bits
        long[] bad = {3, BpfFlags.F_LOCK, 8, BpfFlags.F_LOCK | BpfFlags.NOEXIST, BpfFlags.F_LOCK | BpfFlags.EXIST,
            16, 1L << 32, -1L};
        for (long flags : bad) {
            for (int key : new int[] {3, 99}) {
                elem(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, u32(key), v, flags), Errno.EINVAL,
                        "update of key " + key + " with flags 0x" + Long.toHexString(flags));
            }
        }
        // lookup_and_delete takes only BPF_F_LOCK, which needs a spin lock: hash_lookup_and_delete_flags
        for (long flags : new long[] {BpfFlags.NOEXIST, BpfFlags.EXIST, BpfFlags.F_LOCK, 8}) {
            elem(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, new MapElemAttr().set(fd, u32(3), value(t, 0), flags),
                    Errno.EINVAL, "lookup_and_delete with flags " + flags);
        }
        // rejected by check_flags: on a map with room, not even an LRU map evicts for these
        elem(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, u32(3), v, BpfFlags.NOEXIST), Errno.EEXIST,
                "NOEXIST on a present key");
        elem(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, u32(99), v, BpfFlags.EXIST), Errno.ENOENT,
                "EXIST on a missing key");
        assertUnchanged(before, t, fd);
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void deleteTakesNoFlags(MapType t) {
        int fd = filled(t);
        Map<Integer, String> before = snapshot(t, fd);
        // CHECK_ATTR(BPF_MAP_DELETE_ELEM): every attr byte after key must be 0, flags included
        for (long flags : new long[] {BpfFlags.NOEXIST, BpfFlags.EXIST, BpfFlags.F_LOCK, 1L << 32}) {
            elem(BpfCmd.MAP_DELETE_ELEM, new MapElemAttr().set(fd, u32(3), null, flags), Errno.EINVAL,
                    "delete of a present key with flags 0x" + Long.toHexString(flags));
        }
        assertUnchanged(before, t, fd);
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void batchElemFlagsOtherThanLockAreEinvalAndChangeNothing(MapType t) {
        int fd = filled(t);
        Map<Integer, String> before = snapshot(t, fd);
        // elem_flags 1: hash_batch_update_noexist_conflict; BPF_F_LOCK: no spin lock in the value
        for (long ef : new long[] {BpfFlags.NOEXIST, BpfFlags.EXIST, BpfFlags.F_LOCK,
            BpfFlags.F_LOCK | BpfFlags.NOEXIST, 8, -1L}) {
            String what = " with elem_flags 0x" + Long.toHexString(ef);
            MapBatchAttr a = page(t, fd, null, 8);
            a.elemFlags = ef;
            batch(BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH, a, Errno.EINVAL, 8, "lookup_and_delete_batch" + what);
            a = keys(t, fd, 1, 2, 3);
            a.elemFlags = ef;
            batch(BpfCmd.MAP_DELETE_BATCH, a, Errno.EINVAL, 3, "delete_batch" + what);
            // keys 2 and 3 are present, 98 and 99 new: nothing may be written or replaced
            a = keys(t, fd, 98, 2, 3, 99);
            a.elemFlags = ef;
            batch(BpfCmd.MAP_UPDATE_BATCH, a, Errno.EINVAL, 4, "update_batch" + what);
        }
        // the hash lookup batches also refuse any flags (hash_batch_lookup_flags)
        MapBatchAttr a = page(t, fd, null, 8);
        a.flags = 1;
        batch(BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH, a, Errno.EINVAL, 8, "lookup_and_delete_batch with flags 1");
        assertUnchanged(before, t, fd);
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void cursorsTheMapDidNotProduceDeleteNothing(MapType t) {
        int fd = filled(t);
        Map<Integer, String> before = snapshot(t, fd);
        // the cursor is a u32 bucket index: the bucket count, past it, and garbage are the end
        for (int cursor : new int[] {MAX, MAX + 1, 0x7fff_ffff, 0xdead_beef, -1}) {
            MapBatchAttr a = page(t, fd, u32(cursor), 8);
            batch(BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH, a, Errno.ENOENT, 0,
                    "lookup_and_delete_batch from bucket " + Integer.toUnsignedString(cursor));
            assertEquals(0, a.outBatch.getInt(0), "out_batch untouched");
        }
        // in_batch shorter than a bucket index cannot be read
        MapBatchAttr a = page(t, fd, ByteBuffer.allocate(3), 8);
        batch(BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH, a, Errno.EFAULT, 0, "lookup_and_delete_batch, 3-byte in_batch");
        assertUnchanged(before, t, fd);
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void aBatchOfCountZeroDoesNothing(MapType t) {
        int fd = filled(t);
        Map<Integer, String> before = snapshot(t, fd);
        // hash_batch_lookup_count_zero: 0, count 0, out_batch untouched; the generic batches return
        // before they read an element
        MapBatchAttr a = page(t, fd, null, 0);
        batch(BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH, a, null, 0, "lookup_and_delete_batch, count 0");
        assertEquals(0, a.outBatch.getInt(0), "out_batch untouched");
        a = page(t, fd, u32(3), 0);
        batch(BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH, a, null, 0, "lookup_and_delete_batch from bucket 3, count 0");
        a = keys(t, fd, 1, 2, 3);
        a.count = 0;
        batch(BpfCmd.MAP_DELETE_BATCH, a, null, 0, "delete_batch, count 0");
        a = keys(t, fd, 98, 2, 99);
        a.count = 0;
        batch(BpfCmd.MAP_UPDATE_BATCH, a, null, 0, "update_batch, count 0");
        assertUnchanged(before, t, fd);
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void aFailedUpdateOrDeleteBatchKeepsTheElementsBeforeTheFailure(MapType t) {
        int fd = filled(t);
        Map<Integer, String> expect = snapshot(t, fd);
        int vb = f.valueBuf(t, 8);

        // generic_map_update_batch copies element by element: values holding two of three
        // elements write two (a new key and a replaced one), then EFAULT with count 2
        MapBatchAttr a = keys(t, fd, 98, 2, 99);
        a.values = a.values.slice(0, 2 * vb);
        batch(BpfCmd.MAP_UPDATE_BATCH, a, Errno.EFAULT, 2, "update_batch, values for 2 of 3");
        expect.put(98, hex(value(t, 98_000)));
        expect.put(2, hex(value(t, 2000)));
        assertEquals(new TreeMap<>(expect), contents(t, fd));

        // pcpu_hash_batch_delete: deletes up to the first missing key, count the keys deleted
        a = keys(t, fd, 1, 98, 77, 3);
        batch(BpfCmd.MAP_DELETE_BATCH, a, Errno.ENOENT, 2, "delete_batch, third key missing");
        expect.remove(1);
        expect.remove(98);
        assertEquals(new TreeMap<>(expect), contents(t, fd));

        // keys holding one and a half keys: the first is deleted, then EFAULT with count 1
        a = keys(t, fd, 4, 5);
        a.keys = a.keys.slice(0, 6);
        batch(BpfCmd.MAP_DELETE_BATCH, a, Errno.EFAULT, 1, "delete_batch, keys for 1.5 keys");
        expect.remove(4);
        assertEquals(new TreeMap<>(expect), contents(t, fd));
    }

    @ParameterizedTest
    @CsvSource({"HASH,0", "HASH,1", "PERCPU_HASH,0", "PERCPU_HASH,1"})
    void aFullMapRefusesANewKeyWithE2bigAndChangesNothing(MapType t, int noPrealloc) {
        int fd = f.create(t, 4, 8, 4, noPrealloc == 1 ? BpfFlags.F_NO_PREALLOC : 0);
        for (int k = 1; k <= 4; k++) {
            assertEquals(0, f.put(t, fd, k, 10 * k, BpfFlags.NOEXIST));
        }
        Map<Integer, String> before = snapshot(t, fd);
        ByteBuffer v = value(t, 77);
        elem(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, u32(99), v, BpfFlags.ANY), Errno.E2BIG,
                "insert into a full map");
        elem(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, u32(99), v, BpfFlags.NOEXIST), Errno.E2BIG,
                "NOEXIST insert into a full map");
        assertUnchanged(before, t, fd);

        // hash_batch_update_full: the batch replaces key 2, then stops at the new key with E2BIG
        MapBatchAttr a = keys(t, fd, 2, 99, 3);
        batch(BpfCmd.MAP_UPDATE_BATCH, a, Errno.E2BIG, 1, "update_batch into a full map");
        before.put(2, hex(value(t, 2000)));
        assertEquals(new TreeMap<>(before), contents(t, fd));
    }

    /** The same keys and values as before, in the same get_next_key order. */
    private void assertUnchanged(Map<Integer, String> before, MapType t, int fd) {
        assertEquals(List.copyOf(before.entrySet()), List.copyOf(snapshot(t, fd).entrySet()), "the map changed");
    }

    /** The contents, key -> value, for comparisons after a write (which may reorder a bucket). */
    private Map<Integer, String> contents(MapType t, int fd) {
        return new TreeMap<>(snapshot(t, fd));
    }
}
