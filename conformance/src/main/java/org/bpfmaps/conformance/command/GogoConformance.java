package org.bpfmaps.conformance.command;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.bpfmaps.core.api.BpfRuntime;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Gogo command {@code bpf:conformance}, registered by the conformance bundle itself, so that a
 * distribution without this bundle (and its JSON library) has a shell without the command.
 *
 * <p>Its usage travels with it as service properties, the {@code bpf.command.*} convention that the
 * shell's {@code help} and Tab completion read from any bundle's command in scope {@code bpf}:
 * <ul>
 * <li>{@code bpf.command.summary}: the line {@code help} lists (its presence makes the command documented);
 * <li>{@code bpf.command.description}, {@code bpf.command.syntax}, {@code bpf.command.examples}: as
 *     {@code help COMMAND} prints them, in Karaf's layout;
 * <li>{@code bpf.command.arguments}, {@code bpf.command.options}: {@code "NAME: text"} each; in a text
 *     {@code {maptypes}} stands for the map types served at the time {@code help} runs;
 * <li>{@code bpf.command.completion}: what Tab offers for each argument in turn: {@code file} (paths),
 *     {@code maptype} (the map types served now) or {@code none}; a kind ending in {@code ...} repeats.
 * </ul>
 *
 * <p>As the shell's commands do, it leaves its exit code in the session variable {@value #EXIT}, and
 * nothing escapes as an exception. {@code conformance --help} is {@code help conformance} when the
 * shell is there, a plain usage line when it is not.
 */
@Component(service = GogoConformance.class, property = {
    "osgi.command.scope=bpf",
    "osgi.command.function=conformance",
    "bpf.command.summary=" + GogoConformance.SUMMARY,
    "bpf.command.description=Replays a corpus recorded against a real kernel (the project's is "
            + "corpus/kernel-6.18.json), each case in an isolated instance that never touches the default "
            + "instance's maps, and prints each failing case, then N passed, M failed, K skipped. Exit code 1 when "
            + "a case failed, 255 when the file cannot be read or a type is unknown, 130 after Ctrl-C.",
    "bpf.command.syntax=" + GogoConformance.SYNTAX,
    "bpf.command.arguments=FILE: The corpus, in the format of corpus/FORMAT.md.",
    "bpf.command.arguments=TYPE: Replay only the cases of these map types (bpftool's names: {maptypes}).",
    "bpf.command.options=--help: Display this help message.",
    "bpf.command.examples=conformance corpus/kernel-6.18.json",
    "bpf.command.examples=conformance corpus/kernel-6.18.json hash lru_hash",
    "bpf.command.completion=file",
    "bpf.command.completion=maptype..."})
public final class GogoConformance {
    /** The session variable in which every command of scope bpf leaves its exit code (an Integer). */
    static final String EXIT = "bpf.exit";
    static final String SUMMARY = "Replays a kernel-recorded corpus in isolated instances and counts what agrees";
    static final String SYNTAX = "conformance FILE [TYPE...]";
    /** The shell's help; {@code conformance --help} prints what it prints for this command. */
    private static final String HELP = "bpf:help";

    private final BpfRuntime runtime;

    @Activate
    public GogoConformance(@Reference(name = "runtime") BpfRuntime runtime) {
        this.runtime = runtime;
    }

    /** {@code conformance FILE [TYPE...]}: replays a kernel-recorded corpus in isolated instances. */
    @Descriptor("Replays a kernel-recorded corpus in isolated instances")
    public void conformance(CommandSession session, String... args) {
        PrintStream out = System.out; // Gogo points them at the session's streams while a command runs
        PrintStream err = System.err;
        int code = 255;
        try {
            code = args != null && args.length == 1 && "--help".equals(args[0])
                    ? help(session, out) : new ConformanceCommand(runtime).run(words(args), out, err);
        } catch (Throwable t) { // the last guard: one Error line, never a stack trace
            err.print("Error: internal error: " + t + "\n");
            err.flush();
        } finally {
            session.put(EXIT, code);
        }
    }

    /** The usage as {@code help conformance} prints it, or without the shell a plain usage line. */
    private static int help(CommandSession session, PrintStream out) throws Exception {
        if (session.get(".commands") instanceof Collection<?> commands && commands.contains(HELP)) {
            session.execute(HELP + " conformance");
            return session.get(EXIT) instanceof Integer code ? code : 0;
        }
        out.print("usage: " + SYNTAX + "\n" + SUMMARY + "\n");
        out.flush();
        return 0;
    }

    /** Gogo passes an unset variable as null; a shell would pass an empty word. */
    private static List<String> words(String[] args) {
        List<String> words = new ArrayList<>(args == null ? 0 : args.length);
        if (args != null) {
            for (String a : args) {
                words.add(a == null ? "" : a);
            }
        }
        return words;
    }
}
