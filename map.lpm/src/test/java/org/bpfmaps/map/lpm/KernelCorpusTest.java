package org.bpfmaps.map.lpm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.jr.ob.JSON;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bpfmaps.conformance.ConformanceRunner;
import org.bpfmaps.conformance.Corpus;
import org.bpfmaps.conformance.Report;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.bpfmaps.map.array.ArrayProvider;
import org.junit.jupiter.api.Test;

/** Replays the recorded kernel corpus: every LPM_TRIE case must behave as the kernel did. */
class KernelCorpusTest {
    /** Maven runs tests in the module's folder; the corpus is the repository's. */
    private static final Path CORPUS = Path.of("../corpus/kernel-6.18.json");

    private static final Set<MapType> TYPES = EnumSet.of(MapType.LPM_TRIE);

    @Test
    void lpmTrieBehavesAsTheKernel() throws Exception {
        // count the cases independently of the runner's parser, from the raw file
        Map<String, Object> raw = JSON.std.mapFrom(Files.readAllBytes(CORPUS));
        List<?> cases = (List<?>) raw.get("cases");
        long expected = cases.stream()
                .map(c -> (String) ((Map<?, ?>) ((Map<?, ?>) c).get("map")).get("type"))
                .filter("LPM_TRIE"::equals)
                .count();

        ProviderHost host = Standalone.create();
        host.addProvider(new LpmProvider());
        // the ARRAY family beside it, as in a real distribution: it must change nothing here
        host.addProvider(new ArrayProvider());
        Report r = new ConformanceRunner(host).run(Corpus.read(CORPUS), TYPES);

        System.out.println("kernel-6.18.json (lpm_trie): " + r.summary());
        r.failures().forEach(System.out::println);
        assertEquals(0, r.failed(), () -> String.join("\n", r.failures()));
        assertEquals(0, r.skipped(), () -> String.join("\n", r.skippedReasons()));
        assertEquals(expected, r.passed());
        assertEquals(37, expected, "the corpus's LPM_TRIE cases");
    }
}
