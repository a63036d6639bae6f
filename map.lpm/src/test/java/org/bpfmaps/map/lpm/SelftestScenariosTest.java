package org.bpfmaps.map.lpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.core.api.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scenarios of the kernel's tools/testing/selftests/bpf/test_lpm_map.c, through bpf(): the
 * brute-force reference checked on its own (test_lpm_basic, test_lpm_order), the randomized
 * comparison of the trie with it for data of 1 to 16 bytes (test_lpm_map), and at larger sizes
 * (thousands of prefixes, 8-, 16-, 32- and 128-bit keys, any query prefixlen, the get_next_key
 * walk too), the real-world addresses (test_lpm_ipaddr), deletes (test_lpm_delete), the postorder
 * walk (test_lpm_get_next_key) and four threads at once (test_lpm_multi_thread).
 *
 * <p>Random tests take their seed from {@code -Dbpfmaps.lpm.seed=N}, else a fresh one; each prints
 * its seed, so a failure can be replayed.
 */
class SelftestScenariosTest {
    private static final long SEED = Long.getLong("bpfmaps.lpm.seed", System.nanoTime());
    private final LpmFixture f = new LpmFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private static SplittableRandom random(String test) {
        System.out.println(test + ": seed " + SEED + " (-Dbpfmaps.lpm.seed=" + SEED + " replays it)");
        return new SplittableRandom(SEED);
    }

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    // ---- test_lpm_basic, test_lpm_order: the reference itself ----

    @Test
    void bruteForceReferenceMatchesLongestPrefix() {
        BruteForceLpm l = new BruteForceLpm();
        assertNull(l.match(bytes(0xff), 8));
        l.add(bytes(0xff), 8, 1);
        assertEquals(1, l.match(bytes(0xff), 8).value());
        assertEquals(1, l.match(bytes(0xff, 0xff), 16).value());
        assertEquals(1, l.match(bytes(0xff, 0x00), 16).value());
        assertNull(l.match(bytes(0x7f), 8));
        assertNull(l.match(bytes(0xfe), 8));
        assertNull(l.match(bytes(0xff), 7));
        l.add(bytes(0xff, 0xff), 16, 2);
        assertEquals(1, l.match(bytes(0xff), 8).value());
        assertEquals(2, l.match(bytes(0xff, 0xff), 16).value());
        assertEquals(1, l.match(bytes(0xff, 0xff), 15).value());
        assertNull(l.match(bytes(0x7f, 0xff), 16));
    }

    @Test
    void bruteForceReferenceIgnoresInsertionOrder() {
        SplittableRandom rnd = random("test_lpm_order");
        BruteForceLpm l1 = new BruteForceLpm();
        List<BruteForceLpm.Prefix> added = new ArrayList<>();
        for (int i = 0; i < 1 << 12; i++) {
            byte[] d = bytes(rnd.nextInt(0xff), rnd.nextInt(0xff));
            int bits = rnd.nextInt(16) + 1;
            added.add(new BruteForceLpm.Prefix(bits, d, 0));
            l1.add(d, bits, 0);
        }
        BruteForceLpm l2 = new BruteForceLpm();
        for (int i = added.size() - 1; i >= 0; i--) {
            l2.add(added.get(i).data(), added.get(i).bits(), 0);
        }
        for (int i = 0; i < 1 << 8; i++) {
            byte[] k = bytes(rnd.nextInt(0xff), rnd.nextInt(0xff));
            BruteForceLpm.Prefix t1 = l1.match(k, 16);
            BruteForceLpm.Prefix t2 = l2.match(k, 16);
            assertEquals(t1 == null, t2 == null);
            if (t1 != null) {
                assertEquals(t1.bits(), t2.bits());
                assertTrue(BruteForceLpm.samePrefix(t1.data(), t2.data(), t1.bits()));
            }
        }
    }

    // ---- test_lpm_map: the trie against the reference ----

    /** test_lpm_map(keysize) for keysize 1..16: 256 prefixes, 65536 lookups, half deleted, again. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    void randomPrefixesAsTheSelftest(int dataSize) {
        compareWithBruteForce(dataSize, 1 << 8, 4096, 1 << 16, false, random("test_lpm_map(" + dataSize + ")"));
    }

    /**
     * Thousands of prefixes for 8-, 16-, 32- and 128-bit keys (the trie full to its max_entries),
     * lookups with any prefixlen up to the maximum, and the get_next_key walk against the set.
     */
    @ParameterizedTest
    @CsvSource({"1,4000", "2,4000", "4,8000", "16,8000"})
    void thousandsOfRandomPrefixes(int dataSize, int prefixes) {
        compareWithBruteForce(dataSize, prefixes, prefixes, 20_000, true,
                random("thousands(" + 8 * dataSize + "-bit)"));
    }

    private void compareWithBruteForce(int dataSize, int nodes, int maxEntries, int lookups, boolean anyQueryLength,
            SplittableRandom rnd) {
        int keySize = 4 + dataSize;
        int max = 8 * dataSize;
        int fd = f.create(dataSize, 8, maxEntries);
        BruteForceLpm model = new BruteForceLpm();
        for (int i = 0; i < nodes; i++) {
            byte[] d = new byte[dataSize];
            rnd.nextBytes(d);
            int bits = rnd.nextInt(max + 1);
            model.add(d, bits, i);
            assertEquals(0, f.update(fd, LpmFixture.key(bits, d), i), () -> f.lastError);
        }
        checkLookups(fd, model, dataSize, lookups, anyQueryLength, rnd);
        if (anyQueryLength) {
            checkWalk(fd, keySize, model);
        }
        // delete the first half of the stored prefixes, then compare again
        List<BruteForceLpm.Prefix> stored = new ArrayList<>(model.prefixes());
        for (int i = 0; i < stored.size() / 2; i++) {
            BruteForceLpm.Prefix p = stored.get(i);
            assertEquals(0, f.delete(fd, LpmFixture.key(p.bits(), p.data())), () -> f.lastError);
            assertTrue(model.remove(p.data(), p.bits()));
        }
        checkLookups(fd, model, dataSize, lookups, anyQueryLength, rnd);
        if (anyQueryLength) {
            checkWalk(fd, keySize, model);
        }
    }

    private void checkLookups(int fd, BruteForceLpm model, int dataSize, int lookups, boolean anyQueryLength,
            SplittableRandom rnd) {
        int max = 8 * dataSize;
        int matches = 0;
        for (int i = 0; i < lookups; i++) {
            byte[] d = new byte[dataSize];
            rnd.nextBytes(d);
            int bits = anyQueryLength ? rnd.nextInt(max + 1) : max;
            BruteForceLpm.Prefix want = model.match(d, bits);
            long got = f.lookupLong(fd, LpmFixture.key(bits, d));
            String what = "lookup " + bits + ":" + HexFormat.of().formatHex(d);
            if (want == null) {
                assertEquals(-1, got, what + " found a value where no prefix covers it");
            } else {
                matches++;
                assertEquals(want.value(), got, what + " should find the /" + want.bits() + " prefix");
            }
        }
        assertTrue(matches > 0, "no lookup matched anything: the comparison would prove nothing");
    }

    /** The walk gives each stored key once, as stored, and a key before every key that covers it. */
    private void checkWalk(int fd, int keySize, BruteForceLpm model) {
        List<String> walk = f.keys(fd, keySize);
        Map<String, BruteForceLpm.Prefix> want = new HashMap<>();
        for (BruteForceLpm.Prefix p : model.prefixes()) {
            want.put(p.bits() + ":" + HexFormat.of().formatHex(p.data()), p);
        }
        assertEquals(want.size(), walk.size(), "keys in the walk");
        assertEquals(want.keySet(), new java.util.HashSet<>(walk), "the walk gives the stored keys as stored");
        // postorder: a prefix comes after every stored prefix it covers (found by masking)
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < walk.size(); i++) {
            BruteForceLpm.Prefix p = want.get(walk.get(i));
            position.put(masked(p.data(), p.bits()), i);
        }
        for (int i = 0; i < walk.size(); i++) {
            BruteForceLpm.Prefix p = want.get(walk.get(i));
            for (int shorter = 0; shorter < p.bits(); shorter++) {
                Integer cover = position.get(masked(p.data(), shorter));
                int at = i;
                assertTrue(cover == null || cover > at, () -> "postorder: " + walk.get(cover) + " came before "
                        + walk.get(at) + ", which it covers");
            }
        }
    }

    /** A prefix with the bits past its length cleared, as a map key. */
    private static String masked(byte[] data, int bits) {
        byte[] m = data.clone();
        for (int i = bits; i < 8 * m.length; i++) {
            m[i / 8] &= (byte) ~(1 << (7 - i % 8));
        }
        return bits + "/" + HexFormat.of().formatHex(m);
    }

    // ---- test_lpm_ipaddr ----

    @Test
    void realWorldAddresses() {
        int v4 = f.create(4, 8, 100);
        int v6 = f.create(16, 8, 100);
        assertEquals(0, f.update(v4, LpmFixture.key("192.168.0.0", 16), 1));
        assertEquals(0, f.update(v4, LpmFixture.key("192.168.0.0", 24), 2));
        assertEquals(0, f.update(v4, LpmFixture.key("192.168.128.0", 24), 3));
        assertEquals(0, f.update(v4, LpmFixture.key("192.168.1.0", 24), 5));
        assertEquals(0, f.update(v4, LpmFixture.key("192.168.0.0", 23), 4));
        assertEquals(0, f.update(v6, LpmFixture.key("2a00:1450:4001:814::200e", 64), 0xdeadbeefL));

        assertEquals(3, f.lookupLong(v4, LpmFixture.key("192.168.128.23", 32)));
        assertEquals(2, f.lookupLong(v4, LpmFixture.key("192.168.0.1", 32)));
        assertEquals(0xdeadbeefL, f.lookupLong(v6, LpmFixture.key("2a00:1450:4001:814::", 128)));
        assertEquals(0xdeadbeefL, f.lookupLong(v6, LpmFixture.key("2a00:1450:4001:814::1", 128)));

        assertEquals(-1, f.lookupLong(v4, LpmFixture.key("10.0.0.1", 32)));
        assertEquals(-1, f.lookupLong(v4, LpmFixture.key("11.11.11.11", 32)));
        assertEquals(-1, f.lookupLong(v6, LpmFixture.key("2a00:ffff::", 128)));
    }

    // ---- test_lpm_delete ----

    /** 192.168.0.0/16 with /24s at .0, .1 and .128: (1) over an intermediate /23 and (3). */
    private int fourNodes() {
        int fd = f.create(4, 8, 100);
        assertEquals(0, f.update(fd, LpmFixture.key("192.168.0.0", 16), 1));
        assertEquals(0, f.update(fd, LpmFixture.key("192.168.0.0", 24), 2));
        assertEquals(0, f.update(fd, LpmFixture.key("192.168.128.0", 24), 3));
        assertEquals(0, f.update(fd, LpmFixture.key("192.168.1.0", 24), 4));
        return fd;
    }

    @Test
    void deletes() {
        int fd = fourNodes();
        assertEquals(-1, f.lookupLong(fd, LpmFixture.key("10.0.0.1", 32)));
        // an unused prefix, and the root's prefix length with other bits
        assertEquals(Errno.ENOENT.ret(), f.delete(fd, LpmFixture.key("192.255.0.0", 30)));
        assertEquals(Errno.ENOENT.ret(), f.delete(fd, LpmFixture.key("192.255.0.0", 16)));
        assertEquals(2, f.lookupLong(fd, LpmFixture.key("192.168.0.1", 32)));
        // a leaf under the intermediate node
        assertEquals(0, f.delete(fd, LpmFixture.key("192.168.0.0", 24)));
        assertEquals(1, f.lookupLong(fd, LpmFixture.key("192.168.0.1", 32)));
        // the other leaf: the intermediate node was already gone with its sibling's promotion
        assertEquals(0, f.delete(fd, LpmFixture.key("192.168.1.0", 24)));
        assertEquals(1, f.lookupLong(fd, LpmFixture.key("192.168.1.1", 32)));
        // the root
        assertEquals(0, f.delete(fd, LpmFixture.key("192.168.0.0", 16)));
        assertEquals(3, f.lookupLong(fd, LpmFixture.key("192.168.128.1", 32)));
        // the last node
        assertEquals(0, f.delete(fd, LpmFixture.key("192.168.128.0", 24)));
        assertEquals(-1, f.lookupLong(fd, LpmFixture.key("192.168.128.1", 32)));
        assertNull(f.nextKey(fd, null, 8));
    }

    // ---- test_lpm_get_next_key ----

    private void assertNext(int fd, ByteBuffer from, String address, int prefixlen) {
        ByteBuffer next = f.nextKey(fd, from, 8);
        assertNotNull(next, () -> "no key after " + (from == null ? "NULL" : LpmFixture.show(from)));
        assertEquals(LpmFixture.show(LpmFixture.key(address, prefixlen)), LpmFixture.show(next));
    }

    /** The walk from NULL as addresses: each key then the one after it, and ENOENT after the last. */
    private void assertWalk(int fd, String... keys) {
        ByteBuffer at = null;
        for (String k : keys) {
            String[] p = k.split("/");
            assertNext(fd, at, p[0], Integer.parseInt(p[1]));
            at = LpmFixture.key(p[0], Integer.parseInt(p[1]));
        }
        assertNull(f.nextKey(fd, at, 8), "a key after the last");
    }

    @Test
    void getNextKeyInPostorder() {
        int fd = f.create(4, 4, 100);
        ByteBuffer v = ByteBuffer.allocate(4);
        assertNull(f.nextKey(fd, null, 8), "empty trie");
        assertEquals(0, f.update(fd, LpmFixture.key("192.168.0.0", 16), v, 0));
        assertWalk(fd, "192.168.0.0/16");
        // no exact match: the first key in postorder
        assertNext(fd, LpmFixture.key("192.168.0.0", 8), "192.168.0.0", 16);

        assertEquals(0, f.update(fd, LpmFixture.key("192.168.128.0", 24), v, 0));
        assertWalk(fd, "192.168.128.0/24", "192.168.0.0/16");
        assertEquals(0, f.update(fd, LpmFixture.key("192.168.0.0", 24), v, 0));
        assertWalk(fd, "192.168.0.0/24", "192.168.128.0/24", "192.168.0.0/16");
        assertEquals(0, f.update(fd, LpmFixture.key("192.168.1.0", 24), v, 0));
        assertWalk(fd, "192.168.0.0/24", "192.168.1.0/24", "192.168.128.0/24", "192.168.0.0/16");
        assertEquals(0, f.update(fd, LpmFixture.key("192.168.1.128", 28), v, 0));
        assertWalk(fd, "192.168.0.0/24", "192.168.1.128/28", "192.168.1.0/24", "192.168.128.0/24",
                "192.168.0.0/16");
        // no exact match (a /22 that is no node): the first key in postorder
        assertNext(fd, LpmFixture.key("192.168.1.0", 22), "192.168.0.0", 24);
    }

    // ---- test_lpm_multi_thread ----

    /** Four threads, one each updating, deleting, looking up and walking the same four keys. */
    @Test
    void fourThreadsOnFourKeys() throws Exception {
        int fd = f.create(4, 4, 100);
        ByteBuffer[] keys = {LpmFixture.key("192.168.0.0", 16), LpmFixture.key("192.168.0.0", 24),
            LpmFixture.key("192.168.128.0", 24), LpmFixture.key("192.168.1.0", 24)};
        int iterations = 2000;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> done = new ArrayList<>();
        for (int cmd = 0; cmd < 4; cmd++) {
            int c = cmd;
            done.add(pool.submit(() -> {
                start.await();
                ByteBuffer value = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
                int ops = 0;
                for (int it = 0; it < iterations; it++) {
                    for (int i = 0; i < keys.length; i++) {
                        // forward for the first half of the iterations, backward for the second
                        int j = it < iterations / 2 ? i : keys.length - i - 1;
                        ByteBuffer key = keys[j].duplicate().order(ByteOrder.nativeOrder());
                        int r;
                        if (c == 0) {
                            value.putInt(0, j);
                            r = f.update(fd, key, value, 0);
                            assertEquals(0, r, "update must succeed");
                        } else if (c == 1) {
                            r = f.delete(fd, key);
                            assertTrue(r == 0 || r == Errno.ENOENT.ret(), "delete: " + r);
                        } else if (c == 2) {
                            byte[] got = f.lookup(fd, key, 4);
                            assertTrue(got == null || got.length == 4);
                        } else {
                            f.nextKey(fd, key, 8);
                        }
                        ops++;
                    }
                }
                return ops;
            }));
        }
        start.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(5, TimeUnit.MINUTES), "threads did not finish");
        for (Future<Integer> d : done) {
            assertEquals(iterations * keys.length, d.get());
        }
        // afterwards the trie is whole: a walk ends, with at most the four keys
        assertTrue(f.keys(fd, 8).size() <= 4);
    }

    @Test
    void intermediateNodeFromTheSelftestPicture() {
        int fd = fourNodes();
        // the /23 is an intermediate node: no value, not a key
        assertEquals(1, f.lookupLong(fd, LpmFixture.key("192.168.0.0", 23)));
        assertSame(null, f.lookup(fd, LpmFixture.key("192.168.0.0", 15), 8));
        assertEquals(Errno.ENOENT.ret(), f.delete(fd, LpmFixture.key("192.168.0.0", 23)));
        assertNext(fd, LpmFixture.key("192.168.0.0", 23), "192.168.0.0", 24);
    }
}
