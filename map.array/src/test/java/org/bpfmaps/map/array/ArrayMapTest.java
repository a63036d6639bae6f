package org.bpfmaps.map.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.UpdateFlag;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapBatchAttr;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.MmapAttr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArrayMapTest {
    private final ArrayFixture f = new ArrayFixture(3);

    @AfterEach
    void close() {
        f.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 100, 4096})
    void everyValueSizeRoundTripsAndStartsZeroed(int valueSize) {
        int fd = f.create(MapType.ARRAY, valueSize, 5, 0);
        int[] err = new int[1];
        assertArrayEquals(new byte[valueSize], f.lookup(fd, 4, valueSize, err));
        for (int k = 0; k < 5; k++) {
            assertEquals(0, f.update(fd, k, ArrayFixture.bytes(valueSize, k), 0));
        }
        for (int k = 0; k < 5; k++) {
            assertArrayEquals(ArrayFixture.bytes(valueSize, k), f.lookup(fd, k, valueSize, err), "key " + k);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void primitiveFormsAgreeWithTheBytes(int valueSize) {
        int fd = f.create(MapType.ARRAY, valueSize, 4, 0);
        try (BpfMap m = BpfMap.ofFd(f.bpf, fd)) {
            long v = 0x0102030405060708L;
            m.updateLong(2, v, UpdateFlag.ANY);
            long expected = valueSize == 8 ? v : v & ((1L << (8 * valueSize)) - 1);
            assertEquals(expected, m.lookupLong(2, -1), "the low value_size bytes, zero-extended");
            byte[] raw = f.lookup(fd, 2, valueSize, null);
            ByteBuffer wide = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).put(0, raw);
            assertEquals(expected, wide.getLong(0), "the bytes bpf() sees are the same");
            assertEquals(-1, m.lookupLong(4, -1), "an index out of range is absent");
            assertEquals(Errno.E2BIG, assertThrows(BpfException.class, () -> m.updateLong(4, 1, UpdateFlag.ANY))
                    .errno());
            assertEquals(Errno.EEXIST, assertThrows(BpfException.class,
                    () -> m.updateLong(0, 1, UpdateFlag.NOEXIST)).errno());
            m.freeze();
            BpfException frozen = assertThrows(BpfException.class, () -> m.updateLong(0, 1, UpdateFlag.ANY));
            assertEquals(Errno.EPERM, frozen.errno());
            assertEquals(expected, m.lookupLong(2, -1));
        }
    }

    @Test
    void indexesAtOrAboveMaxEntries() {
        int fd = f.create(MapType.ARRAY, 8, 4, 0);
        int[] err = new int[1];
        assertNull(f.lookup(fd, 4, 8, err));
        assertEquals(Errno.ENOENT.ret(), err[0]);
        assertEquals(Errno.E2BIG.ret(), f.update(fd, 4, new byte[8], 0));
        assertEquals(Errno.E2BIG.ret(), f.update(fd, -1, new byte[8], BpfFlags.EXIST));
        assertEquals(Errno.EEXIST.ret(), f.update(fd, 0, new byte[8], BpfFlags.NOEXIST), "all elements exist");
        assertEquals(0, f.update(fd, 0, new byte[8], BpfFlags.EXIST));
        assertEquals(Errno.EINVAL.ret(), f.update(fd, 0, new byte[8], 3));
        MapElemAttr del = new MapElemAttr().set(fd, ArrayFixture.u32(0), null, 0);
        assertEquals(Errno.EINVAL.ret(), f.bpf.bpf(BpfCmd.MAP_DELETE_ELEM, del));
        assertEquals("array elements cannot be deleted: every index below max_entries (4) exists; write zeros",
                del.errorMessage());
        MapElemAttr up = new MapElemAttr().set(fd, ArrayFixture.u32(4), ByteBuffer.allocate(8), 0);
        assertEquals(Errno.E2BIG.ret(), f.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, up));
        assertEquals("the key is an index at or above max_entries (4)", up.errorMessage());
    }

    @Test
    void getNextKeyWalksEveryIndex() {
        int fd = f.create(MapType.ARRAY, 8, 3, 0);
        List<Integer> keys = new ArrayList<>();
        ByteBuffer next = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        MapElemAttr a = new MapElemAttr(fd);
        a.nextKey = next;
        while (f.bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, a) == 0) {
            keys.add(next.getInt(0));
            a.key = ArrayFixture.u32(next.getInt(0));
        }
        assertEquals(List.of(0, 1, 2), keys);
        assertEquals(Errno.ENOENT, a.errno());
        a.key = ArrayFixture.u32(77);
        assertEquals(0, f.bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, a), "an index out of range restarts at 0");
        assertEquals(0, next.getInt(0));
    }

    @Test
    void perCpuValuesKeepEachCpusSlotAndItsPadding() {
        int fd = f.create(MapType.PERCPU_ARRAY, 12, 2, 0);
        int size = 16 * f.cpus;
        byte[] v = ArrayFixture.bytes(size, 9);
        assertEquals(0, f.update(fd, 1, v, 0));
        assertArrayEquals(v, f.lookup(fd, 1, size, null), "padding bytes are stored as written");
        assertArrayEquals(new byte[size], f.lookup(fd, 0, size, null));
        MapElemAttr short1 = new MapElemAttr().set(fd, ArrayFixture.u32(0), ByteBuffer.allocate(size - 1), 0);
        assertEquals(Errno.EFAULT.ret(), f.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, short1), "one CPU's bytes short");
        assertEquals(Errno.E2BIG.ret(), f.bpf.bpf(BpfCmd.MAP_CREATE,
                new MapCreateAttr(MapType.PERCPU_ARRAY, 4, 32769, 1)));
        assertEquals(Errno.EINVAL.ret(), f.bpf.bpf(BpfCmd.MAP_CREATE,
                new MapCreateAttr(MapType.PERCPU_ARRAY, 4, 8, 1).flags(BpfFlags.F_MMAPABLE)));
    }

    @Test
    void batchesUseTheGenericKernelContract() {
        int fd = f.create(MapType.ARRAY, 8, 5, 0);
        MapBatchAttr up = new MapBatchAttr(fd);
        up.keys = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder()).putInt(0, 0).putInt(4, 9).putInt(8, 2);
        up.values = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder()).putLong(0, 1).putLong(8, 2).putLong(16, 3);
        up.count = 3;
        assertEquals(Errno.E2BIG.ret(), f.bpf.bpf(BpfCmd.MAP_UPDATE_BATCH, up));
        assertEquals(1, up.count, "the element before the failure was written and counted");
        MapBatchAttr lk = new MapBatchAttr(fd);
        lk.keys = ByteBuffer.allocate(5 * 4);
        lk.values = ByteBuffer.allocate(5 * 8).order(ByteOrder.nativeOrder());
        lk.outBatch = ByteBuffer.allocate(4);
        lk.count = 10;
        assertEquals(Errno.ENOENT.ret(), f.bpf.bpf(BpfCmd.MAP_LOOKUP_BATCH, lk), "the end is ENOENT");
        assertEquals(5, lk.count);
        assertEquals(1, lk.values.getLong(0));
        assertEquals(0, lk.values.getLong(16), "key 2 was after the failing element");
        MapBatchAttr del = new MapBatchAttr(fd);
        del.count = 1;
        assertEquals(Errno.ENOTSUPP.ret(), f.bpf.bpf(BpfCmd.MAP_DELETE_BATCH, del));
        assertEquals(Errno.ENOTSUPP.ret(), f.bpf.bpf(BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH, del));
    }

    @Test
    void mmapViewIsTheLiveStorage() {
        int fd = f.create(MapType.ARRAY, 12, 4, BpfFlags.F_MMAPABLE);
        MmapAttr m = new MmapAttr(fd, true);
        assertEquals(0, f.bpf.mmap(m));
        ByteBuffer view = m.mapping.buffer();
        assertEquals(4 * 16, view.capacity(), "round_up(value_size, 8) per element");
        view.put(16, (byte) 0x41);
        assertEquals(0x41, f.lookup(fd, 1, 12, null)[0]);
        assertEquals(0, f.update(fd, 2, ArrayFixture.bytes(12, 2), 0));
        assertEquals(ArrayFixture.bytes(12, 2)[11], view.get(32 + 11));
        m.mapping.close();
        MmapAttr ro = new MmapAttr(fd, false);
        assertEquals(0, f.bpf.mmap(ro));
        assertNotNull(ro.mapping);
        assertEquals(true, ro.mapping.buffer().isReadOnly());
        ro.mapping.close();
    }
}
