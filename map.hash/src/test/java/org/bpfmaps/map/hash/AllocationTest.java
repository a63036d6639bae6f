package org.bpfmaps.map.hash;

import static org.bpfmaps.testsupport.Allocation.assertNoAllocation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapSpec;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.UpdateFlag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * With the caller's buffers, lookup (hit and miss), update (in place, and of a new key), delete
 * and get_next_key allocate nothing, through bpf() and the typed API (with lookupAndDelete), measured with the JVM's per-thread allocation counter after
 * the code is compiled; an LRU map evicting all along does not either. A BPF_F_NO_PREALLOC map
 * allocates a new key's element by design, so there only lookups and in-place updates count.
 */
class AllocationTest {
    private final HashFixture f = new HashFixture(2);

    @AfterEach
    void close() {
        f.close();
    }

    @ParameterizedTest
    @CsvSource({"HASH,0", "PERCPU_HASH,0", "LRU_HASH,0", "LRU_PERCPU_HASH,0", "LRU_HASH,2"})
    void elementCommandsDoNotAllocate(MapType type, int flags) {
        // 64 keys cycling through a map of 32: a full non-LRU map answers E2BIG, an LRU map evicts
        int fd = f.create(type, 4, 8, 32, flags);
        int vb = f.valueBuf(type, 8);
        MapElemAttr a = new MapElemAttr();
        ByteBuffer key = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        ByteBuffer value = ByteBuffer.allocateDirect(vb).order(ByteOrder.nativeOrder());
        ByteBuffer next = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        assertNoAllocation(type + " lookup/update/delete/get_next_key", () -> {
            for (int i = 0; i < 100_000; i++) {
                key.putInt(0, i & 63);
                f.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a.set(fd, key, value, 0));
                f.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a.set(fd, key, value, 0));
                a.set(fd, key, null, 0);
                a.nextKey = next;
                f.bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, a);
                if ((i & 3) == 0) {
                    f.bpf.bpf(BpfCmd.MAP_DELETE_ELEM, a.set(fd, key, null, 0));
                }
            }
        });
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH"})
    void noPreallocLookupsAndInPlaceUpdatesDoNotAllocate(MapType type) {
        int fd = f.create(type, 4, 8, 32, BpfFlags.F_NO_PREALLOC);
        int vb = f.valueBuf(type, 8);
        MapElemAttr a = new MapElemAttr();
        ByteBuffer key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        ByteBuffer value = ByteBuffer.allocate(vb).order(ByteOrder.nativeOrder());
        for (int k = 0; k < 16; k++) {
            key.putInt(0, k);
            assertEquals(0, f.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a.set(fd, key, value, 0)));
        }
        assertNoAllocation(type + " NO_PREALLOC lookup and update", () -> {
            for (int i = 0; i < 100_000; i++) {
                key.putInt(0, i & 31);
                int r = f.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a.set(fd, key, value, 0));
                if ((i & 31) < 16) {
                    assertEquals(0, r);
                    f.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a.set(fd, key, value, BpfFlags.EXIST));
                } else {
                    assertEquals(Errno.ENOENT.ret(), r);
                }
            }
        });
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "LRU_HASH"})
    void typedPrimitivesDoNotAllocate(MapType type) {
        try (BpfMap m = BpfMap.create(f.bpf, MapSpec.of(type, 4, 8, 64))) {
            ByteBuffer key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            ByteBuffer value = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            assertNoAllocation(type + " typed API", () -> {
                long sum = 0;
                for (int i = 0; i < 100_000; i++) {
                    m.updateLong(i & 63, i, UpdateFlag.ANY);
                    sum += m.lookupLong(i & 127, 0);
                    key.putInt(0, i & 63);
                    m.lookup(key, value);
                    m.update(key, value, UpdateFlag.ANY);
                }
                assertTrue(sum > 0);
            });
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "LRU_HASH"})
    void typedDeleteAndLookupAndDeleteDoNotAllocate(MapType type) {
        try (BpfMap m = BpfMap.create(f.bpf, MapSpec.of(type, 4, 8, 64))) {
            ByteBuffer key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            ByteBuffer value = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            assertNoAllocation(type + " typed delete and lookupAndDelete", () -> {
                int hits = 0;
                for (int i = 0; i < 100_000; i++) {
                    key.putInt(0, i & 63);
                    value.putLong(0, i);
                    m.update(key, value, UpdateFlag.ANY);
                    hits += m.delete(key) ? 1 : 0;
                    hits += m.delete(key) ? 100 : 0; // a miss
                    m.update(key, value, UpdateFlag.NOEXIST);
                    hits += m.lookupAndDelete(key, value) && value.getLong(0) == i ? 1 : 0;
                    hits += m.lookupAndDelete(key, value) ? 100 : 0; // a miss
                }
                assertEquals(200_000, hits);
            });
        }
    }
}
