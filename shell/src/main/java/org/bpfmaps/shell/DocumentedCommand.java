package org.bpfmaps.shell;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.bpfmaps.core.api.MapType;

/**
 * A command of scope {@code bpf} that another bundle registers and documents with service
 * properties, so that {@code help} and Tab treat it as one of the shell's own (the conformance
 * bundle's {@code conformance} is one). The properties, on the service that registers the command:
 * <ul>
 * <li>{@value #SUMMARY} (String): the line {@code help} lists; a command is documented when it has one;
 * <li>{@value #DESCRIPTION} (String), {@value #SYNTAX} and {@value #EXAMPLES} (String or String[]):
 *     the sections of {@code help COMMAND}, in Karaf's layout ({@link CommandDoc});
 * <li>{@value #ARGUMENTS} and {@value #OPTIONS} (String or String[]): one item each, {@code "NAME: text"};
 *     {@value #MAP_TYPES} in a text stands for the map types served when {@code help} runs;
 * <li>{@value #COMPLETION} (String or String[]): what Tab offers for each argument in turn, one of
 *     {@link Kind}'s names in lower case; a kind ending in {@code ...} goes on for every later argument.
 * </ul>
 * Only a service that registers one function (one {@code osgi.command.function}) is documented
 * this way: the properties are that function's.
 */
record DocumentedCommand(String name, String summary, String description, List<String> syntax,
        List<String> arguments, List<String> options, List<String> examples, List<String> completion) {

    static final String SUMMARY = "bpf.command.summary";
    static final String DESCRIPTION = "bpf.command.description";
    static final String SYNTAX = "bpf.command.syntax";
    static final String ARGUMENTS = "bpf.command.arguments";
    static final String OPTIONS = "bpf.command.options";
    static final String EXAMPLES = "bpf.command.examples";
    static final String COMPLETION = "bpf.command.completion";
    static final String MAP_TYPES = "{maptypes}";
    /** The services the shell reads these from. */
    static final String FILTER = "(&(osgi.command.scope=bpf)(osgi.command.function=*)(" + SUMMARY + "=*))";

    /** What Tab offers for an argument. */
    enum Kind {
        /** Paths, from the working directory, which is where the command reads a relative one. */
        FILE,
        /** The map types served now, by bpftool's names. */
        MAPTYPE,
        NONE
    }

    /** The command of these service properties; null when they document no single function. */
    static DocumentedCommand of(Function<String, Object> property) {
        List<String> functions = strings(property.apply("osgi.command.function"));
        Object summary = property.apply(SUMMARY);
        if (functions.size() != 1 || !(summary instanceof String s)) {
            return null;
        }
        Object description = property.apply(DESCRIPTION);
        return new DocumentedCommand(functions.get(0), s, description instanceof String d ? d : s,
                strings(property.apply(SYNTAX)), strings(property.apply(ARGUMENTS)), strings(property.apply(OPTIONS)),
                strings(property.apply(EXAMPLES)), strings(property.apply(COMPLETION)));
    }

    /** The usage {@code help NAME} prints, with the map types served now. */
    CommandDoc doc(Collection<MapType> served) {
        String types = served.stream().map(MapType::bpftoolName).sorted().collect(Collectors.joining(" | "));
        return new CommandDoc("bpf:" + name, description, syntax, items(arguments, types), items(options, types),
                examples);
    }

    /** What Tab offers for the argument at this index (0: the first after the command's name). */
    Kind kindAt(int index) {
        for (int i = 0; i < completion.size(); i++) {
            String k = completion.get(i);
            boolean repeats = k.endsWith("...");
            if (i == index || (repeats && i < index)) {
                try {
                    return Kind.valueOf((repeats ? k.substring(0, k.length() - 3) : k).strip().toUpperCase(
                            java.util.Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    return Kind.NONE; // a kind of a later shell: offer nothing rather than fail
                }
            }
        }
        return Kind.NONE;
    }

    private static List<CommandDoc.Item> items(List<String> items, String types) {
        List<CommandDoc.Item> out = new ArrayList<>();
        for (String i : items) {
            int colon = i.indexOf(": ");
            String text = colon < 0 ? "" : i.substring(colon + 2).replace(MAP_TYPES, types);
            out.add(new CommandDoc.Item(colon < 0 ? i : i.substring(0, colon), text));
        }
        return out;
    }

    /** A property's value as a list: a String, a String[] or a Collection, as DS and the framework give them. */
    static List<String> strings(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof String[] a) {
            out.addAll(List.of(a));
        } else if (value instanceof Collection<?> c) {
            c.forEach(x -> out.add(String.valueOf(x)));
        } else if (value != null) {
            out.add(String.valueOf(value));
        }
        return out;
    }
}
