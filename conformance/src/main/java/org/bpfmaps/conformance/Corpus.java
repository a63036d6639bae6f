package org.bpfmaps.conformance;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A corpus file (corpus/FORMAT.md): cases recorded against a real kernel, and the kernel's
 * possible CPU count, which sizes per-CPU values and so must be the replaying instance's too.
 *
 * <p>The whole file is validated when read, so that a malformed corpus fails here with the place
 * of the bad field rather than as a failing case later.
 */
public final class Corpus {
    /** The format this reader understands; a file naming another is refused, not misread. */
    public static final String FORMAT = "bpf-map-oracle/1";

    private final String name;
    private final int possibleCpus;
    private final List<ConformanceCase> cases;

    private Corpus(String name, int possibleCpus, List<ConformanceCase> cases) {
        this.name = name;
        this.possibleCpus = possibleCpus;
        this.cases = List.copyOf(cases);
    }

    /**
     * Reads a corpus file.
     *
     * @throws IOException if it cannot be read or is not JSON
     * @throws IllegalArgumentException if it is JSON but not a corpus, naming the bad field
     */
    public static Corpus read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.getFileName().toString());
        }
    }

    /**
     * Reads a corpus from a stream (not closed), {@code name} standing for the file in messages.
     *
     * @throws IOException if it cannot be read or is not JSON
     * @throws IllegalArgumentException if it is JSON but not a corpus, naming the bad field
     */
    public static Corpus read(InputStream in, String name) throws IOException {
        Object tree;
        try {
            // duplicate keys would silently drop a recorded field, so they make the file malformed
            tree = JSON.std.with(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS).anyFrom(in);
        } catch (IOException e) {
            throw new IOException(name + ": not valid JSON: " + e.getMessage(), e);
        }
        return parse(Json.freeze(tree), name);
    }

    private static Corpus parse(Object tree, String name) {
        Map<String, Object> root = Json.object(tree, name);
        Object format = root.get("format");
        if (format != null && !FORMAT.equals(format)) {
            throw new IllegalArgumentException(name + ": format " + Json.render(format) + " is not " + FORMAT);
        }
        Map<String, Object> kernel = Json.object(root.get("kernel"), name + ": kernel");
        int cpus = (int) Json.integer(kernel.get("possible_cpus"), name + ": kernel.possible_cpus", 1, 4096);
        List<Object> raw = Json.list(root.get("cases"), name + ": cases");
        List<ConformanceCase> cases = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < raw.size(); i++) {
            ConformanceCase c = ConformanceCase.parse(raw.get(i), name + ": case " + i);
            // known differences and failure lines name cases, so a name must pick out one case
            if (!names.add(c.name())) {
                throw new IllegalArgumentException(name + ": case " + i + ": the name '" + c.name()
                        + "' is used by an earlier case");
            }
            cases.add(c);
        }
        return new Corpus(name, cpus, cases);
    }

    /** The file name (or the name given to {@link #read(InputStream, String)}). */
    public String name() {
        return name;
    }

    /** {@code kernel.possible_cpus}: the possible CPU count of the recording kernel. */
    public int possibleCpus() {
        return possibleCpus;
    }

    public List<ConformanceCase> cases() {
        return cases;
    }
}
