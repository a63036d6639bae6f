package org.bpfmaps.shell;

import java.io.PrintStream;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.bpfmaps.core.api.BpfRuntime;
import org.bpfmaps.core.api.DetachedMap;
import org.bpfmaps.core.api.ProviderInfo;

/**
 * {@code providers}: each installed map provider, two lines each in the manner of bpftool's
 * {@code show}:
 *
 * <pre>
 * org.bpfmaps.map.array  version 0.1.0.SNAPSHOT  state ACTIVE
 *         types array percpu_array  maps 2  detached 0
 * </pre>
 *
 * {@code maps} counts the maps it made that are alive in any open instance; {@code detached} those
 * an earlier registration of the same bundle made, which answer ENODEV since it went away. Maps
 * whose provider has gone follow, one line each, with the elements the core keeps for them and,
 * when a returning provider refused one, why:
 *
 * <pre>
 * detached maps (they return with their elements when a provider of their type is installed):
 *         id 7  queue  name jobs  from org.bpfmaps.map.queue  elements 3  bytes 24
 * </pre>
 *
 * Then the jars of the deploy folder that serve nothing, each with why, for as long as the file
 * stays as it is (the launcher that watches the folder says so, see {@code DeployProblems}):
 *
 * <pre>
 * deploy folder problems (each lasts until its jar is fixed or removed):
 *         deploy/x.jar: not a bundle: zip END header not found
 * </pre>
 */
public final class ProvidersCommand {
    private final BpfRuntime runtime;
    private final Function<ProviderInfo, String> state;
    private final Supplier<List<String>> deployProblems;

    /**
     * @param state the state of a provider's bundle ({@code ACTIVE}, ...), which only a framework
     *     knows; outside one, anything that says so
     */
    public ProvidersCommand(BpfRuntime runtime, Function<ProviderInfo, String> state) {
        this(runtime, state, List::of);
    }

    /** @param deployProblems one {@code FILE: REASON} line for each deploy-folder jar that serves nothing */
    public ProvidersCommand(BpfRuntime runtime, Function<ProviderInfo, String> state,
            Supplier<List<String>> deployProblems) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.state = Objects.requireNonNull(state, "state");
        this.deployProblems = Objects.requireNonNull(deployProblems, "deployProblems");
    }

    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (!args.isEmpty()) {
            err.print("Error: what is '" + args.get(0) + "'?\n  providers takes no arguments\n");
            return 255;
        }
        StringBuilder b = new StringBuilder();
        for (ProviderInfo p : runtime.providers()) {
            String types = p.types().stream().sorted()
                    .map(t -> t.bpftoolName()).collect(Collectors.joining(" "));
            b.append(p.origin()).append("  version ").append(p.version())
                    .append("  state ").append(state.apply(p)).append('\n')
                    .append("\ttypes ").append(types)
                    .append("  maps ").append(p.liveMaps())
                    .append("  detached ").append(p.detachedMaps()).append('\n');
        }
        List<DetachedMap> detached = runtime.detachedMaps();
        if (!detached.isEmpty()) {
            b.append("detached maps (they return with their elements when a provider of their type is installed):\n");
            for (DetachedMap d : detached) {
                b.append("\tid ").append(d.id()).append("  ").append(d.type().bpftoolName());
                if (!d.name().isEmpty()) {
                    b.append("  name ").append(d.name());
                }
                b.append("  from ").append(d.origin())
                        .append("  elements ").append(d.elements() < 0 ? "?" : Long.toString(d.elements()))
                        .append("  bytes ").append(d.bytes()).append('\n');
                if (d.reason() != null) {
                    b.append("\t\tstill detached: ").append(d.reason()).append('\n');
                }
            }
        }
        List<String> problems = deployProblems.get();
        if (!problems.isEmpty()) {
            b.append("deploy folder problems (each lasts until its jar is fixed or removed):\n");
            for (String p : problems) {
                b.append('\t').append(p).append('\n');
            }
        }
        out.print(b);
        out.flush();
        return 0;
    }
}
