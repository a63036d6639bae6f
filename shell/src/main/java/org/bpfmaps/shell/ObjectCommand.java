package org.bpfmaps.shell;

import java.io.PrintStream;
import java.util.List;
import java.util.Objects;
import org.bpfmaps.core.api.Bpf;

/**
 * A bpftool object the shell runs both as its own command ({@code link ...}, in {@link CommandFrame})
 * and inside the {@code bpftool} command ({@code bpftool link ...}, bpftool's {@code cmd_select}):
 * the same body, only the usage {@code help} prints differs (bpftool's names bpftool).
 */
abstract class ObjectCommand {
    final Bpf bpf;
    /** The object's name, as {@code bpftool OBJECT} names it. */
    private final String object;
    /** The shell's usage of the command. */
    private final String shellUsage;
    /** The usage {@code help} prints: the shell's, or bpftool's in the {@code bpftool} command. */
    private String usage;

    ObjectCommand(Bpf bpf, String usage, String object) {
        this.bpf = Objects.requireNonNull(bpf, "bpf");
        this.shellUsage = usage;
        this.usage = usage;
        this.object = object;
    }

    /** Runs {@code OBJECT WORDS...}; 0, or bpftool's exit code after an {@code Error:} line. */
    public int run(List<String> words, PrintStream stdout, PrintStream stderr) {
        usage = shellUsage;
        return CommandFrame.run(words, stdout, stderr, usage, this::body);
    }

    /**
     * {@code bpftool OBJECT WORDS...} (the {@code bpftool} command and batch files): the same command in
     * bpftool's process, its options read already, the usage naming bpftool.
     */
    final int inBpftool(Run run, List<String> words) {
        usage = CommandFrame.bpftoolUsage(shellUsage, object); // as bpftool OBJECT help prints it
        return CommandFrame.select(run.out, words, usage, this::body);
    }

    /** {@code do_help}: the usage this command prints. */
    final int help(Output out) {
        return CommandFrame.help(out, usage);
    }

    /** The subcommand the words name, run; its exit code (negative: failed). */
    abstract int body(Output out, List<String> words);
}
