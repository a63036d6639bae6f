package org.bpfmaps.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.EnumSet;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.bpfmaps.map.array.ArrayProvider;
import org.junit.jupiter.api.Test;

/**
 * Replays corpus/percpu-padding-6.18.json (recorded by corpus/record/record-percpu-padding.py) for
 * PERCPU_ARRAY, the array family's corpus replay living here (map.array cannot depend on this
 * module): the padding after value_size in each CPU's slot is stored as an update wrote it and
 * comes back from lookup, update_batch and lookup_batch.
 */
class PercpuPaddingCorpusTest {
    private static final Path CORPUS = Path.of("../corpus/percpu-padding-6.18.json");

    @Test
    void perCpuArraysKeepTheirPaddingAsTheKernel() throws Exception {
        ProviderHost host = Standalone.create();
        host.addProvider(new ArrayProvider());
        Report r = new ConformanceRunner(host).run(Corpus.read(CORPUS), EnumSet.of(MapType.PERCPU_ARRAY));

        System.out.println("percpu-padding-6.18.json (percpu_array): " + r.summary());
        assertEquals(0, r.failed(), () -> String.join("\n", r.failures()));
        // value sizes 4, 12 and 3
        assertEquals(3, r.passed(), r::summary);
        assertEquals(0, r.skipped(), () -> String.join("\n", r.skippedReasons()));
    }
}
