package org.bpfmaps.shell;

import java.io.PrintStream;
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
            new Entry("help", (r, a) -> help(r.out)),
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

    public MapCommand(Bpf bpf) {
        this(bpf, List.of());
    }

    /** With the key formats of the installed map bundles (CIDR keys for LPM tries). */
    public MapCommand(Bpf bpf, List<KeyFormat> keyFormats) {
        this.bpf = Objects.requireNonNull(bpf, "bpf");
        this.keyWords = new KeyWords(keyFormats, false);
    }

    /**
     * Runs one command.
     *
     * @param args the words after {@code map}, options anywhere among them
     * @return bpftool's exit code: 0, the negated errno of a failed call as a byte (ENOENT 254,
     *     EEXIST 239, ...), or 255
     */
    public int run(List<String> args, PrintStream stdout, PrintStream stderr) {
        Output out = new Output(stdout, stderr);
        int ret;
        try (Libbpf lib = new Libbpf(bpf)) {
            ret = execute(args, out, lib, keyWords);
        } catch (RuntimeException e) {
            // a bug here or in a provider: one Error line, never a stack trace
            out.error("internal error: " + e, null);
            ret = -1;
        }
        out.finish();
        return ret & 0xff;
    }

    private static int execute(List<String> args, Output out, Libbpf lib, KeyWords keyWords) {
        Options o = Options.parse(args);
        if (o.json) {
            out.jsonMode(o.pretty);
        }
        if (o.bad != null) {
            out.error("unrecognized option '" + o.bad + "'", o.badDetail);
            if (!out.isJson()) {
                out.err.print(HelpText.MAIN);
            }
            return -1;
        }
        List<String> words = o.words;
        Entry command = words.isEmpty() ? COMMANDS.get(0) : null; // bare "map" is "map show"
        for (int i = 0; command == null && i < COMMANDS.size(); i++) {
            if (Args.isPrefix(words.get(0), COMMANDS.get(i).name)) {
                command = COMMANDS.get(i);
            }
        }
        if (command == null) {
            help(out);
            return -1;
        }
        try {
            return command.sub.run(new Run(out, lib, keyWords.shown(o.cidr)), new Args(words, words.isEmpty() ? 0 : 1));
        } catch (Usage u) {
            help(out);
            return -1;
        }
    }

    /** {@code do_help}: the usage on standard error, or {@code null} in JSON mode. */
    private static int help(Output out) {
        if (out.isJson()) {
            out.json().nul();
        } else {
            out.err.print(HelpText.MAP);
        }
        return 0;
    }
}
