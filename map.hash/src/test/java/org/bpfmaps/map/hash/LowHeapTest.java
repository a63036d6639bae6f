package org.bpfmaps.map.hash;

import org.bpfmaps.testsupport.LowHeap;
import org.junit.jupiter.api.Test;

/**
 * The budget holds under -Xmx64m (issue 17): in a JVM of its own with the default budgets,
 * a BPF_F_NO_PREALLOC hash too large for the budget, then the largest that fits filled to
 * max_entries, then arrays, until ENOMEM naming the budget; then the instance answers lookups
 * and, once some maps are closed, makes a new one, and no OutOfMemoryError appears.
 */
class LowHeapTest {
    @Test
    void theDefaultBudgetKeepsA64MiBHeapAnswering() throws Exception {
        LowHeap.assertHolds("hash");
    }
}
