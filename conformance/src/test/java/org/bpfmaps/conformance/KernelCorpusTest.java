package org.bpfmaps.conformance;

import org.bpfmaps.map.array.ArrayProvider;
import org.junit.jupiter.api.Test;

/**
 * Replays the recorded kernel corpus with the providers this module's tests have (the ARRAY
 * family): every case of a served type, and the unknown-type cases, must behave as the kernel
 * did; all other cases are skipped, not failed.
 */
class KernelCorpusTest {
    @Test
    void arrayFamilyAndUnknownTypesBehaveAsTheKernel() throws Exception {
        KernelCorpus.replayAll("kernel-6.18.json", new ArrayProvider());
    }
}
