package org.bpfmaps.testsupport;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The allocation check passes a block that allocates nothing and fails one that does. */
class AllocationTest {
    /** Where the allocating block keeps its arrays, so that escape analysis cannot remove them. */
    static volatile Object sink;

    @Test
    void aBlockThatAllocatesNothingPasses() {
        long[] counter = new long[1];
        Allocation.assertNoAllocation("counting", () -> {
            for (int i = 0; i < 100_000; i++) {
                counter[0] += i;
            }
        });
        assertTrue(counter[0] > 0);
    }

    @Test
    void aBlockThatAllocatesFailsNamingWhatAndHowMuch() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Allocation.assertNoAllocation("allocating", () -> {
                    for (int i = 0; i < 1000; i++) {
                        sink = new byte[64];
                    }
                }));
        assertTrue(e.getMessage().startsWith("allocating allocated "), e.getMessage());
    }
}
