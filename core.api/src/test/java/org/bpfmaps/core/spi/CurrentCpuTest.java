package org.bpfmaps.core.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CurrentCpuTest {
    @Test
    void anUnboundThreadIsItsIdModuloThePossibleCpus() throws Exception {
        assertEquals((int) (Thread.currentThread().getId() % 3), CurrentCpu.get(3));
        AtomicInteger seen = new AtomicInteger(-1);
        Thread t = new Thread(() -> seen.set(CurrentCpu.get(4)));
        t.start();
        t.join();
        assertEquals((int) (t.getId() % 4), seen.get());
    }

    @Test
    void aBindingHoldsUntilClosedAndNests() {
        int before = CurrentCpu.get(8);
        try (CurrentCpu.Scope a = CurrentCpu.bind(5)) {
            assertEquals(5, CurrentCpu.get(8));
            try (CurrentCpu.Scope b = CurrentCpu.bind(2)) {
                assertEquals(2, CurrentCpu.get(8));
            }
            assertEquals(5, CurrentCpu.get(8), "the inner scope restored the outer binding");
            assertEquals(1, CurrentCpu.get(2), "a CPU past a map's possible CPUs folds into them");
        }
        assertEquals(before, CurrentCpu.get(8));
    }

    @Test
    void aBindingIsTheBindingThreadsOnly() throws Exception {
        try (CurrentCpu.Scope a = CurrentCpu.bind(3)) {
            AtomicInteger seen = new AtomicInteger(-1);
            Thread t = new Thread(() -> seen.set(CurrentCpu.get(64)));
            t.start();
            t.join();
            assertEquals((int) (t.getId() % 64), seen.get());
        }
    }

    @Test
    void badCpusAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> CurrentCpu.bind(-1));
        assertThrows(IllegalArgumentException.class, () -> CurrentCpu.get(0));
    }
}
