package org.bpfmaps.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.MapElemAttr;
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
 * HASH element operations through the typed API and bpf(), next to the baseline a careful Java
 * user writes: a {@code ConcurrentHashMap<ByteKey, byte[]>} where each operation wraps the caller's
 * key bytes in a new ByteKey (hashed over its bytes; copied only where a put inserts it), a
 * lookup returns the stored array without copying and an update stores a preallocated array.
 *
 * <p>The matrix of issue 6: lookup hit, lookup miss, update of an existing key, insert + delete of
 * a new key; {@code entries} 100k and 1M; {@code shape} key 4 or 16 bytes by value 8 or 64 bytes;
 * one thread, and two threads (the {@code ...2t} methods, which share one map; for insert + delete
 * each thread has keys of its own).
 * Keys hit are the ones inserted, visited in a random order (see {@link Caller#visitOrder}); misses
 * use keys never inserted; insert + delete cycles through 8 absent keys per thread.
 * {@code scripts/bench.sh} runs shape k4v8 unless {@code FULL=1} (the whole matrix) or a {@code -p}.
 * The {@code floor...} methods are no map: the same table reduced to its loads (see {@link Floor}).
 * The kernel's own bpf(2) on a HASH map is {@link KernelBench}'s {@code kernelHash...} methods.
 * The {@code oneMiss...} and {@code fastutil...} methods are the anchors of issue 22, measured in
 * the same run: {@link OneMissTable}, the floor of any design (one cache line per operation), and
 * fastutil's {@code Int2LongOpenHashMap}, not concurrent; both hold the same keys, visited in the
 * same order, and have the shape k4v8 whatever {@code shape} says (see {@link Anchors}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HashBench {

    /** The two maps with the same keys, shared by the threads of a benchmark. */
    @State(Scope.Benchmark)
    public static class Maps {
        @Param({"100000", "1000000"})
        public int entries;

        /** Key and value sizes in bytes: k4v8, k4v64, k16v8, k16v64. */
        @Param({"k4v8", "k4v64", "k16v8", "k16v64"})
        public String shape;

        int keySize;
        int valueSize;
        BpfInstance bpf;
        BpfMap hash;
        ConcurrentHashMap<ByteKey, byte[]> chm;
        /** Hands each calling thread its own eight fresh keys (see {@link Caller#fresh}). */
        final AtomicInteger lanes = new AtomicInteger();

        @Setup(Level.Trial)
        public void setup() {
            int v = shape.indexOf('v');
            keySize = Integer.parseInt(shape.substring(1, v));
            valueSize = Integer.parseInt(shape.substring(v + 1));
            bpf = Standalone.fromClassPath().newInstance(BpfSettings.defaults().withMemoryBudget(1L << 30));
            hash = BpfMap.create(bpf, MapSpec.of(MapType.HASH, keySize, valueSize, entries + 16));
            chm = new ConcurrentHashMap<>(entries * 2);
            Caller c = new Caller();
            c.setup(this);
            for (int k = 0; k < entries; k++) {
                c.key(k);
                c.value.putInt(0, k);
                hash.update(c.key, c.value, UpdateFlag.ANY);
                chm.put(ByteKey.copyOf(c.keyBytes), new byte[valueSize]);
            }
            lanes.set(0);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            bpf.close();
        }
    }

    /** One calling thread's buffers and position in the key space. */
    @State(Scope.Thread)
    public static class Caller {
        final MapElemAttr attr = new MapElemAttr();
        ByteBuffer key;
        ByteBuffer value;
        byte[] keyBytes;
        /** The preallocated array a CHM update stores. */
        byte[] stored;
        /** Two words to compare-and-set, for {@link HashBench#floorInsertDeleteAtomics}. */
        final AtomicLong bucketWord = new AtomicLong();
        final AtomicLong freeTop = new AtomicLong();
        int entries;
        int i;
        /** The order this thread visits the present keys in: see {@link #visitOrder}. */
        int[] order;
        /** This thread's number among the callers of one benchmark: 0 or 1. */
        int lane;

        @Setup(Level.Trial)
        public void setup(Maps m) {
            key = ByteBuffer.allocateDirect(m.keySize).order(ByteOrder.nativeOrder());
            value = ByteBuffer.allocateDirect(m.valueSize).order(ByteOrder.nativeOrder());
            keyBytes = new byte[m.keySize];
            stored = new byte[m.valueSize];
            entries = m.entries;
            // threads start apart, so that two of them do not walk the same keys in step
            order = visitOrder(entries, Thread.currentThread().getId());
            lane = m.lanes.getAndIncrement() & 1;
        }

        /**
         * Writes key number k into both the direct buffer and the byte array: {@link #scramble}(k)
         * in the first four bytes, and for longer keys words derived from k, so that every byte
         * takes part in the compare.
         */
        void key(int k) {
            int w0 = scramble(k);
            key.putInt(0, w0);
            putInt(keyBytes, 0, w0);
            for (int at = 4; at + 4 <= keyBytes.length; at += 4) {
                int w = k * 0x9e3779b9 + at;
                key.putInt(at, w);
                putInt(keyBytes, at, w);
            }
        }

        /**
         * A one-to-one mix of k. Small consecutive ints as little-endian bytes are a degenerate
         * case for the baseline's {@code Arrays.hashCode}: 100k of them share 16k hash values (1M
         * share 130k), which would chain every ConcurrentHashMap bin and flatter the ratios. Keys
         * that vary in every byte give it the spread real keys (addresses, ports) have.
         */
        static int scramble(int k) {
            return k * 0x9e3779b1;
        }

        private static void putInt(byte[] b, int at, int v) {
            // host (little-endian) order, as the direct buffer holds it
            b[at] = (byte) v;
            b[at + 1] = (byte) (v >>> 8);
            b[at + 2] = (byte) (v >>> 16);
            b[at + 3] = (byte) (v >>> 24);
        }

        /** The next present key, in this thread's random order. */
        int hit() {
            i = i + 1 == entries ? 0 : i + 1;
            return order[i];
        }

        /**
         * The key numbers {@code [0, n)} shuffled (Fisher-Yates, seeded): a random order, the same
         * in every run. Why not a fixed step through the keys, as earlier versions did: the maps
         * are filled in key order, so the elements (and ConcurrentHashMap's nodes) of keys a fixed
         * step apart lie a fixed number of bytes apart, and the hardware's stride prefetcher then
         * fetches the next lookup's element early, for both maps. Measured at 1M entries: the
         * typed lookup took 320-361 ns with elements in key order and 414-440 ns with the same
         * elements laid out in another order, with the floor unmoved; a random visit order gives
         * every layout the random access a hash table is for.
         */
        static int[] visitOrder(int n, long seed) {
            int[] order = new int[n];
            for (int k = 0; k < n; k++) {
                order[k] = k;
            }
            SplittableRandom r = new SplittableRandom(seed);
            for (int k = n - 1; k > 0; k--) {
                int j = r.nextInt(k + 1);
                int t = order[k];
                order[k] = order[j];
                order[j] = t;
            }
            return order;
        }

        /** A key never inserted. */
        int miss() {
            return entries + 32 + hit();
        }

        /**
         * One of this thread's 8 keys that are not in the map, for insert + delete (two threads
         * insert and delete keys of their own, as two flows would).
         */
        int fresh() {
            return entries + 1 + 8 * lane + (hit() & 7);
        }
    }

    /**
     * The baseline's key, as the issue defines it: the caller's bytes wrapped (not copied) and
     * hashed over their content. Only a key that the map keeps, one that a put inserts, must be a
     * copy, since the caller reuses its array: {@link #copyOf}. A put that replaces the value of
     * an existing key keeps the key already in the map, so an update may pass a wrapper.
     */
    static final class ByteKey {
        final byte[] b;
        final int h;

        ByteKey(byte[] b) {
            this.b = b;
            this.h = Arrays.hashCode(b);
        }

        /** A key to insert: a copy of the caller's bytes, which the caller will overwrite. */
        static ByteKey copyOf(byte[] src) {
            return new ByteKey(src.clone());
        }

        @Override
        public int hashCode() {
            return h;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByteKey k && Arrays.equals(b, k.b);
        }
    }

    // ---- lookup hit ----

    @Benchmark
    public byte[] chmLookupHit(Maps m, Caller c) {
        c.key(c.hit());
        return m.chm.get(new ByteKey(c.keyBytes));
    }

    @Benchmark
    public boolean typedLookupHit(Maps m, Caller c) {
        c.key(c.hit());
        return m.hash.lookup(c.key, c.value);
    }

    @Benchmark
    public int syscallLookupHit(Maps m, Caller c) {
        c.key(c.hit());
        return m.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, c.attr.set(m.hash.fd(), c.key, c.value, 0));
    }

    // ---- what memory alone costs: a lookup hit with nothing but the table's own loads ----

    /**
     * The chained table of {@link Maps#hash}'s shape reduced to its memory: a bucket array of 8-byte
     * heads and a slab of 24-byte elements (link, hash, key, value) in direct buffers, filled with
     * the same keys, with no locking, no sizes to check and no map behind an API. Its lookups are
     * what two dependent cache misses cost on this machine, the floor under any chained design;
     * the typed lookup's distance from it is what the map's own code adds. It has the shape k4v8
     * whatever {@code shape} says (with a longer key it looks up the key's first four bytes).
     */
    @State(Scope.Benchmark)
    public static class Floor {
        static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
        static final int SPARE = 8;
        ByteBuffer buckets;
        ByteBuffer slab;
        int mask;
        /** The free elements of {@link #floorInsertDelete}: a stack of the spare slots past the entries. */
        int[] free;
        int freeTop;

        @Setup(Level.Trial)
        public void setup(Maps m) {
            fill(m.entries);
        }

        /** The table of {@link Maps}' first {@code entries} keys. */
        Floor fill(int entries) {
            int nb = Integer.highestOneBit(entries * 2 - 1);
            mask = nb - 1;
            buckets = allocate(nb * 8);
            slab = allocate((entries + SPARE) * 24);
            free = new int[SPARE];
            for (int s = 0; s < SPARE; s++) {
                free[freeTop++] = entries + s;
            }
            for (int k = 0; k < entries; k++) {
                int key = Caller.scramble(k);
                int h = mix(key);
                int head = (h & mask) * 8 + 4;
                int base = k * 24;
                slab.putInt(base, buckets.getInt(head));
                slab.putInt(base + 4, h);
                slab.putInt(base + 8, key);
                slab.putLong(base + 16, k);
                buckets.putInt(head, k + 1);
            }
            return this;
        }

        /** A zeroed direct buffer for the table: 4 KiB pages here, huge pages in {@link HugeFloor}. */
        ByteBuffer allocate(int bytes) {
            return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }

        /** The bare lookup: the bucket's head, then the chain's elements until the key; its value or -1. */
        long get(int key) {
            int h = mix(key);
            int e = buckets.getInt((h & mask) * 8 + 4) - 1;
            while (e >= 0) {
                int base = e * 24;
                if (slab.getInt(base + 4) == h && slab.getInt(base + 8) == key) {
                    return slab.getLong(base + 16);
                }
                e = slab.getInt(base) - 1;
            }
            return -1;
        }

        /** murmur3's finaliser, as the map hashes a 4-byte key. */
        static int mix(int key) {
            long k = key & 0xffffffffL;
            k ^= k >>> 33;
            k *= 0xff51afd7ed558ccdL;
            k ^= k >>> 33;
            k *= 0xc4ceb9fe1a85ec53L;
            k ^= k >>> 33;
            return (int) k;
        }
    }

    /**
     * {@link Floor} with its buckets and elements in transparent huge pages ({@link HugeBuffers}):
     * what 2 MiB pages save a chained table's two dependent misses (no TLB miss and page walk per
     * access once the tables' pages fit the TLB's 2 MiB entries).
     */
    @State(Scope.Benchmark)
    public static class HugeFloor extends Floor {
        @Override
        ByteBuffer allocate(int bytes) {
            return HugeBuffers.allocate(bytes);
        }

        @Setup(Level.Trial)
        public void report() {
            System.out.println("HugeFloor: AnonHugePages " + HugeBuffers.anonHugeKb() + " kB");
        }
    }

    /** The bare floor: the bucket's head, then the chain's elements until the key; the value returned. */
    @Benchmark
    public long floorLookupHit(Floor f, Caller c) {
        return floorLookup(f, c);
    }

    /** {@link #floorLookupHit} over huge pages. */
    @Benchmark
    public long floorHugeLookupHit(HugeFloor f, Caller c) {
        return floorLookup(f, c);
    }

    private static long floorLookup(Floor f, Caller c) {
        c.key(c.hit());
        return f.get(c.key.getInt(0));
    }

    /**
     * The floor with what a lock-free map must add to it: the bucket's sequence count read before
     * the walk and checked after it (so that a value being rewritten, or an element reused for
     * another key, is never returned), and the value copied to the caller's buffer.
     */
    @Benchmark
    public boolean floorValidatedLookupHit(Floor f, Caller c) {
        c.key(c.hit());
        int key = c.key.getInt(0);
        int h = Floor.mix(key);
        int b = (h & f.mask) * 8;
        for (;;) {
            int seq = (int) Floor.INT.getAcquire(f.buckets, b);
            int e = f.buckets.getInt(b + 4) - 1;
            boolean found = false;
            while (e >= 0) {
                int base = e * 24;
                if (f.slab.getInt(base + 4) == h && f.slab.getInt(base + 8) == key) {
                    c.value.putLong(0, f.slab.getLong(base + 16));
                    found = true;
                    break;
                }
                e = f.slab.getInt(base) - 1;
            }
            VarHandle.acquireFence();
            if ((seq & 1) == 0 && (int) Floor.INT.getOpaque(f.buckets, b) == seq) {
                return found;
            }
        }
    }

    /** {@link HomeFloor}: the map's own layout (home elements in 32-byte bucket records), bare. */
    @State(Scope.Benchmark)
    public static class Homes {
        HomeFloor t;

        @Setup(Level.Trial)
        public void setup(Maps m) {
            t = new HomeFloor(m.entries + 16, m.entries);
        }
    }

    /** {@link HomeFloor#pairs}: two buckets per 64-byte line sharing their two home elements. */
    @State(Scope.Benchmark)
    public static class Pairs {
        HomeFloor t;

        @Setup(Level.Trial)
        public void setup(Maps m) {
            t = new HomeFloor(m.entries + 16, 0);
            HomeFloor.pairs(t, m.entries + 16, m.entries);
        }
    }

    /** As {@link #homeFloorValidatedLookupHit} with two buckets per line sharing their homes. */
    @Benchmark
    public boolean pairFloorValidatedLookupHit(Pairs f, Caller c) {
        c.key(c.hit());
        return f.t.pairGet(c.key.getInt(0), c.value);
    }

    /** A lookup hit in the map's layout with nothing but its loads: the floor under {@link #typedLookupHit}'s memory. */
    @Benchmark
    public long homeFloorLookupHit(Homes f, Caller c) {
        c.key(c.hit());
        return f.t.get(c.key.getInt(0));
    }

    /** As {@link #homeFloorLookupHit} with the sequence count read and checked and the value copied out. */
    @Benchmark
    public boolean homeFloorValidatedLookupHit(Homes f, Caller c) {
        c.key(c.hit());
        return f.t.validatedGet(c.key.getInt(0), c.value);
    }

    /** An update of an existing key in the map's layout: lock CAS, the write, the release store. */
    @Benchmark
    public boolean homeFloorLockedUpdate(Homes f, Caller c) {
        c.key(c.hit());
        return f.t.lockedPut(c.key.getInt(0), c.value.getLong(0));
    }

    /** The typed primitive lookup: the same table, without the ByteBuffer value's copy. */
    @Benchmark
    public long typedLookupLong(Maps m, Caller c) {
        c.key(c.hit());
        return m.hash.lookupLong(c.key.getInt(0), -1);
    }

    /** The typed primitive update of an existing key. */
    @Benchmark
    public void typedUpdateLong(Maps m, Caller c) {
        c.key(c.hit());
        m.hash.updateLong(c.key.getInt(0), c.value.getLong(0), UpdateFlag.ANY);
    }

    // ---- lookup hit, two threads on one map ----

    @Benchmark
    @Threads(2)
    public byte[] chmLookupHit2t(Maps m, Caller c) {
        return chmLookupHit(m, c);
    }

    @Benchmark
    @Threads(2)
    public boolean typedLookupHit2t(Maps m, Caller c) {
        return typedLookupHit(m, c);
    }

    // ---- lookup miss ----

    @Benchmark
    public byte[] chmLookupMiss(Maps m, Caller c) {
        c.key(c.miss());
        return m.chm.get(new ByteKey(c.keyBytes));
    }

    @Benchmark
    public boolean typedLookupMiss(Maps m, Caller c) {
        c.key(c.miss());
        return m.hash.lookup(c.key, c.value);
    }

    @Benchmark
    public int syscallLookupMiss(Maps m, Caller c) {
        c.key(c.miss());
        return m.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, c.attr.set(m.hash.fd(), c.key, c.value, 0));
    }

    // ---- update of an existing key ----

    @Benchmark
    public byte[] chmUpdate(Maps m, Caller c) {
        c.key(c.hit());
        return m.chm.put(new ByteKey(c.keyBytes), c.stored);
    }

    @Benchmark
    public void typedUpdate(Maps m, Caller c) {
        c.key(c.hit());
        m.hash.update(c.key, c.value, UpdateFlag.ANY);
    }

    @Benchmark
    public int syscallUpdate(Maps m, Caller c) {
        c.key(c.hit());
        return m.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, c.attr.set(m.hash.fd(), c.key, c.value, 0));
    }

    // ---- insert + delete of a new key ----

    @Benchmark
    public byte[] chmInsertDelete(Maps m, Caller c) {
        c.key(c.fresh());
        m.chm.put(ByteKey.copyOf(c.keyBytes), c.stored);
        return m.chm.remove(new ByteKey(c.keyBytes));
    }

    /**
     * The atomic instructions an insert + delete cannot do without, alone: four uncontended
     * compare-and-sets, as the map makes one to take the bucket and one on the free list, for the
     * insert and again for the delete. A floor under {@link #typedInsertDelete}, as
     * {@link #floorLookupHit} is under lookups.
     */
    @Benchmark
    public long floorInsertDeleteAtomics(Caller c) {
        long s = c.bucketWord.get();
        c.bucketWord.compareAndSet(s, s + 1);
        long t = c.freeTop.get();
        c.freeTop.compareAndSet(t, t + 1);
        s = c.bucketWord.get();
        c.bucketWord.compareAndSet(s, s + 1);
        t = c.freeTop.get();
        return c.freeTop.compareAndSet(t, t + 1) ? t : s;
    }

    /**
     * Insert + delete of a new key in the bare table of {@link Floor}, one thread and nothing else:
     * for the insert a hash, a walk of the chain (an update must know the key is absent), an
     * element off a free stack, its four fields written and the bucket's head set; for the delete
     * the key read and hashed again, the walk, the unlink and the element pushed back. No locks,
     * no sizes or flags checked, no API: what any chained table in direct buffers does for the
     * pair. With {@link #floorInsertDeleteAtomics} added it is the floor under
     * {@link #typedInsertDelete} for a table that many threads may write.
     */
    @Benchmark
    public boolean floorInsertDelete(Floor f, Caller c) {
        c.key(c.fresh());
        int key = c.key.getInt(0);
        int h = Floor.mix(key);
        int head = (h & f.mask) * 8 + 4;
        for (int e = f.buckets.getInt(head) - 1; e >= 0; e = f.slab.getInt(e * 24) - 1) {
            if (f.slab.getInt(e * 24 + 4) == h && f.slab.getInt(e * 24 + 8) == key) {
                return false; // never: the fresh keys are absent
            }
        }
        int e = f.free[--f.freeTop];
        int base = e * 24;
        f.slab.putInt(base, f.buckets.getInt(head));
        f.slab.putInt(base + 4, h);
        f.slab.putInt(base + 8, key);
        f.slab.putLong(base + 16, c.value.getLong(0));
        f.buckets.putInt(head, e + 1);

        int key2 = c.key.getInt(0);
        int h2 = Floor.mix(key2);
        int head2 = (h2 & f.mask) * 8 + 4;
        int prev = -1;
        for (int x = f.buckets.getInt(head2) - 1; x >= 0; prev = x, x = f.slab.getInt(x * 24) - 1) {
            int xb = x * 24;
            if (f.slab.getInt(xb + 4) == h2 && f.slab.getInt(xb + 8) == key2) {
                int next = f.slab.getInt(xb);
                if (prev < 0) {
                    f.buckets.putInt(head2, next);
                } else {
                    f.slab.putInt(prev * 24, next);
                }
                f.free[f.freeTop++] = x;
                return true;
            }
        }
        return false;
    }

    @Benchmark
    public boolean typedInsertDelete(Maps m, Caller c) {
        c.key(c.fresh());
        m.hash.update(c.key, c.value, UpdateFlag.ANY);
        return m.hash.delete(c.key);
    }

    @Benchmark
    public int syscallInsertDelete(Maps m, Caller c) {
        c.key(c.fresh());
        int fd = m.hash.fd();
        m.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, c.attr.set(fd, c.key, c.value, 0));
        return m.bpf.bpf(BpfCmd.MAP_DELETE_ELEM, c.attr.set(fd, c.key, null, 0));
    }

    // ---- the anchors: the one-miss floor and fastutil, same keys, same order ----

    /**
     * The two anchors of issue 22 filled with {@link Maps}' keys (a key's first four bytes, the
     * value its number): {@link OneMissTable} and fastutil's {@code Int2LongOpenHashMap} at its
     * default load factor. Read and written by one thread only (neither is concurrent).
     */
    @State(Scope.Benchmark)
    public static class Anchors {
        OneMissTable oneMiss;
        Int2LongOpenHashMap fastutil;

        @Setup(Level.Trial)
        public void setup(Maps m) {
            oneMiss = new OneMissTable(m.entries + 16, huge());
            fastutil = new Int2LongOpenHashMap(m.entries + 16);
            for (int k = 0; k < m.entries; k++) {
                int key = Caller.scramble(k);
                oneMiss.put(key, k);
                fastutil.put(key, k);
            }
        }

        /** Whether the one-miss table's slots are in huge pages: see {@link HugeAnchors}. */
        boolean huge() {
            return false;
        }
    }

    /**
     * {@link Anchors} with the one-miss table's slots in transparent huge pages ({@link
     * HugeBuffers}): the floor of a design whose tables are huge-page backed.
     */
    @State(Scope.Benchmark)
    public static class HugeAnchors extends Anchors {
        @Override
        boolean huge() {
            return true;
        }

        @Setup(Level.Trial)
        public void report() {
            System.out.println("HugeAnchors: AnonHugePages " + HugeBuffers.anonHugeKb() + " kB");
        }
    }

    @Benchmark
    public long oneMissLookupHit(Anchors a, Caller c) {
        c.key(c.hit());
        return a.oneMiss.get(c.key.getInt(0), -1);
    }

    /** {@link #oneMissLookupHit} over huge pages. */
    @Benchmark
    public long oneMissHugeLookupHit(HugeAnchors a, Caller c) {
        return oneMissLookupHit(a, c);
    }

    @Benchmark
    public boolean oneMissUpdate(Anchors a, Caller c) {
        c.key(c.hit());
        return a.oneMiss.put(c.key.getInt(0), c.value.getLong(0));
    }

    /** {@link OneMissTable#lockedPut}: the floor of an update whose writers lock per bucket. */
    @Benchmark
    public boolean oneMissLockedUpdate(Anchors a, Caller c) {
        c.key(c.hit());
        return a.oneMiss.lockedPut(c.key.getInt(0), c.value.getLong(0));
    }

    @Benchmark
    public boolean oneMissInsertDelete(Anchors a, Caller c) {
        c.key(c.fresh());
        a.oneMiss.put(c.key.getInt(0), c.value.getLong(0));
        return a.oneMiss.remove(c.key.getInt(0));
    }

    @Benchmark
    public long fastutilLookupHit(Anchors a, Caller c) {
        c.key(c.hit());
        return a.fastutil.get(c.key.getInt(0));
    }

    @Benchmark
    public long fastutilUpdate(Anchors a, Caller c) {
        c.key(c.hit());
        return a.fastutil.put(c.key.getInt(0), c.value.getLong(0));
    }

    @Benchmark
    public long fastutilInsertDelete(Anchors a, Caller c) {
        c.key(c.fresh());
        a.fastutil.put(c.key.getInt(0), c.value.getLong(0));
        return a.fastutil.remove(c.key.getInt(0));
    }

    // ---- the other workloads, two threads on one map ----

    @Benchmark
    @Threads(2)
    public byte[] chmLookupMiss2t(Maps m, Caller c) {
        return chmLookupMiss(m, c);
    }

    @Benchmark
    @Threads(2)
    public boolean typedLookupMiss2t(Maps m, Caller c) {
        return typedLookupMiss(m, c);
    }

    @Benchmark
    @Threads(2)
    public byte[] chmUpdate2t(Maps m, Caller c) {
        return chmUpdate(m, c);
    }

    @Benchmark
    @Threads(2)
    public void typedUpdate2t(Maps m, Caller c) {
        typedUpdate(m, c);
    }

    @Benchmark
    @Threads(2)
    public byte[] chmInsertDelete2t(Maps m, Caller c) {
        return chmInsertDelete(m, c);
    }

    @Benchmark
    @Threads(2)
    public boolean typedInsertDelete2t(Maps m, Caller c) {
        return typedInsertDelete(m, c);
    }
}
