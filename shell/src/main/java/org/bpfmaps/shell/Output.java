package org.bpfmaps.shell;

import java.io.PrintStream;

/**
 * Where one command writes: plain text to standard output, or one JSON document built by
 * {@link #json()} and written at {@link #finish()}; errors as bpftool's {@code p_err} writes them.
 */
final class Output {
    final PrintStream out;
    final PrintStream err;
    private final StringBuilder document = new StringBuilder();
    private JsonWriter json;
    private boolean newline = true;

    Output(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Switches to JSON (bpftool's {@code -j}), pretty printed or not ({@code -p}). */
    void jsonMode(boolean pretty) {
        if (json == null) {
            json = new JsonWriter(document);
        }
        json.pretty(pretty);
    }

    boolean isJson() {
        return json != null;
    }

    /** The JSON writer; only in JSON mode. */
    JsonWriter json() {
        return json;
    }

    /** Plain text to standard output. */
    void print(String text) {
        out.print(text);
    }

    /**
     * bpftool's {@code p_err}: {@code Error: <what>} on standard error, or {@code {"error":"<what>"}}
     * in JSON mode. {@code detail} is what this project knows beyond bpftool's message (the
     * dispatcher's reason for an errno): on the next line, indented by two spaces, or as a
     * {@code "detail"} key; null for none.
     */
    void error(String what, String detail) {
        if (json != null) {
            json.startObject();
            json.name("error");
            json.enquoted(what);
            if (detail != null) {
                json.escapedField("detail", detail);
            }
            json.endObject();
        } else {
            err.print("Error: " + what + "\n");
            if (detail != null) {
                err.print("  " + detail + "\n");
            }
        }
    }

    /**
     * Leaves the JSON document without its final newline, as bpftool does where it returns from
     * {@code main} before {@code jsonw_destroy} ({@code -h}, {@code -V}).
     */
    void withoutNewline() {
        newline = false;
    }

    /** Ends the command: the JSON document and its newline ({@code jsonw_destroy}), then flushes. */
    void finish() {
        if (json != null) {
            out.print(document);
            if (newline) {
                out.print("\n");
            }
        }
        out.flush();
        err.flush();
    }
}
