package org.bpfmaps.map.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Readers and writers at once on the same elements: every value a reader sees was written whole
 * by some writer. Writers write values whose bytes are all equal, so a torn value shows as a value
 * with two different bytes.
 */
class ConcurrencyTest {
    private static final int OPS = Integer.getInteger("bpfmaps.stress.ops", 200_000);
    private final ArrayFixture f = new ArrayFixture(2);

    @AfterEach
    void close() {
        f.close();
    }

    @ParameterizedTest
    // flags 1024 (MMAPABLE) keeps an ARRAY off-heap; without it a small array of small values
    // lives in a long[]: both layouts are checked
    @CsvSource({"ARRAY,1,0", "ARRAY,3,0", "ARRAY,4,0", "ARRAY,6,0", "ARRAY,8,0", "ARRAY,1,1024", "ARRAY,3,1024",
        "ARRAY,6,1024", "ARRAY,8,1024", "PERCPU_ARRAY,8,0", "PERCPU_ARRAY,5,0"})
    void valuesOfUpToEightBytesNeverTear(MapType type, int valueSize, int flags) throws Exception {
        int fd = f.create(type, valueSize, 4, flags);
        int bufSize = type == MapType.PERCPU_ARRAY ? 8 * f.cpus : valueSize;
        int width = type == MapType.PERCPU_ARRAY ? 8 : valueSize;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            results.add(pool.submit(() -> {
                start.await();
                MapElemAttr a = new MapElemAttr();
                ByteBuffer v = ByteBuffer.allocate(bufSize);
                for (int i = 0; i < OPS; i++) {
                    byte b = (byte) (1 + (i * 2 + writer) % 250);
                    for (int j = 0; j < bufSize; j++) {
                        v.put(j, (j % 8) < valueSize ? b : 0);
                    }
                    int r = f.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a.set(fd, ArrayFixture.u32(i & 3), v, 0));
                    if (r != 0) {
                        return "update failed: " + r;
                    }
                }
                return null;
            }));
        }
        for (int r = 0; r < 2; r++) {
            results.add(pool.submit(() -> {
                start.await();
                MapElemAttr a = new MapElemAttr();
                ByteBuffer v = ByteBuffer.allocate(bufSize);
                ByteBuffer key = ArrayFixture.u32(0);
                for (int i = 0; i < OPS; i++) {
                    key.putInt(0, i & 3);
                    if (f.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a.set(fd, key, v, 0)) != 0) {
                        return "lookup failed";
                    }
                    for (int cpu = 0; cpu < bufSize / width; cpu++) {
                        byte first = v.get(cpu * width);
                        for (int j = 1; j < Math.min(width, valueSize); j++) {
                            if (v.get(cpu * width + j) != first) {
                                return "torn value at op " + i + ": byte " + j + " differs from byte 0";
                            }
                        }
                    }
                }
                return null;
            }));
        }
        start.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(5, TimeUnit.MINUTES), "threads did not finish");
        for (Future<String> r : results) {
            assertEquals(null, r.get());
        }
    }
}
