package org.bpfmaps.shell;

import java.io.PrintStream;
import java.util.List;
import java.util.Objects;
import org.bpfmaps.core.api.Bpf;

/**
 * One bpftool process over a {@link Bpf} dispatcher: bpftool's {@code main} (its options, read
 * anywhere among the words) and its top-level {@code cmd_select} ({@code help}, {@code batch},
 * {@code map}, {@code version}), with bpftool's output on the two streams and its exit code. Plain
 * Java, so that it runs (and is tested) without a framework.
 *
 * <p>One process shares one output (one JSON document, even for a batch of commands) and one set
 * of fds, all closed before {@link #run} returns, whatever happened.
 */
public final class Bpftool {
    /** An object word of bpftool's {@code cmds[]}; a null run is an object this shell does not serve. */
    private interface Obj {
        int run(Run run, String typed, List<String> words);
    }

    private record Entry(String name, Obj obj) {
    }

    /** bpftool's top-level {@code cmds[]}, in its order: the order decides what an abbreviation means. */
    private static final List<Entry> OBJECTS = List.of(
            new Entry("help", (r, t, w) -> help(r.out)),
            new Entry("batch", (r, t, w) -> new Batch(r).execute(new Args(w, 0))),
            new Entry("prog", null),
            new Entry("map", MapCommand::select),
            new Entry("link", (r, t, w) -> new LinkCommand(r.lib.bpf()).inBpftool(r, w)),
            new Entry("cgroup", null),
            new Entry("perf", null),
            new Entry("net", (r, t, w) -> new NetCommand(r.lib.bpf()).inBpftool(r, w)),
            new Entry("feature", null),
            new Entry("btf", null),
            new Entry("gen", null),
            new Entry("struct_ops", null),
            new Entry("iter", null),
            new Entry("version", (r, t, w) -> version(r)));

    private final Bpf bpf;
    private final KeyWords keyWords;

    public Bpftool(Bpf bpf) {
        this(bpf, KeyWords.NONE);
    }

    /** With the key words of the installed map bundles (CIDR keys for LPM tries). */
    Bpftool(Bpf bpf, KeyWords keyWords) {
        this.bpf = Objects.requireNonNull(bpf, "bpf");
        this.keyWords = Objects.requireNonNull(keyWords, "keyWords");
    }

    /**
     * Runs one command line, as {@code bpftool WORDS...}.
     *
     * @return bpftool's exit code: 0, the negated errno of a failed call as a byte (ENOENT 254,
     *     EEXIST 239, ...), or 255
     */
    public int run(List<String> words, PrintStream stdout, PrintStream stderr) {
        Output out = new Output(stdout, stderr);
        int ret;
        try (Libbpf lib = new Libbpf(bpf)) {
            ret = main(words, out, lib, keyWords);
        } catch (RuntimeException e) {
            // a bug here or in a provider: one Error line, never a stack trace
            out.error("internal error: " + e, null);
            ret = -1;
        }
        out.finish();
        return ret & 0xff;
    }

    private static int main(List<String> words, Output out, Libbpf lib, KeyWords keyWords) {
        Options o = Options.parse(words);
        if (o.json) {
            out.jsonMode(o.pretty);
        }
        if (o.help) {
            // do_help returned from main: no jsonw_destroy, so no newline after "null"
            help(out);
            out.withoutNewline();
            return 0;
        }
        if (o.bad != null) {
            out.error("unrecognized option '" + o.bad + "'", o.badDetail);
            if (!out.isJson()) {
                out.err.print(HelpText.MAIN);
            }
            return -1;
        }
        Run run = new Run(out, lib, keyWords.shown(o.cidr));
        run.showPinned = o.showPinned;
        run.legacy = o.legacy;
        if (o.version) {
            version(run);
            out.withoutNewline();
            return 0;
        }
        return select(run, o.words);
    }

    /**
     * bpftool's {@code cmd_select} over its objects: the first whose name the first word
     * abbreviates runs the words after it; no word is {@code help}; a word that fits none shows
     * the usage and fails. Batch lines come here too, without option parsing, as in bpftool.
     */
    static int select(Run run, List<String> words) {
        if (words.isEmpty()) {
            return help(run.out);
        }
        for (Entry e : OBJECTS) {
            if (Args.isPrefix(words.get(0), e.name)) {
                if (e.obj == null) {
                    run.out.error("'" + e.name + "' commands are not served by this shell",
                            "it serves bpftool's map, net, link, batch, help and version");
                    return -1;
                }
                return e.obj.run(run, words.get(0), words.subList(1, words.size()));
            }
        }
        help(run.out);
        return -1;
    }

    /** The top-level {@code do_help}: the usage on standard error, or {@code null} in JSON mode. */
    static int help(Output out) {
        if (out.isJson()) {
            out.json().nul();
        } else {
            out.err.print(HelpText.MAIN);
        }
        return 0;
    }

    /** {@code do_version}, as Debian's bpftool 7.1 answers: libbpf 1.1, no libbfd, no skeletons. */
    static int version(Run run) {
        if (run.out.isJson()) {
            JsonWriter j = run.out.json();
            j.startObject();
            j.name("version");
            j.raw("\"7.1.0\"");
            j.name("libbpf_version");
            j.raw("\"1.1\"");
            j.name("features");
            j.startObject();
            j.name("libbfd");
            j.raw("false");
            j.name("libbpf_strict");
            j.raw(run.legacy ? "false" : "true");
            j.name("skeletons");
            j.raw("false");
            j.endObject();
            j.endObject();
        } else {
            run.out.print("bpftool v7.1.0\nusing libbpf v1.1\nfeatures:" + (run.legacy ? "" : " libbpf_strict") + "\n");
        }
        return 0;
    }
}
