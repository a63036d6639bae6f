package org.bpfmaps.shell;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The grammar of {@code map} as help and completion see it, taken from what the parser itself
 * uses: the subcommands in the order {@link MapCommand} resolves abbreviations in, the syntax of
 * each and the definitions ({@code MAP := ...}) from bpftool's usage text that the parser prints
 * ({@link HelpText#MAP}), and the option flags that {@link Options} accepts. Nothing is listed
 * twice, so help, completion and the parser cannot drift apart.
 */
final class MapGrammar {
    /** One subcommand: its name and its syntax as bpftool's usage gives it ({@code dump MAP}). */
    record Sub(String name, String syntax) {}

    /** An option as {@code -j, --json}. */
    record Flag(String shortForm, String longForm) {}

    private static final MapGrammar INSTANCE = new MapGrammar(HelpText.MAP, MapCommand.commandNames());

    private final List<Sub> subs = new ArrayList<>();
    private final Map<String, String> definitions = new LinkedHashMap<>();
    private final List<Flag> flags = new ArrayList<>();

    static MapGrammar get() {
        return INSTANCE;
    }

    MapGrammar(String usage, List<String> order) {
        Map<String, String> syntax = new LinkedHashMap<>();
        for (String line : logicalLines(usage)) {
            if (line.startsWith("bpftool map ")) {
                String rest = line.substring("bpftool map ".length());
                List<String> names = new ArrayList<>();
                String tail;
                if (rest.startsWith("{")) { // { show | list }   [MAP]
                    int close = rest.indexOf('}');
                    for (String n : rest.substring(1, close).split("\\|")) {
                        names.add(n.strip());
                    }
                    tail = rest.substring(close + 1).strip();
                } else {
                    String[] w = rest.split("\\s+", 2);
                    names.add(w[0]);
                    tail = w.length > 1 ? w[1].strip() : "";
                }
                tail = tail.replaceAll("\\s+", " "); // the usage aligns columns with spaces
                for (String n : names) {
                    syntax.put(n, (n + " " + tail).strip());
                }
            } else if (line.contains(" := ")) {
                int eq = line.indexOf(" := ");
                definitions.put(line.substring(0, eq).strip(), line.substring(eq + 4).strip());
            }
        }
        for (String name : order) {
            subs.add(new Sub(name, syntax.getOrDefault(name, name)));
        }
        // OPTIONS := { {-j|--json} [{-p|--pretty}] | ... }: each pair this shell's parser accepts.
        Matcher m = Pattern.compile("\\{(-\\w)\\|(--[\\w-]+)\\}").matcher(definitions.getOrDefault("OPTIONS", ""));
        while (m.find()) {
            Options o = Options.parse(List.of(m.group(2)));
            if (o.bad == null) {
                flags.add(new Flag(m.group(1), m.group(2)));
            }
        }
    }

    /** The usage's lines with continuations joined: a line ending in '\' or one that does not start anew. */
    private static List<String> logicalLines(String usage) {
        List<String> out = new ArrayList<>();
        boolean continued = false;
        for (String raw : usage.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("Usage: ")) {
                line = line.substring("Usage: ".length());
            }
            if (line.isEmpty()) {
                continued = false;
                continue;
            }
            boolean fresh = line.startsWith("bpftool ") || line.contains(" := ");
            boolean endsWithBackslash = line.endsWith("\\");
            if (endsWithBackslash) {
                line = line.substring(0, line.length() - 1).strip();
            }
            if ((continued || !fresh) && !out.isEmpty()) {
                out.set(out.size() - 1, out.get(out.size() - 1) + " " + line);
            } else {
                out.add(line);
            }
            continued = endsWithBackslash;
        }
        return out;
    }

    /** The subcommands, in the parser's order. */
    List<Sub> subs() {
        return subs;
    }

    /** The subcommand a word names as the parser reads it (the first in its order that the word abbreviates); null for none. */
    String resolve(String word) {
        for (Sub s : subs) {
            if (Args.isPrefix(word, s.name())) {
                return s.name();
            }
        }
        return null;
    }

    Sub sub(String name) {
        for (Sub s : subs) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** {@code MAP}, {@code DATA}, {@code VALUE}, {@code UPDATE_FLAGS}, {@code TYPE}, {@code OPTIONS}, ... */
    Map<String, String> definitions() {
        return definitions;
    }

    /** The alternatives of a definition: {@code UPDATE_FLAGS} gives any, exist, noexist. */
    List<String> alternatives(String name) {
        String d = definitions.getOrDefault(name, "");
        d = d.replaceAll("^\\{|\\}$", "").strip();
        List<String> out = new ArrayList<>();
        for (String alt : d.split("\\|")) {
            String a = alt.strip();
            if (!a.isEmpty()) {
                out.add(a);
            }
        }
        return out;
    }

    /** The options of bpftool's usage that this shell's parser accepts, in bpftool's order. */
    List<Flag> flags() {
        return flags;
    }
}
