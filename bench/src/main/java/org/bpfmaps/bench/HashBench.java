package org.bpfmaps.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapSpec;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.UpdateFlag;
import org.bpfmaps.core.spi.ProviderHost;
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

/**
 * HASH element operations (4-byte keys, 8-byte values) through the typed API and bpf(), next to
 * the baseline a careful Java user writes: a {@code ConcurrentHashMap<ByteKey, byte[]>} where each
 * operation wraps the caller's key bytes in a new ByteKey, a lookup returns the stored array and an
 * update stores a preallocated one. Keys hit are the ones inserted; misses use keys never inserted.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class HashBench {
    @Param({"100000", "1000000"})
    public int entries;

    private BpfInstance bpf;
    private BpfMap hash;
    private ConcurrentHashMap<ByteKey, byte[]> chm;
    private final MapElemAttr attr = new MapElemAttr();
    private final ByteBuffer key = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
    private final ByteBuffer value = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    private final byte[] keyBytes = new byte[4];
    private final byte[] stored = new byte[8];
    private int i;

    /** The baseline's key: the caller's bytes copied, hashed over their content. */
    static final class ByteKey {
        final byte[] b;
        final int h;

        ByteKey(byte[] src) {
            b = src.clone();
            h = Arrays.hashCode(b);
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

    @Setup(Level.Trial)
    public void setup() {
        bpf = ProviderHost.fromClassPath().newInstance(BpfSettings.defaults().withMemoryBudget(1L << 30));
        hash = BpfMap.create(bpf, MapSpec.of(MapType.HASH, 4, 8, entries + 16));
        chm = new ConcurrentHashMap<>(entries * 2);
        for (int k = 0; k < entries; k++) {
            key.putInt(0, k);
            value.putLong(0, k);
            hash.update(key, value, UpdateFlag.ANY);
            chm.put(new ByteKey(bytes(k)), new byte[8]);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bpf.close();
    }

    private byte[] bytes(int k) {
        keyBytes[0] = (byte) k;
        keyBytes[1] = (byte) (k >>> 8);
        keyBytes[2] = (byte) (k >>> 16);
        keyBytes[3] = (byte) (k >>> 24);
        return keyBytes;
    }

    /** The next present key, spread over the map (a multiplicative step modulo entries). */
    private int hit() {
        i = (int) ((i + 40503L) % entries);
        return i;
    }

    // ---- lookup hit ----

    @Benchmark
    public byte[] chmLookupHit() {
        return chm.get(new ByteKey(bytes(hit())));
    }

    @Benchmark
    public boolean typedLookupHit() {
        key.putInt(0, hit());
        return hash.lookup(key, value);
    }

    @Benchmark
    public int syscallLookupHit() {
        key.putInt(0, hit());
        return bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, attr.set(hash.fd(), key, value, 0));
    }

    // ---- lookup miss ----

    @Benchmark
    public byte[] chmLookupMiss() {
        return chm.get(new ByteKey(bytes(entries + hit())));
    }

    @Benchmark
    public boolean typedLookupMiss() {
        key.putInt(0, entries + hit());
        return hash.lookup(key, value);
    }

    // ---- update of an existing key ----

    @Benchmark
    public byte[] chmUpdate() {
        return chm.put(new ByteKey(bytes(hit())), stored);
    }

    @Benchmark
    public void typedUpdate() {
        key.putInt(0, hit());
        hash.update(key, value, UpdateFlag.ANY);
    }

    @Benchmark
    public int syscallUpdate() {
        key.putInt(0, hit());
        return bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, attr.set(hash.fd(), key, value, 0));
    }

    // ---- insert + delete of a new key ----

    @Benchmark
    public byte[] chmInsertDelete() {
        ByteKey k = new ByteKey(bytes(entries + 1 + (hit() & 7)));
        chm.put(k, stored);
        return chm.remove(new ByteKey(k.b));
    }

    @Benchmark
    public boolean typedInsertDelete() {
        key.putInt(0, entries + 1 + (hit() & 7));
        hash.update(key, value, UpdateFlag.ANY);
        return hash.delete(key);
    }
}
