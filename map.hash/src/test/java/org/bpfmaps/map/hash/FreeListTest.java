package org.bpfmaps.map.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The free lists: every element once, consecutive ones a cache line pair apart, none lost across threads. */
class FreeListTest {

    @Test
    void handsOutEveryElementOnceConsecutiveOnesApartThenNone() {
        Slab slab = new Slab(1000, 24);
        FreeList free = new FreeList(slab);
        Set<Integer> seen = new HashSet<>();
        int prev = -1;
        for (int i = 0; i < 1000; i++) {
            int e = free.pop();
            assertTrue(e >= 0 && e < 1000 && seen.add(e), "element " + e);
            if (prev >= 0 && e > prev) {
                // within one pass of the spread order
                assertTrue((e - prev) * 24 >= FreeList.SPREAD_BYTES, prev + " then " + e);
            }
            prev = e;
        }
        assertEquals(-1, free.pop(), "empty: the map is full");
        free.push(7);
        assertEquals(7, free.pop());
        assertEquals(-1, free.pop());
    }

    /**
     * Threads pushing to their own stripes and popping (stealing when their own is empty): at the
     * end every element is free exactly once, and a pop that finds none means none was free.
     */
    @Test
    void threadsSharingTheListLoseAndDuplicateNothing() throws Exception {
        FreeList free = new FreeList(64);
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            workers.add(CompletableFuture.runAsync(() -> {
                int[] held = new int[16];
                for (int round = 0; round < 20_000; round++) {
                    int n = 0;
                    while (n < held.length) {
                        int e = free.pop();
                        if (e < 0) {
                            break;
                        }
                        held[n++] = e;
                    }
                    for (int i = 0; i < n; i++) {
                        free.push(held[i]);
                    }
                }
            }));
        }
        for (CompletableFuture<Void> w : workers) {
            w.get();
        }
        Set<Integer> all = new HashSet<>();
        for (int e; (e = free.pop()) >= 0;) {
            assertTrue(all.add(e), "element " + e + " free twice");
        }
        assertEquals(64, all.size(), "every element free once at the end");
    }
}
