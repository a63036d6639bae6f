package org.bpfmaps.map.lpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.bpfmaps.map.lpm.Ipv4Prefixes.STABLE;
import static org.bpfmaps.map.lpm.Ipv4Prefixes.assertCovers;
import static org.bpfmaps.map.lpm.Ipv4Prefixes.id;
import static org.bpfmaps.map.lpm.Ipv4Prefixes.key;
import static org.bpfmaps.map.lpm.Ipv4Prefixes.mask;
import static org.bpfmaps.map.lpm.Ipv4Prefixes.stableLength;
import static org.bpfmaps.map.lpm.Ipv4Prefixes.value;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * StressTest's check with the jump table growing under the readers: the trie (IPv4 keys, small
 * strides: 8, 12 and 16 bits from 64, 512 and 4096 prefixes) starts with only 10.0.0.0/8 and
 * 10.1.2.0/24; one writer grows it to 6000 prefixes under 192.0.0.0/2 (every table is built, and
 * replaced, while readers use it) and then replaces and deletes them, and two writers insert and
 * delete prefixes /9../32 under 10/8, changing entries at every depth. Readers check each answer
 * could come from some state: in 10/8 a covering prefix of at least /8 (/24 in 10.1.2.0/24) whose
 * value names it, whole; under 192/2 nothing or a covering prefix; elsewhere nothing. Afterwards
 * the trie answers as the brute force does. Values of 8 bytes (numbers in the table) and 16.
 */
class LpmJumpsStressTest {
    private static final int OPS = Integer.getInteger("bpfmaps.stress.ops", 100_000);
    private static final long SEED = Long.getLong("bpfmaps.lpm.seed", System.nanoTime());
    private static final int BALLAST = 6000;

    @ParameterizedTest
    @ValueSource(ints = {8, 16})
    void readersSeeOnlyConsistentAnswersWhileTheTableGrows(int valueSize) throws Exception {
        System.out.println("LpmJumpsStressTest(" + valueSize + "): seed " + SEED + ", " + OPS + " ops per writer");
        LpmTrie trie = new LpmTrie(4, valueSize, 1 << 20, new int[] {8, 12, 16}, new long[] {64, 512, 4096});
        for (int[] s : STABLE) {
            assertEquals(0, trie.update(key(s[0], s[1]), 0, value(s[0], s[1], valueSize), 0, BpfFlags.NOEXIST));
        }
        ExecutorService pool = Executors.newFixedThreadPool(5);
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Future<BruteForceLpm>> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int own = w;
            writers.add(pool.submit(() -> under10(trie, own, valueSize, start)));
        }
        writers.add(pool.submit(() -> ballast(trie, valueSize, start)));
        List<Future<Long>> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            int own = r;
            readers.add(pool.submit(() -> read(trie, own, valueSize, start, writing)));
        }
        start.countDown();
        BruteForceLpm model = new BruteForceLpm();
        try {
            for (Future<BruteForceLpm> w : writers) {
                for (BruteForceLpm.Prefix p : w.get(10, TimeUnit.MINUTES).prefixes()) {
                    model.add(p.data(), p.bits(), p.value());
                }
            }
        } finally {
            writing.set(false);
        }
        for (Future<Long> r : readers) {
            assertTrue(r.get(1, TimeUnit.MINUTES) > 0, "a reader made no lookups");
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
        assertEquals(16, trie.stride(), "the table grew to its last stride");

        for (int[] s : STABLE) {
            model.add(ByteBuffer.allocate(4).putInt(s[1]).array(), s[0], ((long) s[0] << 32) | (s[1] & 0xffff_ffffL));
        }
        SplittableRandom rnd = new SplittableRandom(SEED);
        ByteBuffer got = ByteBuffer.allocate(valueSize).order(ByteOrder.nativeOrder());
        for (int i = 0; i < 20_000; i++) {
            int a = rnd.nextBoolean() ? 0x0a000000 | rnd.nextInt(1 << 24) : 0xc0000000 | rnd.nextInt(1 << 30);
            BruteForceLpm.Prefix p = model.match(ByteBuffer.allocate(4).putInt(a).array(), 32);
            int r = trie.lookup(key(32, a), 0, got, 0);
            assertEquals(p == null ? Errno.ENOENT.ret() : 0, r, () -> Integer.toHexString(a));
            if (p != null) {
                assertEquals(p.value(), got.getLong(0), () -> Integer.toHexString(a));
            }
        }
    }

    /** Writer {@code w}: prefixes /9../32 under 10/8 whose 9th bit is w; returns what it left stored. */
    private static BruteForceLpm under10(LpmTrie trie, int w, int valueSize, CountDownLatch start) throws Exception {
        SplittableRandom rnd = new SplittableRandom(SEED + w + 1);
        List<int[]> prefixes = new ArrayList<>();
        while (prefixes.size() < 300) {
            int len = 9 + rnd.nextInt(24);
            int a = (0x0a000000 | (w << 23) | rnd.nextInt(1 << 23)) & mask(len);
            if (len != 24 || a != STABLE[1][1]) {
                prefixes.add(new int[] {len, a});
            }
        }
        BruteForceLpm stored = new BruteForceLpm();
        start.await();
        for (int i = 0; i < OPS; i++) {
            change(trie, stored, prefixes.get(rnd.nextInt(prefixes.size())), rnd.nextInt(3) == 0, valueSize);
        }
        return stored;
    }

    /** Grows the trie through every threshold, then replaces and deletes what it added, at random. */
    private static BruteForceLpm ballast(LpmTrie trie, int valueSize, CountDownLatch start) throws Exception {
        SplittableRandom rnd = new SplittableRandom(SEED ^ 0x5eed);
        List<int[]> added = new ArrayList<>();
        BruteForceLpm stored = new BruteForceLpm();
        start.await();
        while (added.size() < BALLAST) {
            int len = 2 + rnd.nextInt(31);
            int a = (0xc0000000 | rnd.nextInt(1 << 30)) & mask(len);
            byte[] data = ByteBuffer.allocate(4).putInt(a).array();
            if (trie.update(key(len, a), 0, value(len, a, valueSize), 0, BpfFlags.NOEXIST) == 0) {
                added.add(new int[] {len, a});
                stored.add(data, len, id(len, a));
            }
        }
        for (int i = 0; i < OPS / 4; i++) {
            change(trie, stored, added.get(rnd.nextInt(added.size())), rnd.nextBoolean(), valueSize);
        }
        return stored;
    }

    /** Deletes the prefix {len, address} or stores it with ANY, in the trie and in the model alike. */
    private static void change(LpmTrie trie, BruteForceLpm stored, int[] p, boolean delete, int valueSize) {
        byte[] data = ByteBuffer.allocate(4).putInt(p[1]).array();
        if (delete) {
            boolean there = stored.remove(data, p[0]);
            assertEquals(there ? 0 : Errno.ENOENT.ret(), trie.delete(key(p[0], p[1]), 0), "delete");
        } else {
            assertEquals(0, trie.update(key(p[0], p[1]), 0, value(p[0], p[1], valueSize), 0, BpfFlags.ANY));
            stored.add(data, p[0], id(p[0], p[1]));
        }
    }

    /** Looks up addresses in 10/8, 11/8 and 192/2 until the writers are done; the lookups made. */
    private static long read(LpmTrie trie, int r, int valueSize, CountDownLatch start, AtomicBoolean writing)
            throws Exception {
        SplittableRandom rnd = new SplittableRandom(SEED - r - 1);
        ByteBuffer k = key(32, 0);
        ByteBuffer v = ByteBuffer.allocate(valueSize).order(ByteOrder.nativeOrder());
        long n = 0;
        start.await();
        while (writing.get() || n == 0) {
            int pick = rnd.nextInt(8);
            int a = pick == 0 ? 0x0b000000 | rnd.nextInt(1 << 24)
                    : pick == 1 ? STABLE[1][1] | rnd.nextInt(256)
                    : pick < 5 ? 0xc0000000 | rnd.nextInt(1 << 30) : 0x0a000000 | rnd.nextInt(1 << 24);
            k.putInt(4, key(32, a).getInt(4));
            int res = trie.lookup(k, 0, v, 0);
            n++;
            if ((a >>> 24) == 0x0b) {
                assertEquals(Errno.ENOENT.ret(), res, "found something in 11/8");
                continue;
            }
            boolean in10 = (a >>> 24) == 0x0a;
            if (res != 0) {
                assertTrue(!in10 && res == Errno.ENOENT.ret(), () -> "nothing found for " + Integer.toHexString(a)
                        + " though 10/8 is stable");
                continue;
            }
            // under 192/2 the ballast's prefixes are /2 or longer
            assertCovers(a, v, valueSize, Math.max(2, stableLength(a)));
        }
        return n;
    }
}
