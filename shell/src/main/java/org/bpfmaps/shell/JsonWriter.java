package org.bpfmaps.shell;

/**
 * bpftool's streaming JSON writer ({@code json_writer.c}), ported line for line so that the
 * output matches byte for byte, quirks included: a value that opens an object or array starts on
 * the current line ({@code [{}), pretty printing indents by four spaces, and an array of scalars
 * stays on one line with only its closing bracket on the next.
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
     * {@code jsonw_puts}: a string with bpftool's escapes, including its mistake of writing a
     * backslash as {@code \n} and its needless {@code \'}.
     */
    private void puts(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\f' -> out.append("\\f");
                case '\b' -> out.append("\\b");
                case '\\' -> out.append("\\n");
                case '"' -> out.append("\\\"");
                case '\'' -> out.append("\\'");
                default -> out.append(c);
            }
        }
        out.append('"');
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
     * {@code jsonw_vprintf_enquote}: text between quotes with no escaping at all, which is how
     * bpftool writes its error messages.
     */
    void enquoted(String text) {
        eor();
        out.append('"').append(text).append('"');
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
     * A string field with standard JSON escaping, for the keys this project adds to bpftool's
     * documents ({@code "detail"}), where there is no bpftool behaviour to copy.
     */
    void escapedField(String name, String value) {
        name(name);
        eor();
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    void nullField(String name) {
        name(name);
        nul();
    }
}
