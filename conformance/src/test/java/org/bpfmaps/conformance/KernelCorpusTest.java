package org.bpfmaps.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.jr.ob.JSON;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.bpfmaps.map.array.ArrayProvider;
import org.junit.jupiter.api.Test;

/**
 * Replays the recorded kernel corpus with the providers this repository has (the ARRAY family):
 * every case of a served type, and the unknown-type cases, must behave as the kernel did; all
 * other cases are skipped, not failed.
 */
class KernelCorpusTest {
    /** Maven runs tests in the module's folder; the corpus is the repository's. */
    private static final Path CORPUS = Path.of("../corpus/kernel-6.18.json");

    /** The corpus's type names that must replay here: the served types and the never-skipped ones. */
    private static final Set<String> REPLAYED = Set.of("ARRAY", "PERCPU_ARRAY", "UNKNOWN", "UNSPEC");

    @Test
    void arrayFamilyAndUnknownTypesBehaveAsTheKernel() throws Exception {
        // count the cases independently of the runner's parser, from the raw file
        Map<String, Object> raw = JSON.std.mapFrom(Files.readAllBytes(CORPUS));
        List<?> cases = (List<?>) raw.get("cases");
        long replayed = cases.stream()
                .map(c -> (String) ((Map<?, ?>) ((Map<?, ?>) c).get("map")).get("type"))
                .filter(REPLAYED::contains)
                .count();

        ProviderHost host = Standalone.create();
        host.addProvider(new ArrayProvider());
        Report r = new ConformanceRunner(host).run(Corpus.read(CORPUS), null);

        System.out.println("kernel-6.18.json: " + r.summary());
        r.failures().forEach(System.out::println);
        assertEquals(0, r.failed(), () -> String.join("\n", r.failures()));
        assertEquals(replayed, r.passed());
        assertEquals(cases.size() - replayed, r.skipped());
    }
}
