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
}
