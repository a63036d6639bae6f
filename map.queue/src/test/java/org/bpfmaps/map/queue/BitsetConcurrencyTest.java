package org.bpfmaps.map.queue;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The bloom filter's bits under concurrent adds: two threads set interleaved bits (one the even,
 * the other the odd ones) of the same words at once, so every word is written by both; if a set
 * could lose another thread's bit, some round would end with a bit clear. Each round starts both
 * threads together on a fresh bitset.
 */
class BitsetConcurrencyTest {
    private static final int WORDS = 64;
    private static final int ROUNDS = 2000;

    @Test
    void concurrentSetsLoseNoBit() throws Exception {
        Bitset[] bits = new Bitset[1];
        CyclicBarrier start = new CyclicBarrier(3);
        CyclicBarrier done = new CyclicBarrier(3);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?>[] setters = new Future<?>[2];
            for (int t = 0; t < 2; t++) {
                int parity = t;
                setters[t] = pool.submit(() -> {
                    for (int r = 0; r < ROUNDS; r++) {
                        start.await(30, TimeUnit.SECONDS);
                        Bitset b = bits[0];
                        for (long bit = parity; bit < WORDS * 64; bit += 2) {
                            b.set(bit);
                        }
                        done.await(30, TimeUnit.SECONDS);
                    }
                    return null;
                });
            }
            for (int r = 0; r < ROUNDS; r++) {
                bits[0] = new Bitset(WORDS * 8);
                start.await(30, TimeUnit.SECONDS);
                done.await(30, TimeUnit.SECONDS);
                for (long bit = 0; bit < WORDS * 64; bit++) {
                    assertTrue(bits[0].test(bit), "round " + r + ": bit " + bit + " was set but is clear");
                }
            }
            for (Future<?> s : setters) {
                s.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
