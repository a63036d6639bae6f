package org.bpfmaps.map.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.MapDef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Home elements ({@link HomeSlots}, {@link HomePool}) as a user sees them: every key of a bucket
 * is found whether it lives in the bucket's home or an overflow slot, a bucket whose home key is
 * deleted gives the home to its next new key, and max_entries holds exactly however the keys fall
 * between homes and overflow slots.
 */
class HomeSlotsTest {
    private final HashFixture f = new HashFixture(2);

    @AfterEach
    void close() {
        f.close();
    }

    /** The first {@code count} keys of bucket {@code b} in a ZERO_SEED map of n buckets. */
    private static int[] inBucket(int b, int n, int count) {
        int[] keys = new int[count];
        for (int k = 0, found = 0; found < count; k++) {
            if ((KeyBytes.hashInt(k, 0) & (n - 1)) == b) {
                keys[found++] = k;
            }
        }
        return keys;
    }

    private void assertHolds(int fd, int[] keys, long... values) {
        for (int i = 0; i < keys.length; i++) {
            assertEquals(values[i], f.lookup(fd, keys[i], 8), "key " + keys[i]);
        }
    }

    @Test
    void allKeysInOneBucketFillTheMapExactly() {
        assertEquals(5, HashProvider.homeShift(new MapDef(MapType.HASH, 4, 8, 4,
                BpfFlags.F_ZERO_SEED, BpfFlags.NUMA_NO_NODE, 0, "", 2, 8)), "this shape has home elements");
        int[] k = inBucket(1, 4, 6);
        int fd = f.create(MapType.HASH, 4, 8, 4, BpfFlags.F_ZERO_SEED);
        for (int i = 0; i < 4; i++) {
            assertEquals(0, f.update(fd, k[i], 10 + i, 0));
        }
        // one home, three overflow slots: the map is full
        assertEquals(Errno.E2BIG.ret(), f.update(fd, k[4], 1, 0));
        assertEquals(Errno.E2BIG.ret(), f.update(fd, inBucket(2, 4, 1)[0], 1, 0), "full for every bucket");
        assertHolds(fd, new int[] {k[0], k[1], k[2], k[3]}, 10, 11, 12, 13);
        assertEquals(List.of(k[3], k[2], k[1], k[0]), f.keys(fd));

        // the home key (the first) goes: its room is back, and the next new key takes the home
        assertEquals(0, f.delete(fd, k[0]));
        assertEquals(HashFixture.missing(Errno.ENOENT), f.lookup(fd, k[0], 8));
        assertEquals(0, f.update(fd, k[4], 14, 0));
        assertEquals(Errno.E2BIG.ret(), f.update(fd, k[5], 1, 0));
        assertHolds(fd, new int[] {k[1], k[2], k[3], k[4]}, 11, 12, 13, 14);
        assertEquals(List.of(k[4], k[3], k[2], k[1]), f.keys(fd), "newest first, wherever it lives");

        // an overflow key goes: a key of another bucket takes that bucket's home
        assertEquals(0, f.delete(fd, k[2]));
        int other = inBucket(3, 4, 1)[0];
        assertEquals(0, f.update(fd, other, 99, 0));
        assertEquals(Errno.E2BIG.ret(), f.update(fd, k[2], 1, 0));
        assertHolds(fd, new int[] {k[1], k[3], k[4], other}, 11, 13, 14, 99);
        assertEquals(0, f.update(fd, k[4], 41, BpfFlags.EXIST), "the home key's value replaced in place");
        assertHolds(fd, new int[] {k[4]}, 41);
    }

    @Test
    void churnThroughHomesAndOverflowNeverLosesRoom() {
        int fd = f.create(MapType.HASH, 4, 8, 64, 0);
        for (int round = 0; round < 50; round++) {
            for (int k = 0; k < 64; k++) {
                assertEquals(0, f.update(fd, round * 1000 + k, k, BpfFlags.NOEXIST), "round " + round + " key " + k);
            }
            assertEquals(Errno.E2BIG.ret(), f.update(fd, -1, 1, 0));
            for (int k = 0; k < 64; k++) {
                assertEquals(k, f.lookup(fd, round * 1000 + k, 8));
            }
            for (int k = 0; k < 64; k++) {
                // delete in an order unlike the inserts', so homes and overflow slots mix
                int d = (k * 37) & 63;
                assertEquals(0, f.delete(fd, round * 1000 + d));
            }
            assertEquals(List.of(), f.keys(fd));
        }
    }

    /**
     * Buckets 2 and 3 share a record's two homes ({@link Buckets}): two keys of bucket 2 take
     * both, a key of bucket 3 then lives in an overflow slot, and every key is found, listed in
     * bucket order (newest first within a bucket) and deleted whichever home it took; a freed
     * home goes to the next new key of either bucket.
     */
    @Test
    void twoBucketsShareTheirRecordsHomes() {
        int[] b2 = inBucket(2, 4, 3);
        int[] b3 = inBucket(3, 4, 2);
        int fd = f.create(MapType.HASH, 4, 8, 4, BpfFlags.F_ZERO_SEED);
        assertEquals(0, f.update(fd, b2[0], 20, 0));
        assertEquals(0, f.update(fd, b2[1], 21, 0)); // bucket 3's home, which was free
        assertEquals(0, f.update(fd, b3[0], 30, 0)); // both homes taken: an overflow slot
        assertHolds(fd, new int[] {b2[0], b2[1], b3[0]}, 20, 21, 30);
        assertEquals(List.of(b2[1], b2[0], b3[0]), f.keys(fd));
        assertEquals(0, f.update(fd, b2[1], 22, BpfFlags.EXIST), "a value replaced in the pair's home");
        assertHolds(fd, new int[] {b2[1]}, 22);

        // the key in bucket 3's home goes: bucket 3's next key takes its home, bucket 2's keys stay
        assertEquals(0, f.delete(fd, b2[1]));
        assertEquals(HashFixture.missing(Errno.ENOENT), f.lookup(fd, b2[1], 8));
        assertEquals(0, f.update(fd, b3[1], 31, 0));
        assertEquals(0, f.update(fd, b2[2], 23, 0));
        assertEquals(Errno.E2BIG.ret(), f.update(fd, b2[1], 1, 0), "max_entries keys, wherever they live");
        assertHolds(fd, new int[] {b2[0], b2[2], b3[0], b3[1]}, 20, 23, 30, 31);
        assertEquals(List.of(b2[2], b2[0], b3[1], b3[0]), f.keys(fd));
        for (int k : new int[] {b3[0], b2[0], b3[1], b2[2]}) {
            assertEquals(0, f.delete(fd, k));
        }
        assertEquals(List.of(), f.keys(fd));
    }

    /** The smallest tables: one bucket (max_entries 1), whose record is whole, and one record of two buckets. */
    @Test
    void oneBucketTable() {
        int fd = f.create(MapType.HASH, 4, 8, 1, 0);
        assertEquals(0, f.update(fd, 7, 70, 0));
        assertEquals(Errno.E2BIG.ret(), f.update(fd, 8, 80, 0));
        assertEquals(0, f.update(fd, 7, 71, BpfFlags.EXIST));
        assertHolds(fd, new int[] {7}, 71);
        assertEquals(0, f.delete(fd, 7));
        assertEquals(0, f.update(fd, 8, 80, 0));
        assertEquals(List.of(8), f.keys(fd));

        int two = f.create(MapType.HASH, 4, 8, 2, 0);
        for (int k = 0; k < 2; k++) {
            assertEquals(0, f.update(two, 100 + k, k, 0));
        }
        assertEquals(Errno.E2BIG.ret(), f.update(two, 102, 2, 0));
        assertHolds(two, new int[] {100, 101}, 0, 1);
    }
}
