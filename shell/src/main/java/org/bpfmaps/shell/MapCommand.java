package org.bpfmaps.shell;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.spi.KeyFormat;

/**
 * {@code bpftool map ...} over a {@link Bpf} dispatcher: the words after {@code map}, bpftool's
 * output on the two streams, and bpftool's exit code. Plain Java, so that it runs (and is tested)
 * without a framework; the Gogo command is a thin adapter around it.
 *
 * <p>A subcommand is the first in bpftool's own order that the word abbreviates ({@code d} is
 * dump, {@code p} is pin), so the table below keeps that order. Every fd a command opens is closed
 * before it returns, whatever happened.
 */
public final class MapCommand {
    /** A subcommand: what it does with the words after its name, returning bpftool's result. */
    private interface Sub {
        int run(Run run, Args a);
    }

    private record Entry(String name, Sub sub) {
    }

    /** bpftool's {@code cmds[]}, in its order: the order decides what an abbreviation means. */
    private static final List<Entry> COMMANDS = List.of(
            new Entry("show", (r, a) -> new ShowCommand(r).execute(a)),
            new Entry("list", (r, a) -> new ShowCommand(r).execute(a)),
            new Entry("help", (r, a) -> help(r)),
            new Entry("dump", (r, a) -> new DumpCommand(r).execute(a)),
            new Entry("update", (r, a) -> new ElemCommands(r).update(a)),
            new Entry("lookup", (r, a) -> new ElemCommands(r).lookup(a)),
            new Entry("getnext", (r, a) -> new ElemCommands(r).getNext(a)),
            new Entry("delete", (r, a) -> new ElemCommands(r).delete(a)),
            new Entry("pin", (r, a) -> new ObjCommands(r).pin(a)),
            new Entry("event_pipe", (r, a) -> new ObjCommands(r).eventPipe(a)),
            new Entry("create", (r, a) -> new CreateCommand(r, new ObjCommands(r)).execute(a)),
            new Entry("peek", (r, a) -> new ElemCommands(r).lookup(a)),
            new Entry("push", (r, a) -> new ElemCommands(r).update(a)),
            new Entry("enqueue", (r, a) -> new ElemCommands(r).update(a)),
            new Entry("pop", (r, a) -> new ElemCommands(r).pop(a)),
            new Entry("dequeue", (r, a) -> new ElemCommands(r).pop(a)),
            new Entry("freeze", (r, a) -> new ObjCommands(r).freeze(a)));

    private final Bpf bpf;
    private final KeyWords keyWords;

    /** The subcommands in the order abbreviations resolve in (for help and completion: {@link MapGrammar}). */
    static List<String> commandNames() {
        return COMMANDS.stream().map(Entry::name).toList();
    }

    public MapCommand(Bpf bpf) {
        this(bpf, List.of());
    }

    /** With the key formats of the installed map bundles (CIDR keys for LPM tries). */
    public MapCommand(Bpf bpf, List<KeyFormat> keyFormats) {
        this.bpf = Objects.requireNonNull(bpf, "bpf");
        this.keyWords = new KeyWords(keyFormats, false);
    }

    /**
     * Runs one command, as {@code bpftool map ...} with these words.
     *
     * @param args the words after {@code map}, options anywhere among them
     * @return bpftool's exit code: 0, the negated errno of a failed call as a byte (ENOENT 254,
     *     EEXIST 239, ...), or 255
     */
    public int run(List<String> args, PrintStream stdout, PrintStream stderr) {
        List<String> words = new ArrayList<>(args.size() + 1);
        words.add("map");
        words.addAll(args);
        return new Bpftool(bpf, keyWords).run(words, stdout, stderr);
    }

    /**
     * {@code do_map}: the subcommand the first word abbreviates, run on the words after it. Bare
     * {@code map} is {@code map show}; a word that abbreviates no subcommand shows the usage.
     */
    static int select(Run run, String object, List<String> words) {
        run.object = object;
        Entry command = words.isEmpty() ? COMMANDS.get(0) : null;
        for (int i = 0; command == null && i < COMMANDS.size(); i++) {
            if (Args.isPrefix(words.get(0), COMMANDS.get(i).name)) {
                command = COMMANDS.get(i);
            }
        }
        if (command == null) {
            help(run);
            return -1;
        }
        try {
            return command.sub.run(run, new Args(words, words.isEmpty() ? 0 : 1));
        } catch (Usage u) {
            help(run);
            return -1;
        }
    }

    /**
     * {@code do_help}: the usage on standard error, or {@code null} in JSON mode. bpftool names
     * the object as it was typed ({@code argv[-2]}: "bpftool m dump MAP" after {@code m}).
     */
    static int help(Run run) {
        if (run.out.isJson()) {
            run.out.json().nul();
        } else {
            run.out.err.print(HelpText.map(run.object));
        }
        return 0;
    }
}
