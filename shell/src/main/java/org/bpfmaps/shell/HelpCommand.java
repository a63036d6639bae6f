package org.bpfmaps.shell;

import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfRuntime;
import org.bpfmaps.core.api.MapType;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code help} and {@code complete} in scope {@code bpf}: the usage of every command, in Karaf's
 * layout, and the completion that the terminal's Tab calls.
 *
 * <p>Gogo has its own {@code help} (scope {@code felix}); which one a bare {@code help} runs
 * depends on the session's {@code SCOPE}, which bpfmaps.jar sets to {@code bpf:*} so that it is
 * this one. For a command of another scope, this one lists it with its {@code @Descriptor} and
 * hands {@code help NAME} to Gogo's. A command of scope {@code bpf} that another bundle registers
 * is listed, explained and completed from its service properties ({@link DocumentedCommand}) while
 * that bundle serves it.
 */
@Component(service = HelpCommand.class, property = {
    "osgi.command.scope=bpf",
    "osgi.command.function=help",
    "osgi.command.function=complete"})
public final class HelpCommand {
    private final BpfRuntime runtime;
    private final Completion completion;
    private final BundleContext context;
    /** Other bundles' documented commands of scope bpf, as registered now. */
    private final Supplier<List<DocumentedCommand>> documented;
    private final AutoCloseable tracking;

    @Activate
    public HelpCommand(@Reference(name = "bpf") Bpf bpf, @Reference(name = "runtime") BpfRuntime runtime,
            BundleContext context) {
        this(bpf, runtime, context, new DocumentedCommands(context));
    }

    private HelpCommand(Bpf bpf, BpfRuntime runtime, BundleContext context, DocumentedCommands documented) {
        this(bpf, runtime, context, documented, documented);
    }

    /** With the documented commands from elsewhere than the registry (the tests'). */
    HelpCommand(Bpf bpf, BpfRuntime runtime, BundleContext context, Supplier<List<DocumentedCommand>> documented,
            AutoCloseable tracking) {
        this.runtime = runtime;
        this.context = context;
        this.documented = documented;
        this.tracking = tracking;
        this.completion = new Completion(bpf, runtime::mapTypes, documented, runtime::programNames);
    }

    @Deactivate
    void deactivate() throws Exception {
        tracking.close();
    }

    @Descriptor("Lists every command; with a command's name, its usage")
    public void help(CommandSession session, @Descriptor("COMMAND [SUBCOMMAND]") String... args) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        int code = 0;
        try {
            List<String> words = args == null ? List.of() : List.of(args);
            if (words.isEmpty()) {
                out.print(overview(commands(session)));
            } else if (words.size() == 1 && words.get(0).equals("--help")) {
                out.print(Docs.of("help", served()).render());
            } else {
                code = usage(session, words, out, err);
            }
        } finally {
            out.flush();
            err.flush();
            session.put(BpfCommands.EXIT, code);
        }
    }

    private int usage(CommandSession session, List<String> words, PrintStream out, PrintStream err) throws Exception {
        String name = words.get(0);
        String bare = name.startsWith("bpf:") ? name.substring(4) : name;
        CommandDoc doc = null;
        if (bare.equals("map") && words.size() == 2) {
            doc = Docs.mapSub(words.get(1), served());
            if (doc == null) {
                err.print("Error: map has no subcommand '" + words.get(1) + "'; help map lists them\n");
                return 255;
            }
        } else if (words.size() == 1 && (bare.equals(name) || name.startsWith("bpf:"))) {
            doc = Docs.of(bare, served());
            if (doc == null) {
                doc = documented(bare);
            }
        }
        if (doc != null) {
            out.print(doc.render());
            return 0;
        }
        if (words.size() == 1 && isCommand(commands(session), name)) {
            // Gogo's own help, from the command's annotations; it returns its text.
            Object text = session.execute("felix:help " + name);
            if (text != null) {
                String t = text.toString();
                out.print(t.endsWith("\n") ? t : t + "\n");
            }
            return 0;
        }
        err.print("Error: no command '" + String.join(" ", words) + "'; help lists them all\n");
        return 255;
    }

    /**
     * {@code complete LINE [CURSOR]}: the candidates, one a line when typed at the prompt; the
     * terminal calls it as a Gogo function with both arguments. {@code complete --help}: its usage.
     */
    @Descriptor("The words Tab offers at CURSOR (default: the end) in LINE")
    public List<String> complete(CommandSession session, @Descriptor("LINE [CURSOR]") String... args) {
        int code = 0;
        try {
            if (args == null || args.length == 0 || args.length > 2) {
                System.err.print("Error: complete takes LINE and an optional CURSOR\n");
                code = 255;
                return null;
            }
            if (args.length == 1 && args[0].equals("--help")) {
                System.out.print(Docs.of("complete", served()).render());
                return null;
            }
            int cursor = args[0].length();
            if (args.length == 2) {
                try {
                    cursor = Integer.parseInt(args[1]);
                } catch (NumberFormatException e) {
                    System.err.print("Error: CURSOR must be a number, not '" + args[1] + "'\n");
                    code = 255;
                    return null;
                }
            }
            return completion.candidates(args[0], cursor);
        } finally {
            session.put(BpfCommands.EXIT, code);
        }
    }

    /** The usage of another bundle's documented command; null when no such command is registered. */
    private CommandDoc documented(String name) {
        for (DocumentedCommand c : documented.get()) {
            if (c.name().equals(name)) {
                return c.doc(served());
            }
        }
        return null;
    }

    private Collection<MapType> served() {
        return runtime.mapTypes();
    }

    /** Whether Gogo has a command of this name, with or without its scope. */
    private static boolean isCommand(Map<String, String> commands, String name) {
        for (String c : commands.keySet()) {
            if (c.equals(name) || c.endsWith(":" + name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Every command the session knows ({@code scope:function}: Gogo's built-ins too), with the
     * summary of those registered as services (the shell's from {@link Docs}, documented ones of
     * scope bpf from their {@value DocumentedCommand#SUMMARY} property, others' from their
     * {@code @Descriptor}).
     */
    Map<String, String> commands(CommandSession session) {
        Map<String, String> out = new TreeMap<>();
        if (session.get(".commands") instanceof Collection<?> names) {
            for (Object n : names) {
                out.put(String.valueOf(n), "");
            }
        }
        ServiceReference<?>[] refs;
        try {
            refs = context.getAllServiceReferences(null, "(&(osgi.command.scope=*)(osgi.command.function=*))");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        // Gogo keeps the name of a command whose service has gone in .commands (with nothing to
        // run): a bpf command, always a service, is listed only while one serves it.
        out.keySet().removeIf(name -> name.startsWith("bpf:"));
        for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
            String scope = String.valueOf(ref.getProperty("osgi.command.scope"));
            DocumentedCommand doc = scope.equals("bpf") ? DocumentedCommand.of(ref::getProperty) : null;
            Object service = null;
            try {
                for (String fn : DocumentedCommand.strings(ref.getProperty("osgi.command.function"))) {
                    String summary;
                    if (scope.equals("bpf") && Docs.SUMMARIES.containsKey(fn)) {
                        summary = Docs.SUMMARIES.get(fn);
                    } else if (doc != null) {
                        summary = doc.summary();
                    } else {
                        if (service == null) {
                            service = context.getService(ref);
                        }
                        summary = descriptor(service, fn);
                    }
                    out.merge(scope + ":" + fn, summary, (a, b) -> a.isEmpty() ? b : a);
                }
            } finally {
                if (service != null) {
                    context.ungetService(ref);
                }
            }
        }
        return out;
    }

    /** The {@code @Descriptor} of a command's method, as Gogo's help shows it; empty when there is none. */
    private static String descriptor(Object service, String function) {
        if (service == null) {
            return "";
        }
        for (Method m : service.getClass().getMethods()) {
            if (m.getName().equals(function) || m.getName().equalsIgnoreCase("_" + function)) {
                Descriptor d = m.getAnnotation(Descriptor.class);
                if (d != null) {
                    return d.value();
                }
            }
        }
        return "";
    }

    /** The list {@code help} prints: the shell's commands first, then every other scope's. */
    static String overview(Map<String, String> commands) {
        StringBuilder b = new StringBuilder("COMMANDS\n");
        int width = 0;
        for (String name : commands.keySet()) {
            width = Math.max(width, name.length());
        }
        List<String> order = new ArrayList<>();
        commands.keySet().stream().filter(n -> n.startsWith("bpf:")).forEach(order::add);
        commands.keySet().stream().filter(n -> !n.startsWith("bpf:")).forEach(order::add);
        for (String name : order) {
            b.append("        ").append(name);
            String summary = commands.get(name);
            if (!summary.isEmpty()) {
                b.append(" ".repeat(width - name.length() + 3)).append(summary);
            }
            b.append('\n');
        }
        b.append("\nhelp COMMAND (or COMMAND --help) shows a command's usage: help map, help map update.\n")
                .append("map help prints bpftool's own usage of map. Tab completes commands and their arguments.\n")
                .append("A line is words, as in bpftool's batch files ('quotes', # comments); only at the\n")
                .append("interactive prompt is it Gogo script as well (pipes, > redirection, $variables).\n");
        return b.toString();
    }

    /** The names of the shell's own commands of scope bpf, for tests and the summary. */
    static Set<String> bpfCommands() {
        return Docs.SUMMARIES.keySet();
    }
}
