package org.bpfmaps.map.hash;

import java.util.EnumSet;
import org.bpfmaps.conformance.KernelCorpus;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.map.array.ArrayProvider;
import org.junit.jupiter.api.Test;

/**
 * Replays the recorded kernel corpus for the hash family: every HASH, PERCPU_HASH, LRU_HASH and
 * LRU_PERCPU_HASH case must behave as the kernel did (ops recorded as {@code observed}, such as
 * which element an LRU evicts, are for information and not compared), with the ARRAY family
 * installed beside it as in a distribution.
 */
class KernelCorpusTest {
    @Test
    void hashFamilyBehavesAsTheKernel() throws Exception {
        KernelCorpus.replay("kernel-6.18.json", EnumSet.of(MapType.HASH, MapType.PERCPU_HASH, MapType.LRU_HASH,
                MapType.LRU_PERCPU_HASH), new HashProvider(), new ArrayProvider());
    }
}
