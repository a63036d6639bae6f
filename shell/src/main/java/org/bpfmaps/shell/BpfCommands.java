package org.bpfmaps.shell;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfRuntime;
import org.bpfmaps.core.api.ProviderInfo;
import org.bpfmaps.core.spi.KeyFormat;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The Gogo commands of scope {@code bpf}: {@code map}, {@code batch}, {@code bpftool} (a whole
 * bpftool command line), {@code bpf} (one raw syscall) and {@code providers}. ({@code conformance}
 * is the conformance bundle's own, documented for {@code help} by its service properties.)
 * A thin adapter: the commands are plain classes ({@link MapCommand}, ...), run here with
 * {@code System.out} and {@code System.err}, which Gogo points at the session's streams while a
 * command runs.
 *
 * <p>Gogo knows no exit codes, so every command leaves its own in the session variable
 * {@value #EXIT} (an Integer, 0 on success) for whoever runs the lines, such as a script launcher.
 * Nothing escapes as an exception: a Java stack trace would reach the user.
 */
@Component(service = BpfCommands.class, property = {
    "osgi.command.scope=bpf",
    "osgi.command.function=map",
    "osgi.command.function=batch",
    "osgi.command.function=bpftool",
    "osgi.command.function=bpf",
    "osgi.command.function=providers"})
public final class BpfCommands {
    /** The session variable holding the exit code of the last bpf command. */
    public static final String EXIT = "bpf.exit";

    private final Bpf bpf;
    private final BpfRuntime runtime;
    /** The key formats map bundles register (CIDR for LPM tries); they come and go with them. */
    @Reference(service = KeyFormat.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    private volatile List<KeyFormat> keyFormats = List.of();
    private final Function<ProviderInfo, String> bundleState;
    private final Supplier<List<String>> deployProblems;

    /**
     * The launcher's record of deploy-folder jars that serve nothing: service properties of a
     * plain registration, so that no API is needed between the launcher and this bundle.
     */
    static final String DEPLOY_DIR = "bpfmaps.deploy.dir";
    static final String DEPLOY_PROBLEMS = "bpfmaps.deploy.problems";

    @Activate
    public BpfCommands(@Reference(name = "bpf") Bpf bpf, @Reference(name = "runtime") BpfRuntime runtime,
            BundleContext context) {
        this(bpf, runtime, p -> bundleState(context, p), () -> deployProblems(context));
    }

    BpfCommands(Bpf bpf, BpfRuntime runtime, Function<ProviderInfo, String> bundleState) {
        this(bpf, runtime, bundleState, List::of);
    }

    BpfCommands(Bpf bpf, BpfRuntime runtime, Function<ProviderInfo, String> bundleState,
            Supplier<List<String>> deployProblems) {
        this.bpf = bpf;
        this.runtime = runtime;
        this.bundleState = bundleState;
        this.deployProblems = deployProblems;
    }

    /** {@code map ...}: bpftool's map commands on the framework's default instance. */
    @Descriptor("bpftool's map commands on the default instance (map help: bpftool's usage; map --help: ours)")
    public void map(CommandSession session, String... args) {
        run(session, args, "map", (out, err) -> new MapCommand(bpf, keyFormats).run(words(args), out, err));
    }

    /** {@code batch file FILE}: bpftool's batch mode, the commands of a file one a line. */
    @Descriptor("bpftool's batch mode: batch file FILE")
    public void batch(CommandSession session, String... args) {
        List<String> words = new ArrayList<>(List.of("batch"));
        words.addAll(words(args));
        run(session, args, "batch", (out, err) -> new Bpftool(bpf).run(words, out, err));
    }

    /** {@code bpftool WORDS...}: a whole bpftool command line ({@code bpftool -j map show}). */
    @Descriptor("A whole bpftool command line")
    public void bpftool(CommandSession session, String... args) {
        run(session, args, "bpftool", (out, err) -> new Bpftool(bpf).run(words(args), out, err));
    }

    /** {@code bpf CMD FIELD=VALUE...}: one raw bpf(2) call, its result and errno. */
    @Descriptor("One raw bpf(2) call: bpf CMD field=value ...")
    public void bpf(CommandSession session, String... args) {
        run(session, args, "bpf", (out, err) -> new RawCommand(bpf).run(words(args), out, err));
    }

    /** {@code providers}: the installed map providers, their bundles and their maps. */
    @Descriptor("The installed map providers and their maps")
    public void providers(CommandSession session, String... args) {
        run(session, args, "providers", (out, err) -> new ProvidersCommand(runtime, bundleState, deployProblems).run(words(args), out, err));
    }

    /** A command's body, on the streams Gogo gives it; its exit code. */
    interface Command {
        int run(PrintStream out, PrintStream err);
    }

    private void run(CommandSession session, String[] args, String name, Command command) {
        run(session, args, () -> Docs.of(name, runtime.mapTypes()), command);
    }

    /**
     * Runs a command of scope bpf as every one of the shell's runs: {@code COMMAND --help} alone
     * prints {@code usage}, anything thrown becomes one Error line (exit code 255), and the exit
     * code goes into {@value #EXIT}.
     */
    static void run(CommandSession session, String[] args, Supplier<CommandDoc> usage, Command command) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        int code = 255;
        try {
            // COMMAND --help, alone: the usage in Karaf's layout (HelpCommand, Docs)
            code = args != null && args.length == 1 && "--help".equals(args[0])
                    ? help(usage.get(), out) : command.run(out, err);
        } catch (Throwable t) { // the last guard: one Error line, never a stack trace
            err.print("Error: internal error: " + t + "\n");
            err.flush();
        } finally {
            session.put(EXIT, code);
        }
    }

    private static int help(CommandDoc doc, PrintStream out) {
        out.print(doc.render());
        out.flush();
        return 0;
    }

    /** Gogo passes an unset variable as null; a shell would pass an empty word. */
    static List<String> words(String[] args) {
        List<String> words = new ArrayList<>(args == null ? 0 : args.length);
        if (args != null) {
            for (String a : args) {
                words.add(a == null ? "" : a);
            }
        }
        return words;
    }

    /** The deploy folder's problems, from whoever watches the folder (none outside bpfmaps.jar). */
    private static List<String> deployProblems(BundleContext context) {
        List<String> out = new ArrayList<>();
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(null, "(" + DEPLOY_DIR + "=*)");
            for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
                if (ref.getProperty(DEPLOY_PROBLEMS) instanceof String[] lines) {
                    out.addAll(List.of(lines));
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e); // a constant filter
        }
        return out;
    }

    /** The state of the bundle a provider came from, found by symbolic name and version. */
    private static String bundleState(BundleContext context, ProviderInfo p) {
        for (Bundle b : context.getBundles()) {
            if (p.origin().equals(b.getSymbolicName()) && p.version().equals(b.getVersion().toString())) {
                return switch (b.getState()) {
                    case Bundle.ACTIVE -> "ACTIVE";
                    case Bundle.STARTING -> "STARTING";
                    case Bundle.STOPPING -> "STOPPING";
                    case Bundle.RESOLVED -> "RESOLVED";
                    case Bundle.INSTALLED -> "INSTALLED";
                    default -> "UNINSTALLED";
                };
            }
        }
        return "unknown";
    }
}
