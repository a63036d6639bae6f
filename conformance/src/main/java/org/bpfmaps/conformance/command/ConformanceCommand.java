package org.bpfmaps.conformance.command;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bpfmaps.conformance.ConformanceRunner;
import org.bpfmaps.conformance.Corpus;
import org.bpfmaps.conformance.Report;
import org.bpfmaps.core.api.BpfRuntime;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapType;

/**
 * {@code conformance FILE [TYPE...]}: replays a corpus recorded against a real kernel, each case
 * in an isolated instance of the runtime (so never touching the user's maps), only the given map
 * types when any are named. Prints each failing case, then {@code N passed, M failed, K skipped}.
 * Exits 1 when a case failed, 255 when the file cannot be read or a type is unknown.
 */
final class ConformanceCommand {
    private final BpfRuntime runtime;

    ConformanceCommand(BpfRuntime runtime) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
    }

    /** The exit code of a run stopped by Ctrl-C, as a shell gives a command killed by SIGINT. */
    static final int INTERRUPTED = 130;

    int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            err.print("Error: no corpus file given\n  usage: conformance FILE [TYPE...]\n");
            return 255;
        }
        Set<MapType> types = EnumSet.noneOf(MapType.class);
        for (String name : args.subList(1, args.size())) {
            // bpftool's names (percpu_array) or the enum's (PERCPU_ARRAY), as the corpus spells them
            MapType t = MapType.byName(name);
            if (t == null) {
                err.print("Error: unrecognized map type: " + name + "\n");
                return 255;
            }
            types.add(t);
        }
        String file = args.get(0);
        Corpus corpus;
        try {
            corpus = Corpus.read(Path.of(file));
        } catch (IOException | IllegalArgumentException e) { // InvalidPathException too
            if (Thread.currentThread().isInterrupted()) {
                // Ctrl-C while the file was read (an interruptible channel closed): nothing replayed
                return report(new Report(0, 0, 0, List.of(), List.of()), out, err);
            }
            err.print("Error: can't read corpus (" + file + "): " + why(e) + "\n");
            return 255;
        }
        return report(new ConformanceRunner(runtime).run(corpus, types), out, err);
    }

    private static String why(Exception e) {
        if (e instanceof NoSuchFileException) {
            return Errno.ENOENT.text();
        }
        if (e instanceof AccessDeniedException) {
            return Errno.EACCES.text();
        }
        // the parser's message may go on with its source position on further lines
        return String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    }

    /**
     * Prints the failures and the counts, and gives the exit code. After Ctrl-C (the runner
     * stopped between cases, the thread still interrupted) the interrupt is cleared while they are
     * printed and set again after: Gogo hands a command streams over NIO channels, which the first
     * write of an interrupted thread closes, and the counts were lost.
     */
    private static int report(Report r, PrintStream out, PrintStream err) {
        boolean interrupted = Thread.interrupted();
        try {
            for (String failure : r.failures()) {
                out.print(failure + "\n");
            }
            out.print(r.summary() + "\n");
            out.flush();
            if (interrupted) {
                err.print("Error: interrupted: the counts above cover the cases replayed before Ctrl-C\n");
                err.flush();
                return INTERRUPTED;
            }
            return r.failed() > 0 ? 1 : 0;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
