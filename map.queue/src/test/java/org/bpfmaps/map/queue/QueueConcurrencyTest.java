package org.bpfmaps.map.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.Test;

/**
 * Producers and consumers on one small QUEUE: every value pushed is popped exactly once, and a
 * consumer sees each producer's values in the order they were pushed (a FIFO queue guarantees
 * that to every single consumer). The queue is small so that it is often full and often empty.
 * {@code -Dbpfmaps.stress.ops=N} sets the values per producer.
 */
class QueueConcurrencyTest {
    private static final int PRODUCERS = 2;
    private static final int CONSUMERS = 2;
    private static final int PER_PRODUCER = Integer.getInteger("bpfmaps.stress.ops", 200_000);

    @Test
    void noValueIsLostOrDuplicated() throws Exception {
        try (QueueFixture f = new QueueFixture()) {
            int fd = f.create(MapType.QUEUE, 64);
            long total = (long) PRODUCERS * PER_PRODUCER;
            AtomicLong popped = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(PRODUCERS + CONSUMERS);
            try {
                List<Future<?>> producers = new ArrayList<>();
                for (int p = 0; p < PRODUCERS; p++) {
                    long base = (long) p << 32;
                    producers.add(pool.submit(() -> {
                        for (long i = 0; i < PER_PRODUCER; i++) {
                            int r;
                            while ((r = f.push(fd, base | i, BpfFlags.ANY)) == Errno.E2BIG.ret()
                                    && !Thread.currentThread().isInterrupted()) {
                                Thread.yield(); // full: a consumer will make room (4 threads share 2 cores here)
                            }
                            assertEquals(0, r);
                        }
                        return null;
                    }));
                }
                List<Future<List<Long>>> consumers = new ArrayList<>();
                for (int c = 0; c < CONSUMERS; c++) {
                    consumers.add(pool.submit(() -> {
                        List<Long> got = new ArrayList<>();
                        while (popped.get() < total && !Thread.currentThread().isInterrupted()) {
                            long v = f.pop(fd);
                            if (v == QueueFixture.EMPTY) {
                                Thread.yield();
                                continue;
                            }
                            popped.incrementAndGet();
                            got.add(v);
                        }
                        return got;
                    }));
                }
                for (Future<?> p : producers) {
                    p.get(60, TimeUnit.SECONDS);
                }
                BitSet[] seen = new BitSet[PRODUCERS];
                for (int p = 0; p < PRODUCERS; p++) {
                    seen[p] = new BitSet(PER_PRODUCER);
                }
                long count = 0;
                for (Future<List<Long>> c : consumers) {
                    long[] last = new long[PRODUCERS];
                    Arrays.fill(last, -1);
                    for (long v : c.get(60, TimeUnit.SECONDS)) {
                        int p = (int) (v >>> 32);
                        int i = (int) v;
                        assertTrue(p >= 0 && p < PRODUCERS && i >= 0 && i < PER_PRODUCER, "a value never pushed: " + v);
                        assertTrue(!seen[p].get(i), "popped twice: producer " + p + " value " + i);
                        assertTrue(i > last[p], "producer " + p + "'s values out of order: " + i + " after " + last[p]);
                        seen[p].set(i);
                        last[p] = i;
                        count++;
                    }
                }
                assertEquals(total, count);
                for (int p = 0; p < PRODUCERS; p++) {
                    assertEquals(PER_PRODUCER, seen[p].cardinality(), "producer " + p + " lost values");
                }
                assertEquals(QueueFixture.EMPTY, f.pop(fd));
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
