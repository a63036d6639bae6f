package org.bpfmaps.map.lpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.spi.MapFootprint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The jump table against the brute-force search, single-threaded: a trie with small strides (4,
 * 7 and 10 bits from 16, 128 and 1024 prefixes) grows to 1500 prefixes and shrinks to none again,
 * through every threshold, while updates replace values and deletes make and remove intermediate
 * nodes at every depth; every few operations, lookups of random keys at every query prefixlen
 * (below and above the stride) and of keys inside stored prefixes must answer as the brute force
 * does. Values of 4 and 8 bytes (kept as numbers in the table) and of 16 (kept as objects); data of
 * 2, 3 and 16 bytes (the last takes the walk for keys over 8 bytes).
 */
class LpmJumpsTest {
    private static final long SEED = Long.getLong("bpfmaps.lpm.seed", System.nanoTime());
    private static final int[] STRIDES = {4, 7, 10};
    private static final long[] FROM = {16, 128, 1024};

    @Test
    void theMemoryChargedCoversEveryTableTheTrieBuilds() {
        // IPv4 keys with 8-byte values: none below 1024 prefixes, 16 bits from it, 20 from 2^18;
        // each table: its object, a reference a slot and a long (or a reference) beside it, as
        // arrays the collector may round up, and a 16-byte jump object for as many slots as there
        // are prefixes; and where sub-tables fit, their counts and sub-tables
        long t16 = table(16, 8, 1024) + subs(16, 8, 1024, 10);
        assertEquals(0, LpmJumps.heapBytesAtMost(32, 8, 1023));
        assertEquals(t16, LpmJumps.heapBytesAtMost(32, 8, 1024));
        assertTrue(t16 >= 32 + (12L << 16) + 16 * 1024);
        assertTrue(subs(16, 8, 1024, 10) >= 4 * 1024 * (12 + 16) + (4L << 16), "4 entries a prefix, an int a slot");
        assertEquals(table(16, 8, 1 << 16) + subs(16, 8, 1 << 20, 10) + table(20, 8, 1 << 20) + subs(20, 8, 1 << 20, 10),
                LpmJumps.heapBytesAtMost(32, 8, 1 << 20), "the 16-bit table is still live while the 20-bit one is built");
        assertEquals(table(16, 16, 1 << 16) + subs(16, 16, 1 << 20, 10) + table(20, 16, 1 << 20)
                + subs(20, 16, 1 << 20, 10), LpmJumps.heapBytesAtMost(128, 16, 1 << 20),
                "other value sizes keep the node above, a reference");
        assertEquals(table(16, 4, 1 << 16), LpmJumps.heapBytesAtMost(20, 4, 1 << 20),
                "keys of 20 bits or fewer never get the 20-bit table, nor sub-tables (they would add 3 bits)");
        assertEquals(0, LpmJumps.heapBytesAtMost(16, 8, 1 << 20), "nor keys of 16 bits any");
    }

    private static long table(int stride, int valueSize, long jumps) {
        long slots = 1L << stride;
        boolean small = valueSize == 4 || valueSize == 8;
        // refs, the smalls or founds beside them, and for smalls the writers' nodes above
        return 32 + MapFootprint.arrayBytes(slots, 4) + MapFootprint.arrayBytes(slots, small ? 8 : 4)
                + (small ? MapFootprint.arrayBytes(slots, 4) : 0) + 16 * jumps;
    }

    /**
     * The counts (an int a slot) and the sub-tables of a table: at most 4 entries a prefix and
     * one sub-table of {@code subBits} more in a rebuild, each entry with a jump, and 3 objects
     * for each sub-table (one per SUB_FROM / 4 prefixes at most).
     */
    private static long subs(int stride, int valueSize, long prefixes, int subBits) {
        long entries = 4 * prefixes + (1L << subBits);
        return MapFootprint.arrayBytes(1L << stride, 4) + entries * ((valueSize == 4 || valueSize == 8 ? 12 : 8) + 16)
                + (prefixes / 4 + 1) * (40 + 32);
    }

    @ParameterizedTest
    @CsvSource({"2, 8", "2, 4", "2, 16", "3, 8", "16, 8", "16, 16"})
    void answersAsTheBruteForceThroughEveryThreshold(int dataSize, int valueSize) {
        System.out.println("LpmJumpsTest(" + dataSize + ", " + valueSize + "): seed " + SEED
                + " (-Dbpfmaps.lpm.seed=" + SEED + " replays it)");
        SplittableRandom rnd = new SplittableRandom(SEED);
        LpmTrie trie = new LpmTrie(dataSize, valueSize, 1 << 20, STRIDES, FROM);
        BruteForceLpm model = new BruteForceLpm();
        List<byte[]> stored = new ArrayList<>(); // the data of every update, to make more nearby
        int maxBits = 8 * dataSize;
        int widest = 0;
        long id = 0;
        for (int phase = 0; phase < 2; phase++) {
            boolean growing = phase == 0;
            while (growing ? model.size() < 1500 : model.size() > 0) {
                // growing: 3 updates for each delete; shrinking: the other way round
                if (rnd.nextInt(4) == 0 == growing) {
                    // a stored prefix, or now and then one that is not (ENOENT)
                    List<BruteForceLpm.Prefix> live = model.prefixes();
                    BruteForceLpm.Prefix p = !live.isEmpty() && rnd.nextInt(8) > 0 ? live.get(rnd.nextInt(live.size()))
                            : new BruteForceLpm.Prefix(prefixlen(rnd, maxBits), near(rnd, stored, dataSize), 0);
                    boolean there = model.remove(p.data(), p.bits());
                    assertEquals(there ? 0 : Errno.ENOENT.ret(), trie.delete(key(p.bits(), p.data()), 0));
                } else {
                    int len = prefixlen(rnd, maxBits);
                    byte[] data = near(rnd, stored, dataSize);
                    id++;
                    assertEquals(0, trie.update(key(len, data), 0, value(id, valueSize), 0, BpfFlags.ANY));
                    model.add(data, len, id);
                    stored.add(data);
                }
                widest = Math.max(widest, trie.stride());
                assertNull(trie.checkStarts(), "the writers' starts");
                if (rnd.nextInt(8) == 0) {
                    check(trie, model, rnd, stored, dataSize, valueSize, 40);
                }
            }
            check(trie, model, rnd, stored, dataSize, valueSize, 2000);
        }
        assertEquals(10, widest, "the table grew through its strides");
        assertEquals(10, trie.stride(), "the table does not shrink");
    }

    /** Mostly long prefixes, as in a routing table, but every length from 0. */
    private static int prefixlen(SplittableRandom rnd, int maxBits) {
        return rnd.nextInt(3) == 0 ? rnd.nextInt(maxBits + 1) : maxBits - rnd.nextInt(Math.min(maxBits, 12) + 1);
    }

    /** Random data, or a stored prefix's data with some of its later bits changed, so prefixes nest. */
    private static byte[] near(SplittableRandom rnd, List<byte[]> stored, int dataSize) {
        byte[] data = new byte[dataSize];
        rnd.nextBytes(data);
        if (!stored.isEmpty() && rnd.nextBoolean()) {
            byte[] p = stored.get(rnd.nextInt(stored.size()));
            int keep = rnd.nextInt(8 * dataSize + 1);
            for (int i = 0; i < keep; i++) {
                int bit = 0x80 >>> (i & 7);
                data[i >>> 3] = (byte) ((data[i >>> 3] & ~bit) | (p[i >>> 3] & bit));
            }
        }
        return data;
    }

    private static void check(LpmTrie trie, BruteForceLpm model, SplittableRandom rnd, List<byte[]> stored,
            int dataSize, int valueSize, int lookups) {
        ByteBuffer got = ByteBuffer.allocate(valueSize);
        for (int i = 0; i < lookups; i++) {
            byte[] data = near(rnd, stored, dataSize);
            // every query prefixlen, but mostly the full one, which the table serves
            int kpl = rnd.nextInt(4) == 0 ? rnd.nextInt(8 * dataSize + 1) : 8 * dataSize;
            BruteForceLpm.Prefix want = model.match(data, kpl);
            int r = trie.lookup(key(kpl, data), 0, got.clear(), 0);
            String what = "/" + kpl + " " + HexFormat.of().formatHex(data) + " at stride " + trie.stride();
            if (want == null) {
                assertEquals(Errno.ENOENT.ret(), r, what);
            } else {
                assertEquals(0, r, what);
                assertArrayEquals(value(want.value(), valueSize).array(), got.array(), what);
            }
        }
        assertTrue(lookups > 0);
    }

    static ByteBuffer key(int prefixlen, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + data.length).order(ByteOrder.nativeOrder());
        return b.putInt(0, prefixlen).put(4, data);
    }

    /** The value stored with id {@code id}: the id in every 4 bytes (so a torn or wrong copy shows). */
    static ByteBuffer value(long id, int valueSize) {
        ByteBuffer b = ByteBuffer.allocate(valueSize).order(ByteOrder.nativeOrder());
        for (int i = 0; i < valueSize; i += 4) {
            b.putInt(i, (int) id + i);
        }
        return b;
    }
}
