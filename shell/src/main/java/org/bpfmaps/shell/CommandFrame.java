package org.bpfmaps.shell;

import java.io.PrintStream;
import java.util.List;

/**
 * The frame the shell's own command families ({@code sock}, {@code prog}, {@code dev},
 * {@code xsk}, {@code net}, {@code link}) run in, as bpftool's {@code main} and {@code cmd_select} frame each of its objects:
 * options anywhere on the line ({@code -j}, {@code -p}, {@code -h}), the usage for words that do not
 * fit ({@link Usage}), one {@code Error:} line for an unknown option or for a bug, never a stack
 * trace, and the exit code as a byte (a failed body returns a negative number: 255).
 */
final class CommandFrame {
    private CommandFrame() {
    }

    /** The body of a command once its options are read: the words left in, its exit code out (negative: failed). */
    interface Body {
        int run(Output out, List<String> words);
    }

    static int run(List<String> words, PrintStream stdout, PrintStream stderr, String usage, Body body) {
        Output out = new Output(stdout, stderr);
        int ret;
        try {
            Options o = Options.parse(words);
            if (o.json) {
                out.jsonMode(o.pretty);
            }
            if (o.help) {
                ret = help(out, usage);
            } else if (o.bad != null) {
                out.error("unrecognized option '" + o.bad + "'", o.badDetail);
                ret = -1;
            } else {
                ret = body.run(out, o.words);
            }
        } catch (Usage u) {
            help(out, usage);
            ret = -1;
        } catch (RuntimeException e) {
            out.error("internal error: " + e, null); // a bug: one Error line, never a stack trace
            ret = -1;
        }
        out.finish();
        return ret & 0xff;
    }

    /**
     * Which subcommand the first word names, as bpftool's {@code cmd_select}: the first of
     * {@code names} it abbreviates, in their order, or the first name when there is no word.
     *
     * @return its index in {@code names}
     * @throws Usage when the word names none
     */
    static int choose(List<String> names, List<String> words) {
        if (words.isEmpty()) {
            return 0;
        }
        for (int i = 0; i < names.size(); i++) {
            if (Args.isPrefix(words.get(0), names.get(i))) {
                return i;
            }
        }
        throw new Usage();
    }

    /** The usage on standard error, {@code null} in JSON mode, as bpftool's {@code do_help}. */
    static int help(Output out, String usage) {
        if (out.isJson()) {
            out.json().nul();
        } else {
            out.err.print(usage);
        }
        return 0;
    }
}
