package org.bpfmaps.shell;

import java.util.List;

/**
 * The usage of one command, printed in Apache Karaf's layout: DESCRIPTION, SYNTAX, ARGUMENTS,
 * OPTIONS and EXAMPLES, each section's lines indented by eight spaces and an item's text by
 * sixteen. Sections without content are left out.
 */
record CommandDoc(String name, String description, List<String> syntax, List<Item> arguments, List<Item> options,
        List<String> examples) {

    /** An argument or option: its name ({@code -j, --json}) and what it does. */
    record Item(String name, String text) {}

    static final int WIDTH = 100;
    private static final String INDENT = "        ";

    String render() {
        StringBuilder b = new StringBuilder();
        b.append("DESCRIPTION\n").append(INDENT).append(name).append("\n\n");
        wrap(b, description, INDENT);
        section(b, "SYNTAX", syntax);
        if (!arguments.isEmpty()) {
            b.append("\nARGUMENTS\n");
            items(b, arguments);
        }
        if (!options.isEmpty()) {
            b.append("\nOPTIONS\n");
            items(b, options);
        }
        section(b, "EXAMPLES", examples);
        return b.toString();
    }

    private static void section(StringBuilder b, String title, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        b.append('\n').append(title).append('\n');
        for (String l : lines) {
            wrap(b, l, INDENT, INDENT + "    "); // a long syntax goes on, indented, as Karaf's does
        }
    }

    private static void items(StringBuilder b, List<Item> items) {
        for (Item i : items) {
            b.append(INDENT).append(i.name()).append('\n');
            wrap(b, i.text(), INDENT + INDENT);
        }
    }

    /** The text as lines of at most {@link #WIDTH} columns, each with the indent. */
    static void wrap(StringBuilder b, String text, String indent) {
        wrap(b, text, indent, indent);
    }

    /** The same, with lines after the first indented by {@code more}. */
    static void wrap(StringBuilder b, String text, String indent, String more) {
        StringBuilder line = new StringBuilder(indent);
        int start = indent.length();
        for (String word : text.split(" ")) {
            if (line.length() > start && line.length() + 1 + word.length() > WIDTH) {
                b.append(line).append('\n');
                line.setLength(0);
                line.append(more);
                start = more.length();
            }
            if (line.length() > start) {
                line.append(' ');
            }
            line.append(word);
        }
        b.append(line).append('\n');
    }
}
