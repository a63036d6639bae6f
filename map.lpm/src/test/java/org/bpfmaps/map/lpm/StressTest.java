package org.bpfmaps.map.lpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.bpfmaps.map.lpm.Ipv4Prefixes.STABLE;
import static org.bpfmaps.map.lpm.Ipv4Prefixes.assertCovers;
import static org.bpfmaps.map.lpm.Ipv4Prefixes.id;
import static org.bpfmaps.map.lpm.Ipv4Prefixes.key;
import static org.bpfmaps.map.lpm.Ipv4Prefixes.mask;
import static org.bpfmaps.map.lpm.Ipv4Prefixes.stableLength;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapElemAttr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Writers insert and delete prefixes under 10.0.0.0/8 (making and removing intermediate nodes
 * all along) while readers look up addresses and walk the trie, through bpf(). Two stable
 * prefixes are never touched: 10.0.0.0/8 and 10.1.2.0/24. Whatever the writers do, every answer a
 * reader gets must be one some state of the trie could give: a lookup in 10/8 always finds a
 * prefix that covers the address and is at least /8 (at least /24 inside 10.1.2.0/24), with the
 * value that prefix was stored with, whole; nothing is ever found outside 10/8; each step of a
 * walk returns a stored key's shape and the walk ends. Afterwards the trie holds exactly what the
 * writers' own models say, and answers as the brute-force search does.
 *
 * <p>Each writer owns the prefixes whose 9th bit is its number, so its model is exact.
 * {@code -Dbpfmaps.stress.ops=N} sets the operations per writer; the threads start together from
 * a latch, readers run until the writers are done.
 */
class StressTest {
    private static final int OPS = Integer.getInteger("bpfmaps.stress.ops", 100_000);
    private static final long SEED = Long.getLong("bpfmaps.lpm.seed", System.nanoTime());
    private static final int WRITERS = 2;
    private static final int READERS = 2;
    private static final int POOL = 300;

    private final LpmFixture f = new LpmFixture();

    @AfterEach
    void close() {
        f.close();
    }

    /** The 16-byte value stored for a prefix: its id and the id's complement. */
    private static ByteBuffer value(int len, int address) {
        return Ipv4Prefixes.value(len, address, 16);
    }

    @Test
    void readersSeeOnlyConsistentAnswers() throws Exception {
        run(0);
    }

    /**
     * The same with 3000 more prefixes under 192.0.0.0/2, which readers never ask about: the trie
     * is large enough for its jump table, whose entries under 10/8 the writers' short prefixes
     * keep changing while readers use them (LpmJumpsStressTest also grows the table under them).
     */
    @Test
    void readersSeeOnlyConsistentAnswersWithTheJumpTable() throws Exception {
        run(3000);
    }

    private void run(int ballast) throws Exception {
        System.out.println("StressTest: seed " + SEED + ", " + OPS + " ops per writer, " + ballast + " more prefixes");
        int fd = f.create(4, 16, 10_000);
        for (int[] s : STABLE) {
            assertEquals(0, f.update(fd, key(s[0], s[1]), value(s[0], s[1]), BpfFlags.NOEXIST));
        }
        Map<Long, int[]> others = new HashMap<>();
        SplittableRandom b = new SplittableRandom(SEED ^ 0x5eed);
        while (others.size() < ballast) {
            int len = 12 + b.nextInt(21);
            int a = (0xc0000000 | b.nextInt(1 << 30)) & mask(len);
            if (others.putIfAbsent(((long) len << 32) | (a & 0xffff_ffffL), new int[] {len, a}) == null) {
                assertEquals(0, f.update(fd, key(len, a), value(len, a), BpfFlags.NOEXIST));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + READERS + 1);
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Future<Map<Long, int[]>>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            writers.add(pool.submit(new Writer(fd, w, start)));
        }
        List<Future<Long>> readers = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
            readers.add(pool.submit(new Reader(fd, r, start, writing)));
        }
        Future<Long> walker = pool.submit(new Walker(fd, start, writing));
        start.countDown();
        Map<Long, int[]> expected = new HashMap<>();
        try {
            for (Future<Map<Long, int[]>> w : writers) {
                expected.putAll(w.get(10, TimeUnit.MINUTES));
            }
        } finally {
            writing.set(false);
        }
        for (Future<Long> r : readers) {
            assertTrue(r.get(1, TimeUnit.MINUTES) > 0, "a reader made no lookups");
        }
        assertTrue(walker.get(1, TimeUnit.MINUTES) > 0, "the walker finished no walk");
        pool.shutdown();
        assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));

        // afterwards: exactly the stable prefixes, the others and what the writers' models hold
        expected.putAll(others);
        BruteForceLpm model = new BruteForceLpm();
        Set<String> want = new HashSet<>();
        for (int[] s : STABLE) {
            expected.put(((long) s[0] << 32) | (s[1] & 0xffff_ffffL), s);
        }
        for (int[] p : expected.values()) {
            byte[] data = ByteBuffer.allocate(4).putInt(p[1]).array();
            model.add(data, p[0], id(p[0], p[1]));
            want.add(LpmFixture.show(key(p[0], p[1])));
        }
        assertEquals(want, new HashSet<>(f.keys(fd, 8)));
        SplittableRandom rnd = new SplittableRandom(SEED);
        for (int i = 0; i < 20_000; i++) {
            int a = 0x0a000000 | rnd.nextInt(1 << 24);
            byte[] data = ByteBuffer.allocate(4).putInt(a).array();
            byte[] got = f.lookup(fd, key(32, a), 16);
            BruteForceLpm.Prefix p = model.match(data, 32);
            assertEquals(p.value(), ByteBuffer.wrap(got).order(ByteOrder.nativeOrder()).getLong(0));
        }
    }

    /** Updates and deletes its own pool of prefixes; returns what it left stored. */
    private final class Writer implements Callable<Map<Long, int[]>> {
        private final int fd;
        private final int w;
        private final CountDownLatch start;

        Writer(int fd, int w, CountDownLatch start) {
            this.fd = fd;
            this.w = w;
            this.start = start;
        }

        @Override
        public Map<Long, int[]> call() throws Exception {
            SplittableRandom rnd = new SplittableRandom(SEED + w + 1);
            List<int[]> prefixes = new ArrayList<>();
            while (prefixes.size() < POOL) {
                int len = 9 + rnd.nextInt(24);
                // 10.x.x.x with the 9th bit = w; short prefixes are likelier, so they nest
                int a = (0x0a000000 | (w << 23) | rnd.nextInt(1 << 23)) & mask(len);
                if (len == 24 && a == STABLE[1][1]) {
                    continue;
                }
                prefixes.add(new int[] {len, a | (rnd.nextInt(1 << 8) & ~mask(len))});
            }
            Map<Long, int[]> stored = new HashMap<>();
            MapElemAttr attr = new MapElemAttr();
            start.await();
            for (int i = 0; i < OPS; i++) {
                int[] p = prefixes.get(rnd.nextInt(POOL));
                long pid = id(p[0], p[1]);
                ByteBuffer k = key(p[0], p[1]);
                if (rnd.nextInt(3) == 0) {
                    int r = f.bpf.bpf(BpfCmd.MAP_DELETE_ELEM, attr.set(fd, k, null, 0));
                    assertEquals(stored.remove(pid) != null ? 0 : Errno.ENOENT.ret(), r, "delete");
                } else {
                    // the value names the prefix with its bits past the length cleared
                    int r = f.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, attr.set(fd, k, value(p[0], p[1] & mask(p[0])), 0));
                    assertEquals(0, r, "update");
                    stored.put(pid, new int[] {p[0], p[1]});
                }
            }
            return stored;
        }
    }

    /** Looks up random addresses and checks each answer could come from some state of the trie. */
    private final class Reader implements Callable<Long> {
        private final int fd;
        private final int r;
        private final CountDownLatch start;
        private final AtomicBoolean writing;

        Reader(int fd, int r, CountDownLatch start, AtomicBoolean writing) {
            this.fd = fd;
            this.r = r;
            this.start = start;
            this.writing = writing;
        }

        @Override
        public Long call() throws Exception {
            SplittableRandom rnd = new SplittableRandom(SEED - r - 1);
            ByteBuffer k = key(32, 0);
            ByteBuffer v = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
            MapElemAttr attr = new MapElemAttr();
            long n = 0;
            start.await();
            while (writing.get() || n == 0) {
                int pick = rnd.nextInt(8);
                int a = pick == 0 ? 0x0b000000 | rnd.nextInt(1 << 24)
                        : pick == 1 ? STABLE[1][1] | rnd.nextInt(256) : 0x0a000000 | rnd.nextInt(1 << 24);
                k.putInt(4, key(32, a).getInt(4));
                int res = f.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, attr.set(fd, k, v, 0));
                n++;
                if ((a >>> 24) != 0x0a) {
                    assertEquals(Errno.ENOENT.ret(), res, "found something outside 10/8");
                    continue;
                }
                assertEquals(0, res, () -> "nothing found for " + Integer.toHexString(a) + " though 10/8 is stable");
                assertCovers(a, v, 16, stableLength(a));
            }
            return n;
        }
    }

    /** Walks the trie with get_next_key from NULL, again and again, while the writers run. */
    private final class Walker implements Callable<Long> {
        private final int fd;
        private final CountDownLatch start;
        private final AtomicBoolean writing;

        Walker(int fd, CountDownLatch start, AtomicBoolean writing) {
            this.fd = fd;
            this.start = start;
            this.writing = writing;
        }

        @Override
        public Long call() throws Exception {
            long walks = 0;
            start.await();
            while (writing.get() || walks == 0) {
                ByteBuffer at = null;
                int steps = 0;
                // a walk restarts when its key is deleted under it, so it is bounded, not exact
                while (steps < 100_000) {
                    ByteBuffer next = f.nextKey(fd, at, 8);
                    if (next == null) {
                        break;
                    }
                    int len = next.getInt(0);
                    int a = ByteBuffer.wrap(next.array(), 4, 4).getInt();
                    // 10/8's prefixes, or the others under 192.0.0.0/2 (/12 to /32)
                    assertTrue(len >= 8 && len <= 32 && (a >>> 24) == 0x0a || len >= 12 && (a >>> 30) == 3,
                            () -> "a walk returned /" + len + " "
                            + Integer.toHexString(a));
                    at = next;
                    steps++;
                }
                walks++;
            }
            return walks;
        }
    }
}
