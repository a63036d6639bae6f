package org.bpfmaps.map.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapBatchAttr;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a user sees of the table's layout, pinned before the layout changes (issue 22): the order
 * get_next_key walks in and where it restarts, the buckets a batch hands out whole, exact fullness
 * and the memory a map is charged. Any layout (chains, open addressing, inline slots) must keep
 * these answers; none of them names an element index or a byte offset.
 */
class HeldOutBehaviourTest {
    private final HashFixture f = new HashFixture(2);

    @AfterEach
    void close() {
        f.close();
    }

    /**
     * {@code htab_map_get_next_key}: a key that is not in the map (never added, or deleted since
     * the walk returned it) gives the map's first key, and the last key gives ENOENT.
     */
    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void getNextKeyFromAGoneKeyRestartsAtTheFirstKey(MapType t) {
        int fd = f.create(t, 4, 8, 64, 0);
        for (int k = 0; k < 40; k++) {
            assertEquals(0, f.put(t, fd, k, k, 0));
        }
        List<Integer> walk = f.keys(fd);
        assertEquals(40, walk.size());
        assertEquals(walk.get(0), f.nextKey(fd, 1000), "a key never added restarts the walk");
        assertNull(f.nextKey(fd, walk.get(39)), "the last key has no next");
        int middle = walk.get(20);
        assertEquals(walk.get(21), f.nextKey(fd, middle));
        assertEquals(0, f.delete(fd, middle));
        assertEquals(walk.get(0), f.nextKey(fd, middle), "a deleted key restarts the walk from the first key");
        int first = walk.get(0);
        assertEquals(0, f.delete(fd, first));
        assertEquals(walk.get(1), f.nextKey(fd, null), "the first key is gone: the walk starts at the next one");
        assertEquals(walk.get(1), f.nextKey(fd, first));
    }

    /** The bucket of a 4-byte key in a BPF_F_ZERO_SEED map of n buckets. */
    private static int bucket(int key, int n) {
        return KeyBytes.hashInt(key, 0) & (n - 1);
    }

    /** Keys that share one bucket of a ZERO_SEED map of n buckets, the first {@code count} found. */
    private static int[] sameBucket(int n, int count) {
        int[] keys = new int[count];
        int want = bucket(0, n);
        int found = 0;
        for (int k = 0; found < count; k++) {
            if (bucket(k, n) == want) {
                keys[found++] = k;
            }
        }
        return keys;
    }

    /**
     * Within a bucket, the newest key comes first ({@code hlist_nulls_add_head_rcu}): a walk
     * returns the keys of one bucket newest first, and a key deleted and added again moves to the
     * front of its bucket.
     */
    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void aBucketIsWalkedNewestFirst(MapType t) {
        int[] k = sameBucket(16, 3);
        int fd = f.create(t, 4, 8, 16, BpfFlags.F_ZERO_SEED);
        for (int key : k) {
            assertEquals(0, f.put(t, fd, key, key, 0));
        }
        assertEquals(List.of(k[2], k[1], k[0]), f.keys(fd));
        assertEquals(0, f.delete(fd, k[0]));
        assertEquals(0, f.put(t, fd, k[0], 7, 0));
        assertEquals(List.of(k[0], k[2], k[1]), f.keys(fd));
        assertEquals(k[2], f.nextKey(fd, k[0]));
        assertNull(f.nextKey(fd, k[1]));
    }

    private MapBatchAttr page(int fd, ByteBuffer cursor, int count) {
        MapBatchAttr a = new MapBatchAttr(fd);
        a.inBatch = cursor;
        a.outBatch = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        a.keys = ByteBuffer.allocate(4 * count).order(ByteOrder.nativeOrder());
        a.values = ByteBuffer.allocate(8 * count).order(ByteOrder.nativeOrder());
        a.count = count;
        return a;
    }

    /**
     * A lookup_and_delete batch whose first bucket does not fit is ENOSPC and deletes nothing;
     * with room for the bucket it takes the whole bucket, newest first, and its cursor is the
     * bucket after it.
     */
    @Test
    void aDeleteBatchThatDoesNotFitItsFirstBucketDeletesNothing() {
        int[] k = sameBucket(8, 3);
        int fd = f.create(MapType.HASH, 4, 8, 8, BpfFlags.F_ZERO_SEED);
        for (int key : k) {
            assertEquals(0, f.update(fd, key, key * 3L, 0));
        }
        int b = bucket(k[0], 8);
        MapBatchAttr p = page(fd, HashFixture.u32(b), 2);
        assertEquals(Errno.ENOSPC.ret(), f.bpf.bpf(BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH, p));
        assertEquals(0, p.count);
        assertEquals(3, f.keys(fd).size(), "nothing deleted");
        p = page(fd, HashFixture.u32(b), 3);
        int r = f.bpf.bpf(BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH, p);
        assertTrue(r == 0 || r == Errno.ENOENT.ret(), "ret " + r);
        assertEquals(3, p.count);
        for (int i = 0; i < 3; i++) {
            assertEquals(k[2 - i], p.keys.getInt(4 * i), "newest first");
            assertEquals(k[2 - i] * 3L, p.values.getLong(8 * i));
        }
        assertEquals(r == 0 ? b + 1 : 8, p.outBatch.getInt(0));
        assertEquals(List.of(), f.keys(fd));
    }

    /**
     * Fullness is exact whatever took the elements back: max_entries keys fit, one more is E2BIG,
     * and every way of deleting (delete, lookup_and_delete, a delete batch) gives its room back at
     * once, for preallocated maps and BPF_F_NO_PREALLOC ones, whose memlock follows.
     */
    @ParameterizedTest
    @CsvSource({"0", "1"})
    void fullnessIsExactAfterEveryKindOfDelete(int noPrealloc) {
        int flags = noPrealloc == 1 ? BpfFlags.F_NO_PREALLOC : 0;
        int fd = f.create(MapType.HASH, 4, 8, 8, flags);
        long empty = f.bpf.fdinfo(fd).memlock();
        for (int round = 0; round < 3; round++) {
            for (int k = 0; k < 8; k++) {
                assertEquals(0, f.update(fd, k, k, BpfFlags.NOEXIST));
            }
            assertEquals(Errno.E2BIG.ret(), f.update(fd, 100, 1, 0));
            assertEquals(0, f.update(fd, 3, 33, BpfFlags.EXIST), "a full map still takes updates of its keys");
            if (noPrealloc == 1) {
                assertTrue(f.bpf.fdinfo(fd).memlock() > empty, "eight elements are charged");
            }
            switch (round) {
                case 0:
                    for (int k = 0; k < 8; k++) {
                        assertEquals(0, f.delete(fd, k));
                    }
                    break;
                case 1:
                    for (int k = 0; k < 8; k++) {
                        assertEquals(k == 3 ? 33 : k, f.lookupAndDelete(fd, k));
                    }
                    break;
                default:
                    MapBatchAttr p = page(fd, null, 8);
                    assertEquals(Errno.ENOENT.ret(), f.bpf.bpf(BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH, p));
                    assertEquals(8, p.count);
                    break;
            }
            assertEquals(empty, f.bpf.fdinfo(fd).memlock(), "round " + round + ": the memory is back");
            assertEquals(List.of(), f.keys(fd));
        }
        Set<Integer> all = new HashSet<>();
        for (int k = 0; k < 8; k++) {
            assertEquals(0, f.update(fd, k + 50, k, 0));
            all.add(k + 50);
        }
        assertEquals(all, new HashSet<>(f.keys(fd)));
    }

    /**
     * The memory a map is charged never exceeds the kernel's for the same definition: figures from
     * bpftool's {@code memlock} on Linux 6.18 (x86-64), preallocated maps and an empty
     * BPF_F_NO_PREALLOC one.
     */
    @ParameterizedTest
    @CsvSource({
        "HASH, 4, 8, 16, 0, 2320",
        "HASH, 4, 8, 1000, 0, 81424",
        "HASH, 16, 64, 1000, 0, 145552",
        "HASH, 4, 8, 1000, 1, 17280",
        "LRU_HASH, 4, 8, 16, 0, 2176",
        "LRU_HASH, 4, 8, 1000, 0, 81280"})
    void memlockIsAtMostTheKernels(MapType t, int ks, int vs, int entries, int noPrealloc, long kernel) {
        int fd = f.create(t, ks, vs, entries, noPrealloc == 1 ? BpfFlags.F_NO_PREALLOC : 0);
        long ours = f.bpf.fdinfo(fd).memlock();
        assertTrue(ours > 0 && ours <= kernel, "memlock " + ours + ", the kernel's " + kernel);
    }
}
