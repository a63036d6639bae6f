package org.bpfmaps.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfRuntime;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.sock.SocketFactories;

/**
 * Replays a {@link Corpus} against the dispatcher and reports which cases behave as the recording
 * kernel did.
 *
 * <p>Every case runs in a fresh instance of the runtime, with the corpus's possible CPU count, and
 * that instance is closed afterwards: cases never see each other's maps (ids, fds and full maps
 * would otherwise leak from one into the next), and the runtime's default instance, which holds
 * a user's maps, is never touched.
 *
 * <p>{@link #run} never throws for what a case does: an exception from the dispatcher or a
 * provider fails that case with the exception's text, since those are exactly the bugs the runner
 * is there to find. Not thread-safe; use one runner per thread.
 */
public final class ConformanceRunner {
    private final BpfRuntime runtime;
    private Map<String, String> knownDifferences = Map.of();

    public ConformanceRunner(BpfRuntime runtime) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
    }

    /**
     * Cases where this project knowingly differs from the kernel, by case name, with the reason.
     * They still count as failed (a difference is a difference), but their failure line says
     * {@code known difference: <reason>}, so that a new failure stands out. Replaces any earlier map.
     */
    public ConformanceRunner knownDifferences(Map<String, String> caseNameToReason) {
        this.knownDifferences = Map.copyOf(caseNameToReason);
        return this;
    }

    /**
     * Replays the cases of a corpus.
     *
     * Stops between two cases when the calling thread is interrupted (the report then covers the
     * cases replayed so far; the interrupt flag stays set). A case that fails while the thread is
     * interrupted is left out of the counts: the interrupt may be what broke it.
     *
     * @param only the map types to replay; null or empty for all. Cases of other types, and of
     *     type numbers Linux does not define (they have no MapType), are then left out of every
     *     count.
     */
    public Report run(Corpus corpus, Set<MapType> only) {
        BpfSettings settings = BpfSettings.defaults().withPossibleCpus(corpus.possibleCpus());
        boolean all = only == null || only.isEmpty();
        int passed = 0;
        List<String> failures = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (ConformanceCase c : corpus.cases()) {
            if (Thread.currentThread().isInterrupted()) {
                // Ctrl-C in the shell: stop between cases, the counts cover the cases replayed,
                // and the flag stays set for the caller to see
                break;
            }
            MapType type = c.map().mapType();
            // a type number Linux does not define has no MapType, so no filter can name it
            if (!all && (type == null || !only.contains(type))) {
                continue;
            }
            String skip;
            String failure;
            try {
                skip = skipReason(c);
                failure = skip == null ? replay(c, settings) : null;
            } catch (Throwable t) { // e.g. the runtime's mapTypes() failing: that case fails, the run goes on
                skip = null;
                failure = Mismatch.exception(-1, "runtime", t).line(c.name());
            }
            if (failure != null && Thread.currentThread().isInterrupted()) {
                // Ctrl-C during this case: what failed may be the interrupt itself (a socket's
                // channel closes when its user is interrupted), so it is not counted, and the run
                // stops here
                break;
            }
            if (skip != null) {
                skipped.add("SKIP " + c.name() + ": " + skip);
            } else if (failure == null) {
                passed++;
            } else {
                String known = knownDifferences.get(c.name());
                failures.add(known == null ? failure : failure + " [known difference: " + known + "]");
            }
        }
        return new Report(passed, failures.size(), skipped.size(), failures, skipped);
    }

    /**
     * Why a case cannot be replayed here, or null when it can. Three reasons: a Linux map
     * type that no installed provider serves (a kernel without it would answer EINVAL, which says
     * nothing about this project), and a {@code sock_new} kind that no installed part makes (the
     * socket-kind extension point, {@link SocketFactories#kinds()}: the core makes the java.nio
     * kinds, a bundle such as sock.native adds others). UNSPEC and unknown type numbers are always
     * replayed: answering them EINVAL is the dispatcher's job. Third, a program op this runner
     * cannot replay faithfully ({@link ProgReplay#skipReason}).
     */
    String skipReason(ConformanceCase c) {
        MapSpec m = c.map();
        if (m.isKnownType() && !runtime.mapTypes().contains(m.mapType())) {
            return "map type " + m.mapType().name() + " has no installed provider";
        }
        Set<String> missing = new TreeSet<>(c.socketKinds());
        if (!missing.isEmpty()) {
            missing.removeAll(SocketFactories.kinds());
        }
        if (!missing.isEmpty()) {
            return "socket kind " + String.join(", ", missing) + " (sock_new): no installed part makes "
                    + (missing.size() == 1 ? "it" : "them");
        }
        return ProgReplay.skipReason(c);
    }

    /** Runs one case in its own instance; the failure line, or null when it passed. */
    private String replay(ConformanceCase c, BpfSettings settings) {
        Mismatch m;
        try (BpfInstance instance = runtime.newInstance(settings)) {
            m = new CaseReplay(instance, c, settings.possibleCpus()).run();
        } catch (Throwable t) { // making or closing the instance failed: a bug, reported as such
            m = Mismatch.exception(-1, "instance", t);
        }
        return m == null ? null : m.line(c.name());
    }
}
