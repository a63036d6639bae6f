package org.bpfmaps.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.MapProvider;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;

/**
 * The corpus replay every map module runs against its own types (shipped in conformance's
 * test-jar): the recorded cases must behave as the kernel did, none skipped that should run, and
 * as many passed as the raw file holds, counted independently of the runner's parser.
 * It prints one summary line per replay, e.g.
 * {@code kernel-6.18.json (lpm_trie): 37 passed, 0 failed, 0 skipped}.
 */
public final class KernelCorpus {
    /** Maven runs tests in the module's folder; the corpus is the repository's. */
    private static final Path CORPUS = Path.of("../corpus");
    /** Type names the runner replays whatever is installed: EINVAL for them is the dispatcher's job. */
    private static final Set<String> ALWAYS_REPLAYED = Set.of("UNKNOWN", "UNSPEC");

    private KernelCorpus() {
    }

    /**
     * Replays the cases of {@code types} from {@code file} (in the repository's corpus folder)
     * with {@code providers} installed in a standalone runtime, asserting all of them pass.
     */
    public static Report replay(String file, Set<MapType> types, MapProvider... providers) throws IOException {
        Set<String> names = types.stream().map(MapType::name).collect(Collectors.toSet());
        String label = file + " (" + types.stream().sorted().map(t -> t.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", ")) + ")";
        Report r = run(file, label, types, providers);
        assertEquals(0, r.skipped(), () -> String.join("\n", r.skippedReasons()));
        assertEquals(count(file, names::contains), r.passed());
        return r;
    }

    /**
     * As {@link #replay(String, Set, MapProvider...)}, except that the cases making a socket kind
     * of {@code missingKinds} (a kind no part of the project makes yet, such as AF_XDP sockets) are
     * skipped, each naming its kind, and no other: the passed count is the raw file's cases of
     * {@code types} less those making one of these kinds.
     */
    public static Report replayWithout(String file, Set<MapType> types, Set<String> missingKinds,
            MapProvider... providers) throws IOException {
        Set<String> names = types.stream().map(MapType::name).collect(Collectors.toSet());
        String label = file + " (" + types.stream().sorted().map(t -> t.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", ")) + ")";
        Report r = run(file, label, types, providers);
        long needing = countCases(file, c -> names.contains(type(c)) && !Collections.disjoint(kinds(c), missingKinds));
        assertEquals(needing, r.skipped(), () -> String.join("\n", r.skippedReasons()));
        for (String reason : r.skippedReasons()) {
            assertTrue(missingKinds.stream().anyMatch(k -> reason.contains("socket kind " + k)), reason);
        }
        assertEquals(count(file, names::contains) - needing, r.passed());
        return r;
    }

    /**
     * Replays every case of {@code file}: those of the types {@code providers} serve (and of
     * UNSPEC and unknown type numbers) must pass, the others are skipped, not failed.
     */
    public static Report replayAll(String file, MapProvider... providers) throws IOException {
        Set<String> served = Arrays.stream(providers)
                .flatMap(p -> p.types().stream()).map(t -> t.type().name()).collect(Collectors.toSet());
        Report r = run(file, file, null, providers);
        long replayed = count(file, t -> served.contains(t) || ALWAYS_REPLAYED.contains(t));
        assertEquals(replayed, r.passed());
        assertEquals(count(file, t -> true) - replayed, r.skipped());
        return r;
    }

    private static Report run(String file, String label, Set<MapType> types, MapProvider... providers)
            throws IOException {
        ProviderHost host = Standalone.create();
        for (MapProvider p : providers) {
            host.addProvider(p);
        }
        Report r = new ConformanceRunner(host).run(Corpus.read(CORPUS.resolve(file)), types);
        System.out.println(label + ": " + r.summary());
        r.failures().forEach(System.out::println);
        assertEquals(0, r.failed(), () -> String.join("\n", r.failures()));
        return r;
    }

    /** The cases of {@code file} whose map type name passes {@code type}, read from the raw JSON. */
    private static long count(String file, Predicate<String> type) throws IOException {
        return countCases(file, c -> type.test(type(c)));
    }

    /** The cases of {@code file} that pass {@code test}, read from the raw JSON. */
    private static long countCases(String file, Predicate<Map<?, ?>> test) throws IOException {
        Map<String, Object> raw = JSON.std.mapFrom(Files.readAllBytes(CORPUS.resolve(file)));
        List<?> cases = (List<?>) raw.get("cases");
        return cases.stream().map(c -> (Map<?, ?>) c).filter(test).count();
    }

    private static String type(Map<?, ?> rawCase) {
        return (String) ((Map<?, ?>) rawCase.get("map")).get("type");
    }

    /** The kinds of a raw case's sock_new ops. */
    private static Set<Object> kinds(Map<?, ?> rawCase) {
        List<?> ops = rawCase.get("ops") instanceof List<?> l ? l : List.of();
        return ops.stream().map(o -> (Map<?, ?>) o).filter(o -> "sock_new".equals(o.get("op")))
                .map(o -> o.get("kind")).collect(Collectors.toSet());
    }
}
