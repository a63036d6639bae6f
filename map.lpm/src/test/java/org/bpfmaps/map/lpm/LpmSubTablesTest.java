package org.bpfmaps.map.lpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The jump table's sub-tables with IPv6 keys and the default strides, against the brute-force
 * search: prefixes clustered under two /16s (as IPv6 routes are) give those slots of the 16-bit
 * table sub-tables, which grow as the cluster does and go again as it empties. Besides random
 * lengths, the edges: /0, /128, and prefixes and queries of one bit either side of the table's
 * stride and of the sub-table's, and deletes that take nodes out above, at and below both.
 * Values of 8 bytes (numbers in the tables) and 16 (nodes).
 */
class LpmSubTablesTest {
    private static final long SEED = Long.getLong("bpfmaps.lpm.seed", System.nanoTime());
    /** The two clusters (2001:db8::/16 is one slot, 2a00::/16 the other) and an outsider's /16. */
    private static final long[] TOP = {0x2001L << 48, 0x2a00L << 48};
    private static final long OTHER = 0x2400L << 48;

    @ParameterizedTest
    @ValueSource(ints = {8, 16})
    void ipv6ClustersAnswerAsTheBruteForceAsTheirSubTablesGrowAndGo(int valueSize) {
        System.out.println("LpmSubTablesTest(" + valueSize + "): seed " + SEED + " (-Dbpfmaps.lpm.seed=" + SEED
                + " replays it)");
        SplittableRandom rnd = new SplittableRandom(SEED);
        LpmTrie trie = new LpmTrie(16, valueSize, 1 << 20);
        BruteForceLpm model = new BruteForceLpm();
        long[] id = {0};
        // /0 and /128 first, so that the tables are built with them in place
        add(trie, model, bytes(0, 0), 0, id, valueSize);
        byte[] host = bytes(TOP[0] | 0x0db8_0000_0000L, 0x1234_5678_9abc_def0L);
        add(trie, model, host, 128, id, valueSize);
        // the 16-bit table comes at 1024 prefixes: most of them spread over many /16s, 150 in the
        // first cluster, so that its sub-table starts small
        while (model.size() < 1200) {
            byte[] data = model.size() % 8 == 0 ? random(rnd) : bytes((long) (0x3100 + rnd.nextInt(4096)) << 48
                    | rnd.nextLong() >>> 16, rnd.nextLong());
            add(trie, model, data, 1 + rnd.nextInt(128), id, valueSize);
        }
        assertEquals(16, trie.stride(), "the 16-bit table");
        int sub = trie.subStride(TOP[0]);
        assertTrue(sub >= 16 + LpmJumps.SUB_BITS_MIN && sub < 16 + LpmJumps.SUB_BITS_MAX, "a sub-table: " + sub);
        assertEquals(0, trie.subStride(0x3000L << 48), "no sub-table where no prefix is");
        assertEquals(0, trie.subStride(0x3100L << 48), "nor where a few are");
        // the edges of both strides, in both clusters, inserted and looked up
        for (int len : new int[] {15, 16, 17, sub - 1, sub, sub + 1, 64, 65, 127, 128}) {
            for (int i = 0; i < 8; i++) {
                add(trie, model, random(rnd), len, id, valueSize);
            }
        }
        check(trie, model, rnd, sub, valueSize, 3000);
        int grown = trie.subStride(TOP[0]);
        while (model.size() < 4000) {
            add(trie, model, random(rnd), 17 + rnd.nextInt(112), id, valueSize);
        }
        assertEquals(16 + LpmJumps.SUB_BITS_MAX, trie.subStride(TOP[0]), "the sub-table grew with its cluster");
        assertTrue(grown < 16 + LpmJumps.SUB_BITS_MAX);
        check(trie, model, rnd, trie.subStride(TOP[0]), valueSize, 3000);
        assertArrayEquals(value(trie, host, 128, valueSize), model.match(host, 128) == null ? null
                : LpmJumpsTest.value(model.match(host, 128).value(), valueSize).array(), "the /128 itself");

        // deletes in random order, /0 and the /128 among them, checked as the clusters empty
        List<BruteForceLpm.Prefix> all = new ArrayList<>(model.prefixes());
        for (int i = all.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            BruteForceLpm.Prefix p = all.get(i);
            all.set(i, all.get(j));
            all.set(j, p);
        }
        int done = 0;
        for (BruteForceLpm.Prefix p : all) {
            assertEquals(0, trie.delete(LpmJumpsTest.key(p.bits(), p.data()), 0), "delete /" + p.bits());
            assertTrue(model.remove(p.data(), p.bits()));
            assertEquals(Errno.ENOENT.ret(), trie.delete(LpmJumpsTest.key(p.bits(), p.data()), 0), "deleted twice");
            if (++done % 200 == 0) {
                check(trie, model, rnd, 16 + LpmJumps.SUB_BITS_MAX, valueSize, 300);
            }
            if (model.size() == 40) {
                check(trie, model, rnd, 16 + LpmJumps.SUB_BITS_MAX, valueSize, 2000);
            }
        }
        assertEquals(0, trie.entries());
        assertEquals(0, trie.subStride(TOP[0]), "the sub-table went with its prefixes");
        assertEquals(0, trie.subStride(TOP[1]));
        check(trie, model, rnd, 16, valueSize, 500);
    }

    /**
     * Writers that start below the tables (LpmJumps.below) build the very trie a walk from the
     * root builds: the same updates and deletes, on a trie with the default tables and on one
     * that never builds any, give the same get_next_key order (the kernel's postorder, which
     * shows every node's place) at every checkpoint, IPv6 and IPv4.
     */
    @ParameterizedTest
    @ValueSource(ints = {4, 16})
    void writersBelowTheTablesBuildTheSameTrieAsFromTheRoot(int dataSize) {
        SplittableRandom rnd = new SplittableRandom(SEED + dataSize);
        LpmTrie fast = new LpmTrie(dataSize, 8, 1 << 20);
        LpmTrie plain = new LpmTrie(dataSize, 8, 1 << 20, new int[] {16}, new long[] {Long.MAX_VALUE});
        List<byte[]> keys = new ArrayList<>();
        int bits = 8 * dataSize;
        for (int i = 0; i < 6000; i++) {
            boolean delete = i > 2000 && rnd.nextInt(3) == 0 && !keys.isEmpty();
            byte[] k;
            if (delete) {
                k = keys.get(rnd.nextInt(keys.size()));
            } else {
                byte[] data = dataSize == 16 ? random(rnd) : ByteBuffer.allocate(4).putInt(rnd.nextInt(4) << 24
                        | rnd.nextInt(1 << 20)).array(); // 64 slots of the 16-bit table
                k = LpmJumpsTest.key(rnd.nextInt(4) == 0 ? rnd.nextInt(bits + 1) : bits / 2 + rnd.nextInt(bits / 2 + 1),
                        data).array();
                keys.add(k);
            }
            ByteBuffer kb = ByteBuffer.wrap(k);
            ByteBuffer v = LpmJumpsTest.value(i, 8);
            int a = delete ? fast.delete(kb, 0) : fast.update(kb, 0, v, 0, BpfFlags.ANY);
            int b = delete ? plain.delete(kb, 0) : plain.update(kb, 0, v, 0, BpfFlags.ANY);
            assertEquals(b, a, "op " + i);
            if (i % 1000 == 999) {
                assertEquals(postorder(plain, dataSize), postorder(fast, dataSize), "after op " + i);
            }
            if (i % 50 == 49) {
                assertNull(fast.checkStarts(), "after op " + i);
            }
        }
        assertEquals(16, fast.stride());
        assertTrue(fast.subStride(dataSize == 16 ? TOP[0] : 0) > 16, "with sub-tables");
        assertEquals(0, plain.stride());
    }

    /** Every key get_next_key gives, from the first, as hex. */
    private static List<String> postorder(LpmTrie trie, int dataSize) {
        List<String> out = new ArrayList<>();
        ByteBuffer next = ByteBuffer.allocate(4 + dataSize);
        ByteBuffer key = null;
        while (trie.nextKey(key, 0, next, 0) == 0) {
            out.add(HexFormat.of().formatHex(next.array()));
            key = ByteBuffer.wrap(next.array().clone());
        }
        return out;
    }

    private static void add(LpmTrie trie, BruteForceLpm model, byte[] data, int len, long[] id, int valueSize) {
        id[0]++;
        assertEquals(0, trie.update(LpmJumpsTest.key(len, data), 0, LpmJumpsTest.value(id[0], valueSize), 0,
                BpfFlags.ANY));
        model.add(data, len, id[0]);
    }

    /** 16 bytes under one of the clusters, now and then under the outsider's /16. */
    private static byte[] random(SplittableRandom rnd) {
        long top = rnd.nextInt(50) == 0 ? OTHER : TOP[rnd.nextInt(TOP.length)];
        return bytes(top | rnd.nextLong() >>> 16, rnd.nextLong());
    }

    private static byte[] bytes(long hi, long lo) {
        return ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
    }

    /** The trie's answer, or null when it finds nothing. */
    private static byte[] value(LpmTrie trie, byte[] data, int kpl, int valueSize) {
        ByteBuffer got = ByteBuffer.allocate(valueSize);
        return trie.lookup(LpmJumpsTest.key(kpl, data), 0, got, 0) == 0 ? got.array() : null;
    }

    /**
     * Lookups of random keys and of keys inside stored prefixes (their own bits and one beyond
     * flipped), mostly /128, the rest at every prefixlen and one bit either side of 16 and
     * {@code sub}.
     */
    private static void check(LpmTrie trie, BruteForceLpm model, SplittableRandom rnd, int sub, int valueSize,
            int lookups) {
        List<BruteForceLpm.Prefix> live = model.prefixes();
        int[] edges = {15, 16, 17, sub - 1, sub, sub + 1};
        for (int i = 0; i < lookups; i++) {
            byte[] data = random(rnd);
            if (!live.isEmpty() && rnd.nextBoolean()) {
                BruteForceLpm.Prefix p = live.get(rnd.nextInt(live.size()));
                int keep = Math.min(128, p.bits() + rnd.nextInt(3)); // at, or just past, the prefix
                for (int b = 0; b < keep; b++) {
                    int bit = 0x80 >>> (b & 7);
                    data[b >>> 3] = (byte) ((data[b >>> 3] & ~bit) | (p.data()[b >>> 3] & bit));
                }
                if (keep > 0 && rnd.nextInt(4) == 0) {
                    int b = keep - 1; // the last bit of the prefix flipped: another neighbour
                    data[b >>> 3] ^= (byte) (0x80 >>> (b & 7));
                }
            }
            int pick = rnd.nextInt(8);
            int kpl = pick < 5 ? 128 : pick == 5 ? rnd.nextInt(129) : edges[rnd.nextInt(edges.length)];
            BruteForceLpm.Prefix want = model.match(data, kpl);
            byte[] got = value(trie, data, kpl, valueSize);
            String what = "/" + kpl + " " + HexFormat.of().formatHex(data) + " (sub-table stride "
                    + trie.subStride(ByteBuffer.wrap(data).getLong(0)) + ")";
            if (want == null) {
                assertEquals(null, got, what);
            } else {
                assertArrayEquals(LpmJumpsTest.value(want.value(), valueSize).array(), got, what);
            }
        }
    }
}
