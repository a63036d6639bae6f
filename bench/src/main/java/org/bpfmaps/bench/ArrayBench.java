package org.bpfmaps.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * ARRAY and PERCPU_ARRAY element operations through the typed API (primitive and ByteBuffer
 * forms) and through bpf(), next to the baselines a Java user would compare with: a plain
 * {@code long[]} and an {@link AtomicLongArray}. Keys cycle over 1024 indexes so that the JIT
 * cannot fold the access.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class ArrayBench {
    private static final int N = 1024;

    private BpfInstance bpf;
    private BpfMap array;
    private BpfMap percpu;
    private final MapElemAttr attr = new MapElemAttr();
    private final ByteBuffer key = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
    private final ByteBuffer value = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    /** Heap buffers, what {@code ByteBuffer.allocate} gives a caller that does no I/O with them. */
    private final ByteBuffer heapKey = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
    private final ByteBuffer heapValue = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
    private ByteBuffer percpuValue;
    private long[] percpuOut;
    private final long[] plain = new long[N];
    /** {@link #plain}, read with the one ordered read of {@link #baselineBufferLookupOrdered}. */
    private volatile long[] ordered;
    private final AtomicLongArray atomic = new AtomicLongArray(N);
    private int i;

    @Setup(Level.Trial)
    public void setup() {
        bpf = Standalone.fromClassPath().newInstance(BpfSettings.defaults());
        array = BpfMap.create(bpf, MapSpec.of(MapType.ARRAY, 4, 8, N));
        percpu = BpfMap.create(bpf, MapSpec.of(MapType.PERCPU_ARRAY, 4, 8, N));
        percpuValue = ByteBuffer.allocateDirect(percpu.valueBufferSize()).order(ByteOrder.nativeOrder());
        percpuOut = new long[percpu.possibleCpus()];
        for (int k = 0; k < N; k++) {
            array.updateLong(k, k, UpdateFlag.ANY);
            plain[k] = k;
            atomic.set(k, k);
        }
        ordered = plain;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bpf.close();
    }

    private int next() {
        return i = (i + 1) & (N - 1);
    }

    // ---- baselines ----

    @Benchmark
    public long baselineLongArrayRead() {
        return plain[next()];
    }

    @Benchmark
    public void baselineLongArrayWrite() {
        int k = next();
        plain[k] = k;
    }

    @Benchmark
    public long baselineAtomicLongArrayRead() {
        return atomic.get(next());
    }

    /**
     * What the ByteBuffer form costs its caller before any map is reached: writing the key into
     * a direct buffer and reading the value out of one. It shows how much of the ByteBuffer
     * lookup's time is the buffers' own (bounds and liveness checks on every access).
     */
    @Benchmark
    public long baselineBufferKeyAndValue() {
        key.putInt(0, next());
        return value.getLong(0);
    }

    /**
     * A ByteBuffer-form lookup with no map behind it: the caller writes the key and reads the
     * value as {@link #typedLookupByteBuffer} does, and in between the key is read from its buffer
     * and a {@code long[]} element written into the value buffer, the two accesses any lookup
     * that takes its key and gives its value in buffers makes. A floor under the ByteBuffer form:
     * the four buffer accesses and a plain array read, nothing else.
     */
    @Benchmark
    public long baselineBufferLookup() {
        key.putInt(0, next());
        int k = key.getInt(key.position());
        value.putLong(value.position(), plain[k]);
        return value.getLong(0);
    }

    /**
     * {@link #baselineBufferLookup} with one volatile read between the key and the value, the
     * {@code long[]} reached through a volatile field, and the value buffer taken before that
     * read as a call's argument is: the floor of any lookup that takes the value buffer as an
     * argument and makes one ordered read per call (what lets a thread looping on lookups see the
     * map detached or its fd closed). C2 loads nothing again across an acquire and reuses nothing
     * loaded before it, so the caller's read of the value after the call loads the buffer's field
     * and its checks again (the compiled loop: 85 instructions here, 72 in
     * {@link #baselineBufferLookup}): the difference is that read's price, which
     * {@link #typedLookupByteBuffer} pays too.
     */
    @Benchmark
    public long baselineBufferLookupOrdered() {
        key.putInt(0, next());
        ByteBuffer v = value; // before the ordered read, as an argument of lookup(key, value)
        int k = key.getInt(key.position());
        long[] w = ordered;
        v.putLong(v.position(), w[k]);
        return value.getLong(0);
    }

    // ---- typed API ----

    @Benchmark
    public long typedLookupPrimitive() {
        return array.lookupLong(next(), -1);
    }

    @Benchmark
    public long typedLookupByteBuffer() {
        key.putInt(0, next());
        array.lookup(key, value);
        return value.getLong(0);
    }

    @Benchmark
    public long typedLookupHeapByteBuffer() {
        heapKey.putInt(0, next());
        array.lookup(heapKey, heapValue);
        return heapValue.getLong(0);
    }

    @Benchmark
    public void typedUpdatePrimitive() {
        int k = next();
        array.updateLong(k, k, UpdateFlag.ANY);
    }

    @Benchmark
    public void typedUpdateByteBuffer() {
        int k = next();
        key.putInt(0, k);
        value.putLong(0, k);
        array.update(key, value, UpdateFlag.ANY);
    }

    @Benchmark
    public long typedPercpuLookupAllCpus() {
        percpu.lookupPerCpu(next(), percpuOut);
        return percpuOut[0];
    }

    // ---- bpf() ----

    @Benchmark
    public int syscallLookup() {
        key.putInt(0, next());
        return bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, attr.set(array.fd(), key, value, 0));
    }

    @Benchmark
    public int syscallUpdate() {
        int k = next();
        key.putInt(0, k);
        value.putLong(0, k);
        return bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, attr.set(array.fd(), key, value, 0));
    }

    @Benchmark
    public int syscallPercpuLookupAllCpus() {
        key.putInt(0, next());
        return bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, attr.set(percpu.fd(), key, percpuValue, 0));
    }
}
