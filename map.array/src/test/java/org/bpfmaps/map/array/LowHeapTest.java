package org.bpfmaps.map.array;

import org.bpfmaps.testsupport.LowHeap;
import org.junit.jupiter.api.Test;

/**
 * The budget holds under -Xmx64m (issue 17): in a JVM of its own with the default budgets,
 * many one-entry arrays, until ENOMEM naming the budget; then the instance answers lookups and, once some maps
 * are closed, makes a new one, and no OutOfMemoryError appears.
 */
class LowHeapTest {
    @Test
    void theDefaultBudgetKeepsA64MiBHeapAnswering() throws Exception {
        LowHeap.assertHolds("arrays");
    }
}
