package org.bpfmaps.map.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.concurrent.atomic.AtomicInteger;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapBatchAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Many threads on one map of each type at once, through bpf(), with what must hold checked as
 * they go and afterwards.
 *
 * <p>Each writer owns a range of keys and keeps a model of them (no one else writes them), so
 * every answer about its keys is predictable: exactly for HASH and PERCPU_HASH; for the LRU types,
 * up to evictions (a hit must give the last value written, a key the owner deleted never comes
 * back). All writers also hammer a few shared keys and update a few stable keys that are never
 * deleted; a walker pages through the map with LOOKUP_BATCH and get_next_key meanwhile. Values
 * are 16 bytes, a word and its complement, so a torn value shows. Afterwards: every key once in a
 * walk, at most max_entries of them, the owned keys as the models say.
 *
 * <p>{@code -Dbpfmaps.stress.ops=N} sets the operations per thread (heavier runs); no sleeps, the
 * threads start together from a latch.
 */
class StressTest {
    private static final int OPS = Integer.getInteger("bpfmaps.stress.ops", 100_000);
    private static final int WRITERS = 4;
    private static final int OWNED = 64;
    private static final int SHARED = 1000;
    private static final int SHARED_KEYS = 16;
    private static final int STABLE = 2000;
    private static final int STABLE_KEYS = 16;
    /** Every owned, shared and stable key at once: HASH maps never run out of room. */
    private static final int ALL_KEYS = WRITERS * OWNED + SHARED_KEYS + STABLE_KEYS;

    private final HashFixture f = new HashFixture(2);

    @AfterEach
    void close() {
        f.close();
    }

    @ParameterizedTest
    @CsvSource({"HASH,0", "HASH,1", "PERCPU_HASH,0", "PERCPU_HASH,1", "LRU_HASH,0", "LRU_HASH,2",
        "LRU_PERCPU_HASH,0", "LRU_PERCPU_HASH,2"})
    void invariantsHoldUnderConcurrentUse(MapType type, int flags) throws Exception {
        boolean lru = HashProvider.lru(type);
        // LRU maps get less room than the keys need, so that they evict all along
        int max = lru ? ALL_KEYS / 2 : ALL_KEYS;
        int fd = f.create(type, 4, 16, max, flags);
        Map2 map = new Map2(fd, type);
        for (int k = 0; k < STABLE_KEYS; k++) {
            assertEquals(0, map.update(STABLE + k, 1, BpfFlags.NOEXIST));
        }
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 1);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<long[]>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            Writer writer = new Writer(map, w, lru, start);
            writers.add(pool.submit(writer));
        }
        Future<long[]> walker = pool.submit(new Walker(map, lru, start, writers));
        start.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.MINUTES), "threads did not finish");
        long[][] models = new long[WRITERS][];
        for (int w = 0; w < WRITERS; w++) {
            models[w] = writers.get(w).get();
        }
        walker.get();

        // afterwards: a walk gives every key once, no more than max_entries
        List<Integer> keys = f.keys(fd);
        Set<Integer> unique = new HashSet<>(keys);
        assertEquals(keys.size(), unique.size(), "a key twice in a quiet walk");
        assertTrue(keys.size() <= max, keys.size() + " keys in a map of " + max);
        Map<Integer, Long> dumped = map.batchAll();
        assertEquals(unique, dumped.keySet(), "batch walk and get_next_key walk agree");
        for (int w = 0; w < WRITERS; w++) {
            for (int i = 0; i < OWNED; i++) {
                int k = w * OWNED + i;
                long want = models[w][i];
                Long got = dumped.get(k);
                if (got != null) {
                    assertEquals(want, (long) got, "key " + k + " holds another value than its owner wrote last");
                } else if (!lru) {
                    assertEquals(0, want, "key " + k + " is missing");
                }
            }
        }
        if (!lru) {
            for (int k = 0; k < STABLE_KEYS; k++) {
                assertTrue(dumped.containsKey(STABLE + k), "stable key " + k + " is gone");
            }
        }
    }

    /** The map through bpf(), with 16-byte values {v, ~v} (per CPU {v + c, ~(v + c)}). */
    private final class Map2 {
        final int fd;
        final boolean perCpu;
        final int vb;
        /** Per-thread buffers: nothing shared between threads but the map. */
        final ThreadLocal<Bufs> bufs;

        Map2(int fd, MapType type) {
            this.fd = fd;
            this.perCpu = HashProvider.perCpu(type);
            this.vb = perCpu ? 16 * f.cpus : 16;
            this.bufs = ThreadLocal.withInitial(() -> new Bufs(vb));
        }

        HashFixture f() {
            return f;
        }


        int update(int key, long v, long flags) {
            Bufs b = bufs.get();
            b.key.putInt(0, key);
            for (int c = 0; c < vb / 16; c++) {
                b.value.putLong(16 * c, v + c).putLong(16 * c + 8, ~(v + c));
            }
            return f.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, b.attr.set(fd, b.key, b.value, flags));
        }

        /** The value (checked whole), or -errno - 1 (never a value: values are positive). */
        long lookup(int key, BpfCmd cmd) {
            Bufs b = bufs.get();
            b.key.putInt(0, key);
            int r = f.bpf.bpf(cmd, b.attr.set(fd, b.key, b.value, 0));
            return r == 0 ? whole(b.value, 0) : r - 1;
        }

        int delete(int key) {
            Bufs b = bufs.get();
            b.key.putInt(0, key);
            return f.bpf.bpf(BpfCmd.MAP_DELETE_ELEM, b.attr.set(fd, b.key, null, 0));
        }

        /** The value at {@code at}, after checking it is not torn. */
        long whole(ByteBuffer values, int at) {
            long v = values.getLong(at);
            for (int c = 0; c < vb / 16; c++) {
                long a = values.getLong(at + 16 * c);
                long n = values.getLong(at + 16 * c + 8);
                if (n != ~a || a != v + c) {
                    throw new AssertionError("torn value: " + Long.toHexString(a) + " " + Long.toHexString(n)
                            + " at CPU " + c);
                }
            }
            return v;
        }

        /** LOOKUP_BATCH pages from start to end, 8 elements at a time; each key at most once. */
        Map<Integer, Long> batchAll() {
            Map<Integer, Long> all = new HashMap<>();
            MapBatchAttr a = new MapBatchAttr(fd);
            ByteBuffer in = ByteBuffer.allocate(4);
            a.outBatch = ByteBuffer.allocate(4);
            a.keys = ByteBuffer.allocate(4 * 32).order(ByteOrder.nativeOrder());
            a.values = ByteBuffer.allocate(vb * 32).order(ByteOrder.nativeOrder());
            a.inBatch = null;
            for (int calls = 0;; calls++) {
                assertTrue(calls < 100_000, "the batch walk does not end");
                a.count = 32;
                int r = f.bpf.bpf(BpfCmd.MAP_LOOKUP_BATCH, a);
                assertTrue(r == 0 || r == Errno.ENOENT.ret(), () -> "batch: " + a.errorMessage());
                for (int i = 0; i < a.count; i++) {
                    int k = a.keys.getInt(4 * i);
                    if (all.put(k, whole(a.values, vb * i)) != null && k >= STABLE) {
                        throw new AssertionError("stable key " + k + " twice in one batch walk");
                    }
                }
                if (r != 0) {
                    return all;
                }
                in.putInt(0, a.outBatch.getInt(0));
                a.inBatch = in;
            }
        }
    }

    private static final class Bufs {
        final ByteBuffer key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        final ByteBuffer value;
        final MapElemAttr attr = new MapElemAttr();

        Bufs(int vb) {
            value = ByteBuffer.allocate(vb).order(ByteOrder.nativeOrder());
        }
    }

    /** A writer: random operations, its own keys checked against its model. Returns the model. */
    private static final class Writer implements Callable<long[]> {
        private final Map2 map;
        private final int id;
        private final boolean lru;
        private final CountDownLatch start;
        /** The last value written to each owned key, 0 when it is absent (an LRU may also have evicted it). */
        private final long[] model = new long[OWNED];
        /** Makes every value this writer writes unique. */
        private long version;

        Writer(Map2 map, int id, boolean lru, CountDownLatch start) {
            this.map = map;
            this.id = id;
            this.lru = lru;
            this.start = start;
        }

        @Override
        public long[] call() throws Exception {
            start.await();
            SplittableRandom rnd = new SplittableRandom(id * 7919L + 17);
            for (int op = 0; op < OPS; op++) {
                int i = rnd.nextInt(OWNED);
                int key = id * OWNED + i;
                int dice = rnd.nextInt(100);
                if (dice < 30) {
                    update(key, i, rnd.nextInt(3));
                } else if (dice < 50) {
                    read(key, i, BpfCmd.MAP_LOOKUP_ELEM);
                } else if (dice < 62) {
                    int r = map.delete(key);
                    check(r == 0 ? model[i] > 0 : r == Errno.ENOENT.ret() && (model[i] == 0 || lru),
                            "delete", key, r);
                    model[i] = 0;
                } else if (dice < 70) {
                    read(key, i, BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM);
                    model[i] = 0;
                } else if (dice < 85) {
                    int shared = SHARED + rnd.nextInt(SHARED_KEYS);
                    if (rnd.nextBoolean()) {
                        int r = map.update(shared, ((long) shared << 32) + (++version << 3) + id, BpfFlags.ANY);
                        check(r == 0, "shared update", shared, r);
                    } else {
                        long v = map.lookup(shared, BpfCmd.MAP_LOOKUP_ELEM);
                        check(v >= 0 ? v >>> 32 == shared : v == Errno.ENOENT.ret() - 1, "shared lookup", shared, v);
                    }
                } else {
                    int stable = STABLE + rnd.nextInt(STABLE_KEYS);
                    int r = map.update(stable, ((long) stable << 32) + (++version << 3) + id, BpfFlags.EXIST);
                    check(r == 0 || (lru && r == Errno.ENOENT.ret()), "stable update", stable, r);
                }
            }
            return model;
        }

        private void update(int key, int i, int flags) {
            long v = ((long) key << 32) + (++version << 3);
            int r = map.update(key, v, flags);
            boolean present = model[i] > 0;
            if (r == 0) {
                // NOEXIST on a present key succeeds only if an LRU evicted it
                check(flags != BpfFlags.NOEXIST || !present || lru, "update NOEXIST", key, r);
                check(flags != BpfFlags.EXIST || present, "update EXIST", key, r);
                model[i] = v;
            } else if (r == Errno.EEXIST.ret()) {
                check(flags == BpfFlags.NOEXIST && present, "update EEXIST", key, r);
            } else if (r == Errno.ENOENT.ret()) {
                check(flags == BpfFlags.EXIST && (!present || lru), "update ENOENT", key, r);
                model[i] = 0;
            } else {
                check(false, "update", key, r);
            }
        }

        private void read(int key, int i, BpfCmd cmd) {
            long v = map.lookup(key, cmd);
            if (v >= 0) {
                check(v == model[i], cmd + " value", key, v);
            } else {
                check(v == Errno.ENOENT.ret() - 1 && (model[i] == 0 || lru), cmd.toString(), key, v);
                model[i] = 0;
            }
        }

        private static void check(boolean ok, String what, int key, long got) {
            if (!ok) {
                throw new AssertionError(what + " of key " + key + " answered " + got);
            }
        }
    }

    /** Pages through the map while the writers run; every page's values whole, stable keys once. */
    private static final class Walker implements Callable<long[]> {
        private final Map2 map;
        private final boolean lru;
        private final CountDownLatch start;
        private final List<Future<long[]>> writers;

        Walker(Map2 map, boolean lru, CountDownLatch start, List<Future<long[]>> writers) {
            this.map = map;
            this.lru = lru;
            this.start = start;
            this.writers = writers;
        }

        @Override
        public long[] call() throws Exception {
            start.await();
            AtomicInteger walks = new AtomicInteger();
            while (walks.get() < 2 || writers.stream().anyMatch(w -> !w.isDone())) {
                Map<Integer, Long> all = map.batchAll();
                if (!lru) {
                    for (int k = 0; k < STABLE_KEYS; k++) {
                        if (!all.containsKey(STABLE + k)) {
                            throw new AssertionError("a batch walk missed stable key " + k);
                        }
                    }
                }
                // a get_next_key walk ends, or restarts when its cursor is deleted: bounded here
                Integer k = map.f().nextKey(map.fd, null);
                for (int steps = 0; k != null && steps < 4 * ALL_KEYS; steps++) {
                    k = map.f().nextKey(map.fd, k);
                }
                walks.incrementAndGet();
            }
            return null;
        }
    }

    @Test
    void racingInsertsFillAMapExactly() throws Exception {
        // 8 threads race 100 new keys each into a map of 256: exactly 256 inserts win
        int fd = f.create(MapType.HASH, 4, 8, 256, 0);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> wins = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int base = t * 1000;
            wins.add(pool.submit(() -> {
                start.await();
                int won = 0;
                MapElemAttr a = new MapElemAttr();
                for (int k = 0; k < 100; k++) {
                    int r = f.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM,
                            a.set(fd, HashFixture.u32(base + k), HashFixture.u64(k), BpfFlags.NOEXIST));
                    if (r == 0) {
                        won++;
                    } else if (r != Errno.E2BIG.ret()) {
                        throw new AssertionError("insert answered " + r);
                    }
                }
                return won;
            }));
        }
        start.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
        int won = 0;
        for (Future<Integer> w : wins) {
            won += w.get();
        }
        assertEquals(256, won);
        assertEquals(256, f.keys(fd).size());
    }
}
