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
        } catch (NoSuchFileException e) {
            err.print("Error: can't read corpus (" + file + "): " + Errno.ENOENT.text() + "\n");
            return 255;
        } catch (AccessDeniedException e) {
            err.print("Error: can't read corpus (" + file + "): " + Errno.EACCES.text() + "\n");
            return 255;
        } catch (IOException | IllegalArgumentException e) { // InvalidPathException too
            // the parser's message may go on with its source position on further lines
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            err.print("Error: can't read corpus (" + file + "): " + why + "\n");
            return 255;
        }
        Report r = new ConformanceRunner(runtime).run(corpus, types);
        for (String failure : r.failures()) {
            out.print(failure + "\n");
        }
        out.print(r.summary() + "\n");
        out.flush();
        if (Thread.currentThread().isInterrupted()) {
            err.print("Error: interrupted: the counts above cover the cases replayed before Ctrl-C\n");
            return INTERRUPTED;
        }
        return r.failed() > 0 ? 1 : 0;
    }
}
