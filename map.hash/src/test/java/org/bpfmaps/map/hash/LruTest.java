package org.bpfmaps.map.hash;

import static org.bpfmaps.map.hash.HashFixture.missing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.MapDef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The LRU types: inserts never fail for room, they evict; user-space lookups do not count as use,
 * program-side lookups do; BPF_F_NO_COMMON_LRU gives each CPU its own share. Which element goes is
 * this implementation's choice (the corpus only observes the kernel's); the tests pin down what a
 * second-chance LRU promises.
 */
class LruTest {
    private final HashFixture f = new HashFixture(2);

    @AfterEach
    void close() {
        f.close();
    }

    @ParameterizedTest
    @EnumSource(names = {"LRU_HASH", "LRU_PERCPU_HASH"})
    void insertsIntoAFullMapEvict(MapType t) {
        int fd = f.create(t, 4, 8, 8, 0);
        for (int k = 0; k < 100; k++) {
            assertEquals(0, f.put(t, fd, k, k, k % 2 == 0 ? BpfFlags.ANY : BpfFlags.NOEXIST));
            assertEquals(k, f.lookup(fd, k, f.valueBuf(t, 8)), "the key just inserted is there");
            List<Integer> keys = f.keys(fd);
            assertTrue(keys.size() <= 8 && keys.size() == new HashSet<>(keys).size(), keys.toString());
        }
    }

    @Test
    void userSpaceLookupsDoNotProtectAKey() {
        int fd = f.create(MapType.LRU_HASH, 4, 8, 4, 0);
        for (int k = 1; k <= 4; k++) {
            f.update(fd, k, k, 0);
        }
        for (int i = 0; i < 10; i++) {
            assertEquals(1, f.lookup(fd, 1, 8));
        }
        assertEquals(0, f.update(fd, 5, 5, 0));
        assertEquals(missing(Errno.ENOENT), f.lookup(fd, 1, 8), "the oldest key went, looked up or not");
    }

    @Test
    void programLookupsProtectAKey() {
        HashMapOps ops = opsOf(MapType.LRU_HASH, 4, 0);
        for (int k = 1; k <= 4; k++) {
            ops.updateElem(HashFixture.u32(k), HashFixture.u64(k), 0);
        }
        assertEquals(0, ops.progLookupElem(HashFixture.u32(1), ByteBuffer.allocate(8)));
        assertEquals(0, ops.updateElem(HashFixture.u32(5), HashFixture.u64(5), 0));
        ByteBuffer v = ByteBuffer.allocate(8);
        assertEquals(0, ops.lookupElem(HashFixture.u32(1), v, 0), "the key a program used survives");
        assertEquals(Errno.ENOENT.ret(), ops.lookupElem(HashFixture.u32(2), v, 0), "the next oldest went");
    }

    @Test
    void aHotSetSurvivesAScanOfTenTimesTheMapInColdKeys() {
        int max = 1000;
        HashMapOps touched = opsOf(MapType.LRU_HASH, max, 0);
        HashMapOps untouched = opsOf(MapType.LRU_HASH, max, 0);
        int hot = max / 10;
        ByteBuffer key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        ByteBuffer value = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        for (HashMapOps ops : List.of(touched, untouched)) {
            for (int k = 0; k < hot; k++) {
                assertEquals(0, ops.updateElem(key.putInt(0, k), value, 0));
            }
        }
        for (int cold = 0; cold < 10 * max; cold++) {
            for (HashMapOps ops : List.of(touched, untouched)) {
                assertEquals(0, ops.updateElem(key.putInt(0, 1_000_000 + cold), value, 0));
            }
            // a program looks up the hot keys in turn: each of them once every 10 cold inserts
            for (int i = 0; i < hot / 10; i++) {
                touched.progLookupElem(key.putInt(0, (cold * (hot / 10) + i) % hot), value);
            }
        }
        int survivors = 0;
        int survivorsUntouched = 0;
        for (int k = 0; k < hot; k++) {
            survivors += touched.lookupElem(key.putInt(0, k), value, 0) == 0 ? 1 : 0;
            survivorsUntouched += untouched.lookupElem(key.putInt(0, k), value, 0) == 0 ? 1 : 0;
        }
        assertEquals(hot, survivors, "every hot key survived");
        assertEquals(0, survivorsUntouched, "without program lookups the scan flushes them all");
    }

    @Test
    void perCpuListsEvictOnlyTheirOwnShare() {
        // kernel, observed: max_entries 4 on 2 CPUs, 4 inserts from one CPU leave 2 elements
        int fd = f.create(MapType.LRU_HASH, 4, 8, 4, BpfFlags.F_NO_COMMON_LRU);
        for (int k = 1; k <= 4; k++) {
            assertEquals(0, f.update(fd, k, k, 0));
        }
        assertEquals(Set.of(3, 4), new HashSet<>(f.keys(fd)));
        // a thread of the other CPU has its own two elements
        Runnable insert = () -> {
            assertEquals(0, f.update(fd, 10, 10, 0));
            assertEquals(0, f.update(fd, 11, 11, 0));
        };
        Thread other = new Thread(insert);
        if (cpuOf(other.getId()) == cpuOf(Thread.currentThread().getId())) {
            other = new Thread(insert);
        }
        assumeTrue(cpuOf(other.getId()) != cpuOf(Thread.currentThread().getId()), "no thread of the other CPU");
        other.start();
        join(other);
        assertEquals(Set.of(3, 4, 10, 11), new HashSet<>(f.keys(fd)));
    }

    private static int cpuOf(long threadId) {
        return (int) (threadId % 2);
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aFailedExistUpdateHasEvictedOnTheLruHashButNotTheLruPercpuHash() {
        // as recorded (observed) on 6.18: htab_lru_map_update_elem takes an element before it checks
        int fd = f.create(MapType.LRU_HASH, 4, 8, 4, 0);
        int pfd = f.create(MapType.LRU_PERCPU_HASH, 4, 8, 4, 0);
        for (int k = 1; k <= 4; k++) {
            f.update(fd, k, k, 0);
            f.updatePercpu(pfd, k, k, 0);
        }
        assertEquals(Errno.ENOENT.ret(), f.update(fd, 77, 0, BpfFlags.EXIST));
        assertEquals(Errno.ENOENT.ret(), f.updatePercpu(pfd, 77, 0, BpfFlags.EXIST));
        assertEquals(3, f.keys(fd).size());
        assertEquals(4, f.keys(pfd).size());
    }

    @Test
    void noexistOnTheOldestKeyOfAFullMapSucceeds() {
        // observed on 6.18: the element taken for the update is the key's own, evicted first
        int fd = f.create(MapType.LRU_HASH, 4, 8, 4, 0);
        for (int k = 1; k <= 4; k++) {
            f.update(fd, k, k, 0);
        }
        assertEquals(0, f.update(fd, 1, 9, BpfFlags.NOEXIST));
        assertEquals(9, f.lookup(fd, 1, 8));
        assertNotEquals(missing(Errno.ENOENT), f.lookup(fd, 2, 8));
    }

    @Test
    void anUpdatedKeyCountsAsUsed() {
        int fd = f.create(MapType.LRU_PERCPU_HASH, 4, 8, 4, 0);
        for (int k = 1; k <= 4; k++) {
            f.updatePercpu(fd, k, k, 0);
        }
        f.updatePercpu(fd, 1, 11, 0);
        f.updatePercpu(fd, 5, 5, 0);
        assertEquals(11, f.lookup(fd, 1, 16), "key 1 was updated: key 2 went instead");
        assertEquals(missing(Errno.ENOENT), f.lookup(fd, 2, 16));
    }

    /** An LRU map's ops made directly, for what bpf() cannot do yet (program-side lookups). */
    private static HashMapOps opsOf(MapType t, int max, int flags) {
        BpfSettings s = BpfSettings.defaults().withPossibleCpus(2);
        MapDef def = new MapDef(t, 4, 8, max, flags, BpfFlags.NUMA_NO_NODE, 0, "", s.possibleCpus(),
                HashProvider.perCpu(t) ? 16 : 8);
        return (HashMapOps) new HashProvider().alloc(def);
    }
}
