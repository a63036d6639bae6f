package org.bpfmaps.conformance;

import java.util.List;

/**
 * The outcome of one run.
 *
 * @param failures one line per failing case: {@code FAIL <case>: op <i> (<op>) <field>: expected <x>, got <y>}
 * @param skippedReasons one line per skipped case: {@code SKIP <case>: <why>}
 */
public record Report(int passed, int failed, int skipped, List<String> failures, List<String> skippedReasons) {

    public Report {
        failures = List.copyOf(failures);
        skippedReasons = List.copyOf(skippedReasons);
    }

    /** {@code N passed, M failed, K skipped}: the line test tooling reads. */
    public String summary() {
        return passed + " passed, " + failed + " failed, " + skipped + " skipped";
    }
}
