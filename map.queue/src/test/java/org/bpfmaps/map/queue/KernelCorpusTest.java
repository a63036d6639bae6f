package org.bpfmaps.map.queue;

import org.bpfmaps.conformance.KernelCorpus;
import org.bpfmaps.map.array.ArrayProvider;
import org.junit.jupiter.api.Test;

/**
 * Replays the corpus recorded for QUEUE, STACK and BLOOM_FILTER on a 6.18 kernel
 * (corpus/record/record-queue-stack-bloom.py): every case must behave as the kernel did, the
 * false positives of the BPF_F_ZERO_SEED bloom filters and every map's memlock included, with the
 * ARRAY family installed beside it as in a distribution.
 */
class KernelCorpusTest {
    @Test
    void queueStackAndBloomFilterBehaveAsTheKernel() throws Exception {
        KernelCorpus.replayAll("queue-stack-bloom-6.18.json", new QueueProvider(), new ArrayProvider());
    }
}
