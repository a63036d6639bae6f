package org.bpfmaps.bench;

import com.sun.jna.Memory;
import java.util.concurrent.TimeUnit;
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
 * The kernel's own bpf(2) on real ARRAY, PERCPU_ARRAY and HASH maps, the baseline that bpf() in
 * the JVM is measured against (HASH: the same workloads, key 4 B and value 8 B, as
 * {@link HashBench}'s {@code syscall...} methods with shape k4v8). {@code scripts/bench.sh} leaves these out (and says so) where the process
 * may not call bpf(2).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class KernelBench {
    private static final int N = 1024;
    private int arrayFd;
    private int percpuFd;
    private Memory attr;
    private Memory key;
    private Memory value;
    private int i;

    @Setup(Level.Trial)
    public void setup() {
        arrayFd = KernelSyscall.createMap(2, 4, 8, N);
        percpuFd = KernelSyscall.createMap(6, 4, 8, N);
        if (arrayFd < 0 || percpuFd < 0) {
            throw KernelSyscall.refused("MAP_CREATE", Math.min(arrayFd, percpuFd));
        }
        attr = new Memory(KernelSyscall.ATTR_SIZE);
        attr.clear();
        key = new Memory(4);
        int cpus = Runtime.getRuntime().availableProcessors();
        value = new Memory(8L * Math.max(cpus, 256));
        value.clear();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        KernelSyscall.close(arrayFd);
        KernelSyscall.close(percpuFd);
    }

    private long elem(int cmd, int fd) {
        key.setInt(0, i = (i + 1) & (N - 1));
        attr.setInt(0, fd);
        attr.setLong(8, Memory.nativeValue(key));
        attr.setLong(16, Memory.nativeValue(value));
        attr.setLong(24, 0);
        return KernelSyscall.bpf(cmd, attr);
    }

    @Benchmark
    public long kernelLookup() {
        return elem(1, arrayFd);
    }

    @Benchmark
    public long kernelUpdate() {
        value.setLong(0, i);
        return elem(2, arrayFd);
    }

    @Benchmark
    public long kernelPercpuLookupAllCpus() {
        return elem(1, percpuFd);
    }

    /** A kernel HASH map (key 4 B, value 8 B) holding keys 0 .. entries-1. */
    @State(Scope.Benchmark)
    public static class KernelHash {
        @Param({"100000", "1000000"})
        public int entries;
        int fd;
        int[] order;

        @Setup(Level.Trial)
        public void setup() {
            order = HashBench.Caller.visitOrder(entries, 1);
            fd = KernelSyscall.createMap(1, 4, 8, entries + 16);
            if (fd < 0) {
                throw KernelSyscall.refused("MAP_CREATE of a HASH", fd);
            }
            Memory a = new Memory(KernelSyscall.ATTR_SIZE);
            a.clear();
            Memory k = new Memory(4);
            Memory v = new Memory(8);
            v.clear();
            a.setInt(0, fd);
            a.setLong(8, Memory.nativeValue(k));
            a.setLong(16, Memory.nativeValue(v));
            for (int i = 0; i < entries; i++) {
                k.setInt(0, HashBench.Caller.scramble(i));
                long r = KernelSyscall.bpf(2, a);
                if (r < 0) {
                    throw new IllegalStateException("bpf(2) MAP_UPDATE_ELEM failed: errno " + -r);
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            KernelSyscall.close(fd);
        }
    }

    /** The next present key of a hash map, in a random order as HashBench visits them. */
    private int hit(KernelHash h) {
        i = i + 1 >= h.entries ? 0 : i + 1;
        return h.order[i];
    }

    /** Element command cmd on key number k, as HashBench numbers and writes its 4-byte keys. */
    private long hashElem(int cmd, KernelHash h, int k) {
        key.setInt(0, HashBench.Caller.scramble(k));
        attr.setInt(0, h.fd);
        attr.setLong(8, Memory.nativeValue(key));
        attr.setLong(16, cmd == 3 ? 0 : Memory.nativeValue(value));
        attr.setLong(24, 0);
        return KernelSyscall.bpf(cmd, attr);
    }

    @Benchmark
    public long kernelHashLookupHit(KernelHash h) {
        return hashElem(1, h, hit(h));
    }

    @Benchmark
    public long kernelHashLookupMiss(KernelHash h) {
        return hashElem(1, h, h.entries + 32 + hit(h));
    }

    @Benchmark
    public long kernelHashUpdate(KernelHash h) {
        return hashElem(2, h, hit(h));
    }

    @Benchmark
    public long kernelHashInsertDelete(KernelHash h) {
        int k = h.entries + 1 + (hit(h) & 7);
        hashElem(2, h, k);
        return hashElem(3, h, k);
    }
}
