package org.bpfmaps.bench;

import com.sun.jna.Memory;
import java.util.concurrent.TimeUnit;
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
 * The kernel's own bpf(2) on real ARRAY and PERCPU_ARRAY maps, the baseline that bpf() in the JVM
 * is measured against. {@code scripts/bench.sh} leaves these out (and says so) where the process
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
            throw new IllegalStateException("bpf(2) MAP_CREATE failed: errno " + -Math.min(arrayFd, percpuFd));
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
}
