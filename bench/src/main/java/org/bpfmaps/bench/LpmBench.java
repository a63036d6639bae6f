package org.bpfmaps.bench;

import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv4.IPv4AddressAssociativeTrie;
import inet.ipaddr.ipv6.IPv6Address;
import inet.ipaddr.ipv6.IPv6AddressAssociativeTrie;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.MapSpec;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.UpdateFlag;
import org.bpfmaps.core.standalone.Standalone;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * LPM_TRIE longest-prefix lookups and update/delete, through the typed API with the caller's
 * buffers, next to two baselines built from the same prefixes: a straightforward unibit binary
 * trie ({@link UnibitTrie}) and the IPAddress library's associative trie doing
 * {@code longestPrefixMatchNode} on addresses built beforehand (so the baseline pays for no
 * parsing or object creation).
 *
 * <p>IPv4: 10k or 1M random prefixes /8../32 (random lengths, random addresses masked to them),
 * looked up with 64k random addresses, one thread and two ({@code ...TwoThreads}: JMH reports the
 * time per operation of each thread, so the speed-up is 2 x one-thread time / two-thread time).
 * IPv6: 10k random prefixes /16../64 under four common /16s, looked up with addresses under the
 * same /16s. Update/delete (IPv4 at both sizes, IPv6 at 10k): a prefix of the same kind not in the
 * trie inserted and deleted again, so the trie stays the same size.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LpmBench {
    static final int ADDRESSES = 1 << 16;
    static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** An int holding network-order bytes when put into a native-order buffer. */
    static int network(int v) {
        return LITTLE ? Integer.reverseBytes(v) : v;
    }

    static long network(long v) {
        return LITTLE ? Long.reverseBytes(v) : v;
    }

    static int mask(int len) {
        return len == 0 ? 0 : -1 << (32 - len);
    }

    /** The three tries must give the same answer, or the comparison means nothing. */
    static void agree(long lpm, long unibit, long ipaddress, int i) {
        if (lpm != unibit || lpm != ipaddress) {
            throw new IllegalStateException("address " + i + ": LPM_TRIE " + lpm + ", unibit " + unibit
                    + ", IPAddress " + ipaddress);
        }
    }

    /**
     * Collects the setup's garbage and promotes the tries before measuring: otherwise the first
     * collection of the trial (in a 1M-prefix trial, a 0.6 s pause) lands on whichever benchmark
     * allocates, LPM_TRIE's update+delete (a node per insert, by design), and not on the unibit
     * trie's, which allocates nothing once its nodes exist.
     */
    static void settle() {
        System.gc();
    }

    /** The IPv4 tries, the lookup addresses and the update pool, shared by the benchmark's threads. */
    @State(Scope.Benchmark)
    public static class V4 {
        @Param({"10000", "1000000"})
        public int prefixes;

        BpfInstance bpf;
        BpfMap lpm;
        final UnibitTrie unibit = new UnibitTrie();
        final IPv4AddressAssociativeTrie<Long> ipaddress = new IPv4AddressAssociativeTrie<>();
        final int[] addresses = new int[ADDRESSES];
        final int[] keyData = new int[ADDRESSES];
        final IPv4Address[] ipAddresses = new IPv4Address[ADDRESSES];
        /** Prefixes not in the tries, for update/delete: {len, address}, the address masked. */
        final int[][] pool = new int[ADDRESSES][];
        final IPv4Address[] poolBlocks = new IPv4Address[ADDRESSES];

        @Setup(Level.Trial)
        public void setup() {
            bpf = Standalone.fromClassPath().newInstance(BpfSettings.defaults().withMemoryBudget(1L << 30));
            lpm = BpfMap.create(bpf, MapSpec.of(MapType.LPM_TRIE, 8, 8, prefixes + 16)
                    .withFlags(BpfFlags.F_NO_PREALLOC));
            SplittableRandom rnd = new SplittableRandom(42);
            ByteBuffer key = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            ByteBuffer value = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            Set<Long> stored = new HashSet<>();
            while (stored.size() < prefixes) {
                int len = 8 + rnd.nextInt(25);
                int a = rnd.nextInt() & mask(len);
                if (!stored.add(((long) len << 32) | (a & 0xffff_ffffL))) {
                    continue;
                }
                key.putInt(0, len).putInt(4, network(a));
                lpm.update(key, value.putLong(0, stored.size()), UpdateFlag.NOEXIST);
                unibit.put((long) a << 32, 0, len, stored.size());
                ipaddress.put(new IPv4Address(a, len).toPrefixBlock(), (long) stored.size());
            }
            for (int i = 0; i < ADDRESSES; i++) {
                addresses[i] = rnd.nextInt();
                keyData[i] = network(addresses[i]);
                ipAddresses[i] = new IPv4Address(addresses[i]);
            }
            for (int i = 0; i < ADDRESSES;) {
                int len = 8 + rnd.nextInt(25);
                int a = rnd.nextInt() & mask(len);
                if (stored.contains(((long) len << 32) | (a & 0xffff_ffffL))) {
                    continue;
                }
                pool[i] = new int[] {len, a};
                poolBlocks[i] = new IPv4Address(a, len).toPrefixBlock();
                i++;
            }
            key.putInt(0, 32);
            for (int i = 0; i < ADDRESSES; i++) {
                key.putInt(4, keyData[i]);
                long l = lpm.lookup(key, value) ? value.getLong(0) : -1;
                var node = ipaddress.longestPrefixMatchNode(ipAddresses[i]);
                agree(l, unibit.lookup((long) addresses[i] << 32, 0, 32, -1), node == null ? -1 : node.getValue(), i);
            }
            settle();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            bpf.close();
        }
    }

    /** The IPv6 tries: 10k prefixes. */
    @State(Scope.Benchmark)
    public static class V6 {
        static final int PREFIXES = 10_000;
        static final long[] TOP = {0x2001L, 0x2400L, 0x2600L, 0x2a00L};

        BpfInstance bpf;
        BpfMap lpm;
        final UnibitTrie unibit = new UnibitTrie();
        final IPv6AddressAssociativeTrie<Long> ipaddress = new IPv6AddressAssociativeTrie<>();
        final long[] hi = new long[ADDRESSES];
        final long[] lo = new long[ADDRESSES];
        final long[] keyHi = new long[ADDRESSES];
        final long[] keyLo = new long[ADDRESSES];
        final IPv6Address[] ipAddresses = new IPv6Address[ADDRESSES];
        /** Prefixes not in the tries, for update/delete: {len, high 64 bits}, masked (all are /64 or shorter). */
        final long[][] pool = new long[ADDRESSES][];
        final IPv6Address[] poolBlocks = new IPv6Address[ADDRESSES];

        /** A random prefix /16../64 under one of the {@link #TOP} /16s: {len, high 64 bits, masked}. */
        static long[] prefix(SplittableRandom rnd) {
            int len = 16 + rnd.nextInt(49);
            long h = (TOP[rnd.nextInt(TOP.length)] << 48 | (rnd.nextLong() >>> 16)) & (-1L << (64 - len));
            return new long[] {len, h};
        }

        static byte[] bytes(long hi, long lo) {
            return ByteBuffer.allocate(16).putLong(0, hi).putLong(8, lo).array();
        }

        @Setup(Level.Trial)
        public void setup() {
            bpf = Standalone.fromClassPath().newInstance(BpfSettings.defaults().withMemoryBudget(1L << 28));
            lpm = BpfMap.create(bpf, MapSpec.of(MapType.LPM_TRIE, 20, 8, PREFIXES + 16)
                    .withFlags(BpfFlags.F_NO_PREALLOC));
            SplittableRandom rnd = new SplittableRandom(43);
            ByteBuffer key = ByteBuffer.allocateDirect(20).order(ByteOrder.nativeOrder());
            ByteBuffer value = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            Set<String> stored = new HashSet<>();
            while (stored.size() < PREFIXES) {
                long[] p = prefix(rnd);
                int len = (int) p[0];
                long h = p[1];
                if (!stored.add(len + "/" + h)) {
                    continue;
                }
                key.putInt(0, len).putLong(4, network(h)).putLong(12, 0);
                lpm.update(key, value.putLong(0, stored.size()), UpdateFlag.NOEXIST);
                unibit.put(h, 0, len, stored.size());
                ipaddress.put(new IPv6Address(bytes(h, 0), len).toPrefixBlock(), (long) stored.size());
            }
            for (int i = 0; i < ADDRESSES; i++) {
                hi[i] = TOP[rnd.nextInt(TOP.length)] << 48 | (rnd.nextLong() >>> 16);
                lo[i] = rnd.nextLong();
                keyHi[i] = network(hi[i]);
                keyLo[i] = network(lo[i]);
                ipAddresses[i] = new IPv6Address(bytes(hi[i], lo[i]));
            }
            for (int i = 0; i < ADDRESSES;) {
                long[] p = prefix(rnd);
                if (stored.contains(p[0] + "/" + p[1])) {
                    continue;
                }
                pool[i] = p;
                poolBlocks[i] = new IPv6Address(bytes(p[1], 0), (int) p[0]).toPrefixBlock();
                i++;
            }
            key.putInt(0, 128);
            for (int i = 0; i < ADDRESSES; i++) {
                key.putLong(4, keyHi[i]).putLong(12, keyLo[i]);
                long l = lpm.lookup(key, value) ? value.getLong(0) : -1;
                var node = ipaddress.longestPrefixMatchNode(ipAddresses[i]);
                agree(l, unibit.lookup(hi[i], lo[i], 128, -1), node == null ? -1 : node.getValue(), i);
            }
            settle();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            bpf.close();
        }
    }

    /**
     * Each thread's key and value buffers and its place in the address list. Small direct buffers
     * come from malloc side by side, so two threads' buffers would share a cache line and every
     * write would bounce it between the cores: each buffer is cut from the middle of its own
     * 256 bytes.
     */
    @State(Scope.Thread)
    public static class Cursor {
        final ByteBuffer key4 = padded(8).putInt(0, 32);
        final ByteBuffer key6 = padded(20).putInt(0, 128);
        final ByteBuffer value = padded(8);
        int i;

        private static ByteBuffer padded(int size) {
            return ByteBuffer.allocateDirect(256).slice(128, size).order(ByteOrder.nativeOrder());
        }

        @Setup(Level.Trial)
        public void setup() {
            // threads start at different places in the list
            i = (int) (Thread.currentThread().getId() * 7919) & (ADDRESSES - 1);
        }

        int next() {
            i = (i + 1) & (ADDRESSES - 1);
            return i;
        }
    }

    // ---- IPv4 lookups ----

    @Benchmark
    public boolean lookupV4Lpm(V4 t, Cursor c) {
        c.key4.putInt(4, t.keyData[c.next()]);
        return t.lpm.lookup(c.key4, c.value);
    }

    @Benchmark
    @Threads(2)
    public boolean lookupV4LpmTwoThreads(V4 t, Cursor c) {
        c.key4.putInt(4, t.keyData[c.next()]);
        return t.lpm.lookup(c.key4, c.value);
    }

    @Benchmark
    public long lookupV4Unibit(V4 t, Cursor c) {
        return t.unibit.lookup((long) t.addresses[c.next()] << 32, 0, 32, -1);
    }

    @Benchmark
    public Object lookupV4IpAddress(V4 t, Cursor c) {
        var node = t.ipaddress.longestPrefixMatchNode(t.ipAddresses[c.next()]);
        return node == null ? null : node.getValue();
    }

    // ---- IPv4 update and delete ----

    @Benchmark
    public boolean updateDeleteV4Lpm(V4 t, Cursor c) {
        int[] p = t.pool[c.next()];
        c.key4.putInt(0, p[0]).putInt(4, network(p[1]));
        t.lpm.update(c.key4, c.value, UpdateFlag.ANY);
        return t.lpm.delete(c.key4);
    }

    @Benchmark
    public boolean updateDeleteV4Unibit(V4 t, Cursor c) {
        int[] p = t.pool[c.next()];
        t.unibit.put((long) p[1] << 32, 0, p[0], 1);
        return t.unibit.remove((long) p[1] << 32, 0, p[0]);
    }

    @Benchmark
    public Object updateDeleteV4IpAddress(V4 t, Cursor c) {
        IPv4Address block = t.poolBlocks[c.next()];
        t.ipaddress.put(block, 1L);
        return t.ipaddress.remove(block);
    }

    // ---- IPv6 lookups ----

    @Benchmark
    public boolean lookupV6Lpm(V6 t, Cursor c) {
        int i = c.next();
        c.key6.putLong(4, t.keyHi[i]).putLong(12, t.keyLo[i]);
        return t.lpm.lookup(c.key6, c.value);
    }

    @Benchmark
    public long lookupV6Unibit(V6 t, Cursor c) {
        int i = c.next();
        return t.unibit.lookup(t.hi[i], t.lo[i], 128, -1);
    }

    // ---- IPv6 update and delete ----

    @Benchmark
    public boolean updateDeleteV6Lpm(V6 t, Cursor c) {
        long[] p = t.pool[c.next()];
        c.key6.putInt(0, (int) p[0]).putLong(4, network(p[1])).putLong(12, 0);
        t.lpm.update(c.key6, c.value, UpdateFlag.ANY);
        return t.lpm.delete(c.key6);
    }

    @Benchmark
    public boolean updateDeleteV6Unibit(V6 t, Cursor c) {
        long[] p = t.pool[c.next()];
        t.unibit.put(p[1], 0, (int) p[0], 1);
        return t.unibit.remove(p[1], 0, (int) p[0]);
    }

    @Benchmark
    public Object updateDeleteV6IpAddress(V6 t, Cursor c) {
        IPv6Address block = t.poolBlocks[c.next()];
        t.ipaddress.put(block, 1L);
        return t.ipaddress.remove(block);
    }

    @Benchmark
    public Object lookupV6IpAddress(V6 t, Cursor c) {
        var node = t.ipaddress.longestPrefixMatchNode(t.ipAddresses[c.next()]);
        return node == null ? null : node.getValue();
    }
}
