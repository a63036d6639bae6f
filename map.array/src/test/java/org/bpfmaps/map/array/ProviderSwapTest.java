package org.bpfmaps.map.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapSpec;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.MmapAttr;
import org.bpfmaps.core.api.UpdateFlag;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapState;
import org.bpfmaps.testsupport.SwapUnderWriters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The array family leaving and returning (a bundle stopped, or updated to a new version): every
 * element is back on the same fd, and an MMAPABLE array's live mmap view stays the map's memory
 * throughout, because the storage itself is handed over; under writers, no acknowledged write is lost.
 */
class ProviderSwapTest {
    private final ArrayFixture f = new ArrayFixture(2);

    @AfterEach
    void close() {
        f.close();
    }

    private void swap() {
        f.runtime.removeProvider(f.provider);
    }

    @ParameterizedTest
    // value sizes on both layouts: heap words (<= 8, not MMAPABLE) and off-heap slots
    @CsvSource({"ARRAY,8,0", "ARRAY,3,0", "ARRAY,12,0", "ARRAY,8,1024", "PERCPU_ARRAY,8,0", "PERCPU_ARRAY,20,0"})
    void everyElementComesBackOnTheSameFd(MapType type, int valueSize, int flags) {
        int fd = f.create(type, valueSize, 64, flags);
        int size = type == MapType.PERCPU_ARRAY ? ((valueSize + 7) & ~7) * f.cpus : valueSize;
        for (int k = 0; k < 64; k++) {
            assertEquals(0, f.update(fd, k, ArrayFixture.bytes(size, k), 0));
        }
        swap();
        int[] err = new int[1];
        f.lookup(fd, 5, size, err);
        assertEquals(Errno.ENODEV.ret(), err[0], "detached while no provider serves the type");
        assertEquals(64, f.runtime.detachedMaps().get(0).elements());

        f.runtime.addProvider(new ArrayProvider(), 0, "1.1.0");
        for (int k = 0; k < 64; k++) {
            assertArrayEquals(ArrayFixture.bytes(size, k), f.lookup(fd, k, size, null), "element " + k);
        }
        assertTrue(f.runtime.detachedMaps().isEmpty());
    }

    @ParameterizedTest
    @EnumSource(value = MapType.class, names = {"ARRAY", "PERCPU_ARRAY"})
    void noAcknowledgedWriteIsLostAcrossSwapsUnderWriters(MapType type) throws Exception {
        int keys = 2000;
        int fd = f.create(type, 8, keys, 0);
        int slots = type == MapType.PERCPU_ARRAY ? f.cpus : 1;
        SwapUnderWriters.run(f, ArrayProvider::new, type.name(), keys, false, new SwapUnderWriters.Elements() {
            @Override
            public int update(int key, long value) {
                // CPU c gets value + c: a slot lost in the handover shows as a mismatch
                ByteBuffer v = ByteBuffer.allocate(8 * slots).order(ByteOrder.nativeOrder());
                for (int c = 0; c < slots; c++) {
                    v.putLong(8 * c, value + c);
                }
                return f.update(fd, key, v.array(), 0);
            }

            @Override
            public long read(int key) {
                int[] err = new int[1];
                byte[] b = f.lookup(fd, key, 8 * slots, err);
                if (b == null) {
                    return err[0];
                }
                ByteBuffer v = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
                long first = v.getLong(0);
                for (int c = 1; c < slots; c++) {
                    if (v.getLong(8 * c) != (first == 0 ? 0 : first + c)) {
                        return -1; // the CPUs' slots disagree
                    }
                }
                return first;
            }
        });
    }

    @Test
    void aLiveMmapViewKeepsReachingTheMapAcrossTheSwap() {
        int fd = f.create(MapType.ARRAY, 8, 16, BpfFlags.F_MMAPABLE);
        MmapAttr m = new MmapAttr();
        m.mapFd = fd;
        m.writable = true;
        assertEquals(0, f.bpf.mmap(m));
        ByteBuffer view = m.mapping.buffer().order(ByteOrder.nativeOrder());
        view.putLong(8 * 3, 33);

        swap();
        view.putLong(8 * 4, 44); // written while no provider holds the map
        f.runtime.addProvider(new ArrayProvider(), 0, "1.1.0");

        ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        assertArrayEquals(v.putLong(0, 33).array().clone(), f.lookup(fd, 3, 8, null));
        assertArrayEquals(v.putLong(0, 44).array().clone(), f.lookup(fd, 4, 8, null));
        assertEquals(0, f.update(fd, 5, v.putLong(0, 55).array(), 0));
        assertEquals(55, view.getLong(8 * 5), "the old view sees writes made through the new provider");
        m.mapping.close();
    }

    @Test
    void aTypedHandleFollowsTheMapAcrossTheSwap() {
        try (BpfMap counters = BpfMap.create(f.bpf, MapSpec.of(MapType.ARRAY, 4, 8, 16))) {
            counters.updateLong(3, 30, UpdateFlag.ANY);
            assertEquals(30, counters.lookupLong(3, -1));
            swap();
            BpfException e = assertThrows(BpfException.class, () -> counters.lookupLong(3, -1));
            assertEquals(Errno.ENODEV, e.errno(), "the handle's cached fast path was dropped with the provider");
            f.runtime.addProvider(new ArrayProvider(), 0, "1.1.0");
            assertEquals(30, counters.lookupLong(3, -1), "and taken up again with the new one");
            counters.updateLong(3, 31, UpdateFlag.ANY);
            assertEquals(31, counters.lookupLong(3, -1));
        }
    }

    @Test
    void anotherLayoutOfTheSameMapIsCopiedNotAdopted() {
        // a version that kept small arrays off-heap exported slots; this one keeps them in a long[]
        MapDef def = new MapDef(MapType.ARRAY, 4, 4, 8, 0, -1, 0, "old", 2, 4);
        PlainArrayMap old = new PlainArrayMap(def);
        ByteBuffer k = ArrayFixture.u32(6);
        assertEquals(0, old.updateElem(k, ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), 0));
        MapState state = old.exportState(def);

        MapOps restored = new ArrayProvider().restore(def, state, (e, why, a, b) -> -e.code());
        assertNotNull(restored);
        assertTrue(restored instanceof WordArrayMap);
        ByteBuffer v = ByteBuffer.allocate(4);
        assertEquals(0, restored.lookupElem(k, v, 0));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, v.array());
    }

    @Test
    void storageOfTheWrongShapeIsRefusedWithAReason() {
        MapDef def = new MapDef(MapType.ARRAY, 4, 8, 8, 0, -1, 0, "x", 2, 8);
        MapState wrong = MapState.ofStorage(WordArrayMap.FORMAT, 4, (Object) new long[4]);
        String[] why = new String[1];
        assertEquals(null, new ArrayProvider().restore(def, wrong, (e, w, a, b) -> {
            why[0] = w;
            return -e.code();
        }));
        assertTrue(why[0].contains(WordArrayMap.FORMAT), why[0]);
    }
}
