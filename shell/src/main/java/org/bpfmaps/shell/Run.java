package org.bpfmaps.shell;

/**
 * One run of a map command, as one bpftool process: where it writes, the calls it makes (and the
 * fds they open, all closed when the run ends), and the helpers that share them.
 */
final class Run {
    final Output out;
    final Libbpf lib;
    final MapHandles handles;
    final Entries entries;
    final int possibleCpus;
    /** bpftool's {@code -f}: show lists where each map is pinned. */
    boolean showPinned;
    /** The object word as typed ({@code map}, {@code m}, ...), which the usage repeats. */
    String object = "map";
    /** bpftool's {@code -l}: only {@code version} shows it. */
    boolean legacy;
    final KeyWords keyWords;
    /** How many {@code batch file} commands run inside one another now (see {@link Batch#DEPTH_MAX}). */
    int batchDepth;

    Run(Output out, Libbpf lib, KeyWords keyWords) {
        this.out = out;
        this.lib = lib;
        this.handles = new MapHandles(lib, out);
        this.possibleCpus = lib.possibleCpus();
        this.keyWords = keyWords;
        this.entries = new Entries(out, possibleCpus, keyWords, new SocketNotes(lib.bpf(), keyWords.forPeople()));
    }

    /** {@code p_err} with the dispatcher's reason for the last failed call as the detail. */
    void fail(String what) {
        out.error(what, lib.detail());
    }

    /** {@code BAD_ARG()}: "what is 'WORD'?", and -1. */
    int badArg(Args a) {
        out.error("what is '" + a.peek() + "'?", null);
        return -1;
    }
}
