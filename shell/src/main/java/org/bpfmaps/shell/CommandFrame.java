package org.bpfmaps.shell;

import java.io.PrintStream;
import java.util.List;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.ObjAttr;

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

    /**
     * {@code bpftool OBJECT WORDS...} (the {@code bpftool} command and batch files): the body in
     * bpftool's process, its options read already; words that do not fit print bpftool's usage.
     */
    static int select(Output out, List<String> words, String bpftoolUsage, Body body) {
        try {
            return body.run(out, words);
        } catch (Usage u) {
            help(out, bpftoolUsage);
            return -1;
        }
    }

    /** A command's usage as bpftool prints it: each line's {@code OBJECT ...} becomes {@code bpftool OBJECT ...}. */
    static String bpftoolUsage(String usage, String object) {
        return usage.replaceAll("(?m)^(Usage: |       )" + object + " ", "$1bpftool " + object + " ");
    }

    /** The words after the subcommand's (all of them when there is none), as {@code cmd_select} passes them on. */
    static Args afterCommand(List<String> words) {
        return new Args(words, words.isEmpty() ? 0 : 1);
    }

    /**
     * {@code do_pin_fd}: pins {@code fd} at {@code path} and closes it; 0 ({@code null} in JSON mode),
     * or the negated errno after bpftool's Error line.
     */
    static int pin(Bpf bpf, Output out, int fd, String path) {
        ObjAttr p = new ObjAttr(path, fd);
        int ret = bpf.bpf(BpfCmd.OBJ_PIN, p);
        bpf.close(fd);
        if (ret < 0) {
            out.error("can't pin the object (" + path + "): " + Libbpf.strerror(ret), p.errorMessage());
            return ret;
        }
        if (out.isJson()) {
            out.json().nul();
        }
        return 0;
    }

    /** {@code open_obj_pinned}: an fd on the object pinned at {@code path}, or the negated errno after bpftool's Error line. */
    static int objGet(Bpf bpf, Output out, String path) {
        ObjAttr g = new ObjAttr(path, 0);
        int fd = bpf.bpf(BpfCmd.OBJ_GET, g);
        if (fd < 0) {
            out.error("bpf obj get (" + path + "): " + Libbpf.strerror(fd), g.errorMessage());
        }
        return fd;
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
