package org.bpfmaps.map.lpm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import org.bpfmaps.conformance.KernelCorpus;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.map.array.ArrayProvider;
import org.junit.jupiter.api.Test;

/**
 * Replays the recorded kernel corpus: every LPM_TRIE case must behave as the kernel did, with the
 * ARRAY family installed beside it as in a distribution.
 */
class KernelCorpusTest {
    @Test
    void lpmTrieBehavesAsTheKernel() throws Exception {
        assertEquals(37, KernelCorpus.replay("kernel-6.18.json", EnumSet.of(MapType.LPM_TRIE),
                new LpmProvider(), new ArrayProvider()).passed(), "the corpus's LPM_TRIE cases");
    }
}
