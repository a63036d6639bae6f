package org.bpfmaps.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

/**
 * The allocation check of the hot paths: the JVM's per-thread allocation counter around a block
 * of operations, read after the block has run twice (so that it is compiled).
 */
public final class Allocation {
    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** What the counter itself and JUnit's assertions may allocate in a run. */
    static final long SLACK_BYTES = 4096;

    private Allocation() {
    }

    /** Runs {@code ops} three times and asserts the last run allocated (almost) nothing. */
    public static void assertNoAllocation(String what, Runnable ops) {
        assertTrue(MX.isThreadAllocatedMemorySupported() && MX.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count the bytes a thread allocates");
        for (int round = 0; round < 3; round++) {
            long before = MX.getCurrentThreadAllocatedBytes();
            ops.run();
            long bytes = MX.getCurrentThreadAllocatedBytes() - before;
            if (round == 2) {
                assertTrue(bytes < SLACK_BYTES, what + " allocated " + bytes + " bytes");
            }
        }
    }
}
