package org.bpfmaps.map.hash;

import static org.bpfmaps.map.hash.HashFixture.missing;
import static org.bpfmaps.map.hash.HashFixture.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapSpec;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.UpdateFlag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The element commands of the hash family through bpf(), as kernel/bpf/hashtab.c answers them. */
class HashElemTest {
    private final HashFixture f = new HashFixture(2);

    @AfterEach
    void close() {
        f.close();
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void updateFlagsLookupAndDelete(MapType t) {
        int fd = f.create(t, 4, 8, 16, 0);
        int vb = f.valueBuf(t, 8);
        assertEquals(missing(Errno.ENOENT), f.lookup(fd, 1, vb));
        assertEquals(Errno.ENOENT.ret(), f.put(t, fd, 1, 5, BpfFlags.EXIST), "EXIST on a missing key");
        assertEquals(0, f.put(t, fd, 1, 5, BpfFlags.NOEXIST));
        assertEquals(Errno.EEXIST.ret(), f.put(t, fd, 1, 6, BpfFlags.NOEXIST), "NOEXIST on a present key");
        assertEquals(0, f.put(t, fd, 1, 7, BpfFlags.EXIST));
        assertEquals(0, f.put(t, fd, 1, 8, BpfFlags.ANY));
        assertEquals(8, f.lookup(fd, 1, vb));
        assertEquals(0, f.delete(fd, 1));
        assertEquals(Errno.ENOENT.ret(), f.delete(fd, 1), "delete of a missing key");
        assertEquals(missing(Errno.ENOENT), f.lookup(fd, 1, vb));
    }

    @ParameterizedTest
    @CsvSource({"HASH,0", "HASH,1", "PERCPU_HASH,0", "PERCPU_HASH,1"})
    void aFullMapRefusesNewKeysAndTakesUpdatesOfItsKeys(MapType t, int noPrealloc) {
        int fd = f.create(t, 4, 8, 4, noPrealloc == 1 ? BpfFlags.F_NO_PREALLOC : 0);
        for (int k = 1; k <= 4; k++) {
            assertEquals(0, f.put(t, fd, k, k, 0));
        }
        assertEquals(Errno.E2BIG.ret(), f.put(t, fd, 99, 99, BpfFlags.ANY));
        assertEquals(Errno.E2BIG.ret(), f.put(t, fd, 99, 99, BpfFlags.NOEXIST));
        assertEquals(Errno.EEXIST.ret(), f.put(t, fd, 3, 99, BpfFlags.NOEXIST), "EEXIST before E2BIG");
        assertEquals(0, f.put(t, fd, 1, 1000, BpfFlags.ANY), "replacing an existing key");
        assertEquals(0, f.put(t, fd, 2, 2000, BpfFlags.EXIST));
        assertEquals(1000, f.lookup(fd, 1, f.valueBuf(t, 8)));
        assertEquals(0, f.delete(fd, 4));
        assertEquals(0, f.put(t, fd, 99, 99, BpfFlags.ANY), "a delete makes room");
        assertEquals(Set.of(1, 2, 3, 99), new HashSet<>(f.keys(fd)));
    }

    @Test
    void getNextKeyWalksBucketOrderAndRestartsFromAMissingKey() {
        int fd = f.create(MapType.HASH, 4, 8, 64, 0);
        assertNull(f.nextKey(fd, null), "empty map: ENOENT");
        for (int k = 0; k < 40; k++) {
            assertEquals(0, f.update(fd, k * 7, k, 0));
        }
        List<Integer> keys = f.keys(fd);
        assertEquals(40, keys.size());
        assertEquals(40, new HashSet<>(keys).size(), "every key once");
        Integer first = keys.get(0);
        assertEquals(first, f.nextKey(fd, null));
        assertEquals(first, f.nextKey(fd, 12345), "a key not in the map gives the first key");
        assertNull(f.nextKey(fd, keys.get(39)), "the last key: ENOENT");
        // deleting the cursor key restarts the walk, as the kernel documents
        assertEquals(0, f.delete(fd, keys.get(10)));
        assertEquals(first, f.nextKey(fd, keys.get(10)));
        assertEquals(keys.get(12), f.nextKey(fd, keys.get(11)));
    }

    @Test
    void zeroSeedGivesTheSameOrderEveryTime() {
        int a = f.create(MapType.HASH, 4, 8, 16, BpfFlags.F_ZERO_SEED);
        int b = f.create(MapType.HASH, 4, 8, 16, BpfFlags.F_ZERO_SEED);
        for (int k = 1; k <= 8; k++) {
            f.update(a, k, k, 0);
            f.update(b, k, k, 0);
        }
        assertEquals(f.keys(a), f.keys(b), "with the seed 0 the buckets depend on the keys alone");
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void lookupAndDeleteReturnsTheValueOnce(MapType t) {
        int fd = f.create(t, 4, 8, 16, 0);
        int vb = f.valueBuf(t, 8);
        if (HashProvider.perCpu(t)) {
            f.updatePercpu(fd, 3, 100, 0);
        } else {
            f.update(fd, 3, 100, 0);
        }
        ByteBuffer v = ByteBuffer.allocate(vb).order(ByteOrder.nativeOrder());
        MapElemAttr a = new MapElemAttr().set(fd, u32(3), v, 0);
        assertEquals(0, f.bpf.bpf(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, a));
        assertEquals(100, v.getLong(0));
        if (HashProvider.perCpu(t)) {
            assertEquals(101, v.getLong(8), "every CPU's value");
        }
        assertEquals(Errno.ENOENT.ret(), f.bpf.bpf(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, a));
        assertEquals(missing(Errno.ENOENT), f.lookup(fd, 3, vb));

        // the typed face's byte[] form: the same once-only answer
        try (BpfMap m = BpfMap.ofFd(f.bpf, fd)) {
            byte[] key = {4, 0, 0, 0};
            byte[] value = new byte[m.valueBufferSize()];
            f.put(t, fd, 4, 200, 0);
            assertTrue(m.lookupAndDelete(key, value));
            assertEquals(200, value[0] & 0xff);
            assertFalse(m.lookupAndDelete(key, value));
            BpfException e = assertThrows(BpfException.class, () -> m.lookupAndDelete(key, new byte[3]));
            assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
        }
    }

    @Test
    void perCpuValuesAreEveryCpusWithTheirPaddingAsWritten() {
        int fd = f.create(MapType.PERCPU_HASH, 4, 4, 4, 0);
        ByteBuffer v = ByteBuffer.allocate(16);
        for (int i = 0; i < 16; i++) {
            v.put(i, (byte) (i + 1));
        }
        assertEquals(0, f.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, u32(1), v, 0)));
        ByteBuffer out = ByteBuffer.allocate(16);
        assertEquals(0, f.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, u32(1), out, 0)));
        // pcpu_copy_value copies round_up(value_size, 8) bytes per CPU, padding included
        assertArrayEquals(v.array(), out.array());
    }

    @Test
    void valuesShorterThanTheirSlotLeaveTheCallersOtherBytesAlone() {
        int fd = f.create(MapType.HASH, 3, 5, 4, 0);
        ByteBuffer key = ByteBuffer.wrap(new byte[] {1, 2, 3});
        ByteBuffer v = ByteBuffer.wrap(new byte[] {9, 8, 7, 6, 5});
        assertEquals(0, f.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, key, v, 0)));
        ByteBuffer out = ByteBuffer.wrap(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1});
        assertEquals(0, f.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, key, out, 0)));
        assertArrayEquals(new byte[] {9, 8, 7, 6, 5, -1, -1, -1}, out.array());
    }

    @Test
    void keysAreCompared8BytesAtATimeAndByTheirTail() {
        int fd = f.create(MapType.HASH, 13, 8, 64, 0);
        List<ByteBuffer> keys = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] k = new byte[13];
            k[i % 13] = (byte) (i + 1);
            k[12] = (byte) i;
            keys.add(ByteBuffer.wrap(k));
            assertEquals(0, f.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM,
                    new MapElemAttr().set(fd, ByteBuffer.wrap(k), HashFixture.u64(i), BpfFlags.NOEXIST)));
        }
        for (int i = 0; i < 50; i++) {
            ByteBuffer out = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            assertEquals(0, f.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, keys.get(i), out, 0)));
            assertEquals(i, out.getLong(0));
        }
        // a key read at a buffer's position, not at 0
        ByteBuffer shifted = ByteBuffer.allocate(20);
        shifted.position(7).put(keys.get(5).duplicate()).position(7);
        ByteBuffer out = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        assertEquals(0, f.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, shifted, out, 0)));
        assertEquals(5, out.getLong(0));
        assertEquals(7, shifted.position(), "positions are never moved");
    }

    @Test
    void noPreallocGivesMemoryBackAndTheIndexIsReused() {
        int fd = f.create(MapType.HASH, 4, 8, 2, BpfFlags.F_NO_PREALLOC);
        for (int round = 0; round < 1000; round++) {
            assertEquals(0, f.update(fd, round, round, BpfFlags.NOEXIST));
            assertEquals(0, f.update(fd, round + 1_000_000, round, BpfFlags.NOEXIST));
            assertEquals(Errno.E2BIG.ret(), f.update(fd, -1, 0, BpfFlags.ANY));
            assertEquals(0, f.delete(fd, round));
            assertEquals(0, f.delete(fd, round + 1_000_000));
        }
        assertEquals(List.of(), f.keys(fd));
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "LRU_HASH"})
    void primitiveFormsForFourByteKeys(MapType t) {
        try (BpfMap m = BpfMap.create(f.bpf, MapSpec.of(t, 4, 4, 8))) {
            assertEquals(-5, m.lookupLong(7, -5), "absent");
            m.updateLong(7, 0x1_2345_6789L, UpdateFlag.ANY);
            assertEquals(0x2345_6789L, m.lookupLong(7, -5), "the low value_size bytes");
            ByteBuffer v = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            assertTrue(m.lookup(u32(7), v));
            assertEquals(0x2345_6789, v.getInt(0), "the buffer form sees the same bytes");
            m.updateLong(7, 1, UpdateFlag.EXIST);
            assertEquals(1, m.lookupLong(7, -5));
            assertEquals(Errno.EEXIST, org.junit.jupiter.api.Assertions.assertThrows(
                    org.bpfmaps.core.api.BpfException.class, () -> m.updateLong(7, 2, UpdateFlag.NOEXIST)).errno());
            assertEquals(Errno.ENOENT, org.junit.jupiter.api.Assertions.assertThrows(
                    org.bpfmaps.core.api.BpfException.class, () -> m.updateLong(8, 2, UpdateFlag.EXIST)).errno());
        }
    }

    /**
     * A 4-byte key is its four bytes, whatever the order of the buffer that holds them and where
     * they start in it: insert and delete read it as one host-order word, and must find the
     * element the byte[] form made, and the byte[] form the one they made.
     */
    @ParameterizedTest
    @EnumSource(names = {"HASH", "LRU_HASH"})
    void fourByteKeysAreBytesInAnyBufferOrderAndPosition(MapType t) {
        try (BpfMap m = BpfMap.create(f.bpf, MapSpec.of(t, 4, 8, 8))) {
            byte[] k = {1, 2, 3, 4};
            byte[] v = {9, 8, 7, 6, 5, 4, 3, 2};
            for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                ByteBuffer key = ByteBuffer.allocateDirect(7).order(order).position(3);
                key.put(3, k);
                ByteBuffer value = ByteBuffer.allocate(8).order(order).put(0, v);
                m.update(key, value, UpdateFlag.NOEXIST);
                byte[] got = new byte[8];
                assertTrue(m.lookup(k, got), order + ": the byte[] form finds what the buffer inserted");
                assertArrayEquals(v, got);
                assertTrue(m.delete(key), order + ": the buffer deletes it");
                assertFalse(m.lookup(k, got));
                m.update(k, v, UpdateFlag.NOEXIST);
                assertEquals(Errno.EEXIST, assertThrows(BpfException.class,
                        () -> m.update(key, value, UpdateFlag.NOEXIST)).errno(), order + ": the buffer sees the byte[] form's key");
                assertTrue(m.delete(key), order + ": the buffer deletes the byte[] form's key");
                assertFalse(m.delete(k), order + ": deleted once");
            }
        }
    }

    @Test
    void anErrorSaysWhy() {
        int fd = f.create(MapType.HASH, 4, 8, 1, 0);
        f.update(fd, 1, 1, 0);
        MapElemAttr a = new MapElemAttr().set(fd, u32(2), HashFixture.u64(2), 0);
        assertEquals(Errno.E2BIG.ret(), f.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a));
        assertTrue(a.errorMessage().contains("full"), a.errorMessage());
        a.set(fd, u32(2), ByteBuffer.allocate(8), 0);
        assertEquals(Errno.ENOENT.ret(), f.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a));
        assertTrue(a.errorMessage().contains("no element"), a.errorMessage());
    }
}
