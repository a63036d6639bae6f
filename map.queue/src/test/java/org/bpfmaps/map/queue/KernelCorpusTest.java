package org.bpfmaps.map.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.jr.ob.JSON;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bpfmaps.conformance.ConformanceRunner;
import org.bpfmaps.conformance.Corpus;
import org.bpfmaps.conformance.Report;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.bpfmaps.map.array.ArrayProvider;
import org.junit.jupiter.api.Test;

/**
 * Replays the corpus recorded for QUEUE, STACK and BLOOM_FILTER on a 6.18 kernel
 * (corpus/record/record-queue-stack-bloom.py): every case must behave as the kernel did, the
 * false positives of the BPF_F_ZERO_SEED bloom filters and every map's memlock included.
 */
class KernelCorpusTest {
    /** Maven runs tests in the module's folder; the corpus is the repository's. */
    private static final Path CORPUS = Path.of("../corpus/queue-stack-bloom-6.18.json");

    @Test
    void queueStackAndBloomFilterBehaveAsTheKernel() throws Exception {
        // count the cases independently of the runner's parser, from the raw file
        Map<String, Object> raw = JSON.std.mapFrom(Files.readAllBytes(CORPUS));
        int cases = ((List<?>) raw.get("cases")).size();

        ProviderHost host = Standalone.create();
        host.addProvider(new QueueProvider());
        // the ARRAY family beside it, as in a real distribution: it must change nothing here
        host.addProvider(new ArrayProvider());
        Report r = new ConformanceRunner(host).run(Corpus.read(CORPUS), null);

        System.out.println("queue-stack-bloom-6.18.json: " + r.summary());
        r.failures().forEach(System.out::println);
        assertEquals(0, r.failed(), () -> String.join("\n", r.failures()));
        assertEquals(0, r.skipped(), () -> String.join("\n", r.skippedReasons()));
        assertEquals(cases, r.passed());
    }
}
