package org.bpfmaps.bench;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentHashMap;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.MapSpec;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.UpdateFlag;
import org.bpfmaps.core.standalone.Standalone;

/**
 * Bytes per entry at 1M entries (key 4 B, value 8 B), measured rather than computed: the heap a
 * {@code ConcurrentHashMap<ByteKey, byte[]>} retains (used heap after full collections, before
 * and after filling it, with the map still reachable), and for the HASH map the heap plus the
 * direct memory it holds, next to the figure the map reports as its memlock.
 *
 * <pre>java -Xmx2g -XX:+UseParallelGC -cp bench/target/benchmarks.jar org.bpfmaps.bench.Footprint</pre>
 */
public final class Footprint {
    private static final int N = 1_000_000;

    private Footprint() {
    }

    public static void main(String[] args) {
        byte[] kb = new byte[4];
        // the map grown from its default size, and presized as HashBench makes it
        for (boolean presized : new boolean[] {false, true}) {
            long before = heapUsed();
            ConcurrentHashMap<HashBench.ByteKey, byte[]> chm = presized ? new ConcurrentHashMap<>(N * 2)
                    : new ConcurrentHashMap<>();
            for (int k = 0; k < N; k++) {
                // HashBench's keys: raw small ints would collide in Arrays.hashCode and turn bins into trees
                int w = HashBench.Caller.scramble(k);
                kb[0] = (byte) w;
                kb[1] = (byte) (w >>> 8);
                kb[2] = (byte) (w >>> 16);
                kb[3] = (byte) (w >>> 24);
                chm.put(HashBench.ByteKey.copyOf(kb), new byte[8]);
            }
            long after = heapUsed();
            System.out.printf("ConcurrentHashMap<ByteKey, byte[]> (%s): %.1f B/entry retained heap (%d entries)%n",
                    presized ? "new ConcurrentHashMap<>(2M)" : "grown from default", (after - before) / (double) N,
                    chm.size());
        }

        long heapBefore = heapUsed();
        long directBefore = direct();
        try (BpfInstance bpf = Standalone.fromClassPath().newInstance(
                BpfSettings.defaults().withMemoryBudget(1L << 30))) {
            BpfMap hash = BpfMap.create(bpf, MapSpec.of(MapType.HASH, 4, 8, N));
            ByteBuffer key = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
            ByteBuffer value = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            for (int k = 0; k < N; k++) {
                key.putInt(0, HashBench.Caller.scramble(k));
                value.putLong(0, k);
                hash.update(key, value, UpdateFlag.ANY);
            }
            long heap = heapUsed() - heapBefore;
            long dir = direct() - directBefore - 12;
            System.out.printf("HASH map: %.1f B/entry (direct %.1f + heap %.1f); memlock reported %.1f B/entry%n",
                    (heap + dir) / (double) N, dir / (double) N, heap / (double) N,
                    bpf.fdinfo(hash.fd()).memlock() / (double) N);
        }
    }

    /** Used heap after collections have stopped freeing anything. */
    private static long heapUsed() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long u = rt.totalMemory() - rt.freeMemory();
            if (u >= used) {
                return u;
            }
            used = u;
        }
        return used;
    }

    private static long direct() {
        for (BufferPoolMXBean p : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (p.getName().equals("direct")) {
                return p.getMemoryUsed();
            }
        }
        return 0;
    }
}
