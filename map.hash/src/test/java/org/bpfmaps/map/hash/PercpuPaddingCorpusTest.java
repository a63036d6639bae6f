package org.bpfmaps.map.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.bpfmaps.conformance.ConformanceRunner;
import org.bpfmaps.conformance.Corpus;
import org.bpfmaps.conformance.Report;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.junit.jupiter.api.Test;

/**
 * Replays corpus/percpu-padding-6.18.json (recorded by corpus/record/record-percpu-padding.py) for
 * the per-CPU hashes: the padding after value_size in each CPU's slot is stored as an update wrote
 * it and comes back from lookup, lookup_and_delete, update_batch and lookup_batch.
 */
class PercpuPaddingCorpusTest {
    /** Maven runs tests in the module's folder; the corpus is the repository's. */
    private static final Path CORPUS = Path.of("../corpus/percpu-padding-6.18.json");

    private static final Set<MapType> TYPES = EnumSet.of(MapType.PERCPU_HASH, MapType.LRU_PERCPU_HASH);

    @Test
    void perCpuHashesKeepTheirPaddingAsTheKernel() throws Exception {
        ProviderHost host = Standalone.create();
        host.addProvider(new HashProvider());
        Report r = new ConformanceRunner(host).run(Corpus.read(CORPUS), TYPES);

        System.out.println("percpu-padding-6.18.json (percpu_hash, lru_percpu_hash): " + r.summary());
        assertEquals(0, r.failed(), () -> String.join("\n", r.failures()));
        // value sizes 4, 12 and 3; PERCPU_HASH preallocated and BPF_F_NO_PREALLOC, LRU_PERCPU_HASH
        assertEquals(9, r.passed(), r::summary);
        assertEquals(0, r.skipped(), () -> String.join("\n", r.skippedReasons()));
    }
}
