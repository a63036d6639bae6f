package org.bpfmaps.shell;

/**
 * bpftool's streaming JSON writer ({@code json_writer.c}), ported line for line so that the
 * output matches byte for byte, layout quirks included (but never invalid JSON, see
 * {@link #puts}): a value that opens an object or array starts on the current line
 * ({@code [{}), pretty printing indents by four spaces, and an array of scalars stays on one line
 * with only its closing bracket on the next.
 */
final class JsonWriter {
    private final StringBuilder out;
    private int depth;
    private boolean pretty;
    /** The separator owed before the next element: a comma, or nothing at the start of a level. */
    private char sep;

    JsonWriter(StringBuilder out) {
        this.out = out;
    }

    void pretty(boolean on) {
        pretty = on;
    }

    private void indent() {
        for (int i = 0; i < depth; i++) {
            out.append("    ");
        }
    }

    /** End of line and indentation, when pretty printing. */
    private void eol() {
        if (pretty) {
            out.append('\n');
            indent();
        }
    }

    /** A comma before every element but the first of its level. */
    private void eor() {
        if (sep != '\0') {
            out.append(sep);
        }
        sep = ',';
    }

    /**
     * {@code jsonw_puts}: a string with bpftool's escapes for tab, newline, carriage return, form
     * feed, backspace and quote. Where bpftool's writer makes invalid JSON, this one does not: it
     * writes a backslash as {@code \\} (bpftool: {@code \n}), a single quote as itself (bpftool:
     * {@code \'}, no JSON escape) and other control characters as JSON's u-escapes. Strings
     * without those characters come out byte for byte as bpftool's.
     */
    private void puts(String s) {
        out.append('"');
        escape(s);
        out.append('"');
    }

    private void escape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\f' -> out.append("\\f");
                case '\b' -> out.append("\\b");
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }

    private void begin(char c) {
        eor();
        out.append(c);
        depth++;
        sep = '\0';
    }

    private void end(char c) {
        depth--;
        if (sep != '\0') {
            eol();
        }
        out.append(c);
        sep = ',';
    }

    void name(String name) {
        eor();
        eol();
        sep = '\0';
        puts(name);
        out.append(':');
        if (pretty) {
            out.append(' ');
        }
    }

    /** {@code jsonw_printf}: a value written as is (a number, {@code null}, a quoted hex byte). */
    void raw(String text) {
        eor();
        out.append(text);
    }

    /**
     * {@code jsonw_vprintf_enquote}: how bpftool writes its error messages, between quotes with no
     * escaping at all, so that a message quoting a word with a {@code "} in it is no JSON there.
     * Here the message is escaped as any string is: byte for byte bpftool's for every message
     * without a quote, backslash or control character.
     */
    void enquoted(String text) {
        eor();
        puts(text);
    }

    void startObject() {
        begin('{');
    }

    void endObject() {
        end('}');
    }

    void startArray() {
        begin('[');
    }

    void endArray() {
        end(']');
    }

    void string(String value) {
        eor();
        puts(value);
    }

    void nul() {
        raw("null");
    }

    void stringField(String name, String value) {
        name(name);
        string(value);
    }

    void numberField(String name, long value) {
        name(name);
        raw(Long.toString(value));
    }

    void unsignedField(String name, int value) {
        name(name);
        raw(Integer.toUnsignedString(value));
    }

    /**
     * A string field for the keys this project adds to bpftool's documents ({@code "detail"}).
     */
    void escapedField(String name, String value) {
        name(name);
        string(value);
    }

    void nullField(String name) {
        name(name);
        nul();
    }
}
