package org.bpfmaps.shell;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.bpfmaps.core.api.MapType;

/**
 * The usage of the shell's commands (scope {@code bpf}), for {@code help COMMAND} and
 * {@code COMMAND --help}. The grammar of {@code map} comes from {@link MapGrammar}, that is from
 * the parser; what is written here is only what a parser cannot know: what each part does, and
 * examples.
 */
final class Docs {
    private Docs() {}

    /**
     * The shell's own commands of scope bpf and their one-line summaries. Other bundles' commands
     * document themselves with service properties ({@link DocumentedCommand}).
     */
    static final Map<String, String> SUMMARIES = Map.of(
            "map", "bpftool's map commands (show, create, dump, update, lookup, ...) on the default instance",
            "batch", "bpftool's batch mode: batch file FILE runs its commands, one a line, stopping at a failure",
            "bpftool", "A whole bpftool command line (options, object, command), as bpftool parses it",
            "bpf", "One raw bpf(2) call: bpf CMD field=value ...; prints the result, the errno and changed fields",
            "providers", "The installed map providers: bundle, state, map types, live and detached maps",
            "help", "Lists every command; with a command's name, its usage",
            "complete", "The words Tab offers at a position of a command line, from the live state");

    /** What each map subcommand does, by the parser's names. */
    static final Map<String, String> SUBCOMMANDS = Map.ofEntries(
            Map.entry("show", "Show the maps: all of them, or those MAP names (a name may match several)."),
            Map.entry("list", "The same as show."),
            Map.entry("help", "Print bpftool's own usage of map, verbatim (on standard error)."),
            Map.entry("dump", "Print every element of MAP, and how many there are."),
            Map.entry("update", "Write VALUE at key DATA; UPDATE_FLAGS says whether the key must exist (exist), "
                    + "must not (noexist) or either (any, the default)."),
            Map.entry("lookup", "Print the element at key DATA."),
            Map.entry("getnext", "Print the key that follows key DATA (without a key: the first)."),
            Map.entry("delete", "Delete the element at key DATA."),
            Map.entry("pin", "Pin MAP at FILE, under /sys/fs/bpf, the instance's own bpffs."),
            Map.entry("event_pipe", "Read a perf event array; answered as bpftool answers for any other map type."),
            Map.entry("create", "Create a map and pin it at FILE (under /sys/fs/bpf); the map lives as long as "
                    + "the pin, or until the instance ends."),
            Map.entry("peek", "Print the element at the head of a queue or stack, leaving it there."),
            Map.entry("push", "Push VALUE onto a stack."),
            Map.entry("enqueue", "Add VALUE at the tail of a queue."),
            Map.entry("pop", "Remove and print the element at the top of a stack."),
            Map.entry("dequeue", "Remove and print the element at the head of a queue."),
            Map.entry("freeze", "Make MAP read-only for system calls from now on."));

    /** What each option does, by its long form. */
    private static final Map<String, String> FLAGS = Map.of(
            "--json", "Print JSON, exactly as bpftool does: one document per command, null for a success that "
                    + "prints nothing, {\"error\":...} for a failure.",
            "--pretty", "Print JSON, indented as bpftool indents it (implies --json).",
            "--bpffs", "Show the paths a map is pinned at (show, list).",
            "--nomount", "Accepted: this shell never mounts a bpffs.",
            "--debug", "Accepted: there is no libbpf debug output here.",
            "--mapcompat", "Accepted, as bpftool does: it changes nothing for map commands.",
            "--version", "Print the version, as bpftool does.",
            "--help", "Display this help message.");

    private static final String HELP_ITEM = "Display this help message.";

    /** The usage of a command of scope bpf; null when there is no such command. */
    static CommandDoc of(String command, Collection<MapType> served) {
        return switch (command) {
            case "map" -> map(served);
            case "batch" -> new CommandDoc("bpf:batch",
                    "bpftool's batch mode: runs the commands of FILE (bpftool's words without the leading bpftool: "
                            + "map show, -j map dump id 1, ...), one a line, with # comments, quotes and \\ "
                            + "continuations; stops at the first failing line with its exit code, as bpftool does.",
                    List.of("batch file FILE"), List.of(new CommandDoc.Item("FILE", "The commands, one a line.")),
                    List.of(new CommandDoc.Item("--help", HELP_ITEM)), List.of("batch file cmds.txt"));
            case "bpftool" -> new CommandDoc("bpf:bpftool",
                    "A whole bpftool command line, parsed as bpftool parses it: options, then the object (map, "
                            + "batch, version, help), then its command. Objects other than map answer with an Error line.",
                    List.of("bpftool [OPTIONS] OBJECT COMMAND ..."),
                    List.of(new CommandDoc.Item("OBJECT", "map, batch, version or help.")),
                    List.of(new CommandDoc.Item("--help", HELP_ITEM)), List.of("bpftool -j map show", "bpftool version"));
            case "bpf" -> new CommandDoc("bpf:bpf",
                    "One raw bpf(2) call on the default instance: the command by its uapi name and the attr's "
                            + "fields as field=value; prints the result, the errno name and the fields the call changed. "
                            + "bpf close fd=N closes an fd.",
                    List.of("bpf CMD [FIELD=VALUE ...]"),
                    List.of(new CommandDoc.Item("CMD", "A bpf_cmd, such as MAP_CREATE or MAP_LOOKUP_ELEM."),
                            new CommandDoc.Item("FIELD=VALUE", "A field of the command's attr.")),
                    List.of(new CommandDoc.Item("--help", HELP_ITEM)),
                    List.of("bpf MAP_CREATE map_type=1 key_size=4 value_size=8 max_entries=4", "bpf close fd=3"));
            case "providers" -> new CommandDoc("bpf:providers",
                    "The installed map providers, two lines each: the bundle, its version and state; the map types "
                            + "it serves, the maps it made that are alive, and those made by an earlier registration "
                            + "of the same bundle (detached: they answer ENODEV since it went away). Then the maps "
                            + "whose provider has gone, with the elements kept for them, and why a returning provider "
                            + "refused one. Last, in bpfmaps.jar, each jar of the deploy folder that cannot be "
                            + "installed, resolved or started, with why, until it is fixed or removed.",
                    List.of("providers"), List.of(), List.of(new CommandDoc.Item("--help", HELP_ITEM)),
                    List.of("providers"));
            case "help" -> new CommandDoc("bpf:help",
                    "Lists every command of the shell with a summary; with a COMMAND, its usage in this form; "
                            + "with map and a SUBCOMMAND, that subcommand's. Gogo's own help stays available as felix:help.",
                    List.of("help [COMMAND [SUBCOMMAND]]"),
                    List.of(new CommandDoc.Item("COMMAND", "A command, with or without its scope (map, bpf:map, lb)."),
                            new CommandDoc.Item("SUBCOMMAND", "A subcommand of map (dump, update, ...).")),
                    List.of(new CommandDoc.Item("--help", HELP_ITEM)),
                    List.of("help", "help map", "help map update", "map --help"));
            case "complete" -> new CommandDoc("bpf:complete",
                    "The words that Tab offers for the word at CURSOR in LINE, one a line: commands' subcommands, "
                            + "keywords, map types served now, the ids and names of live maps, pinned paths, "
                            + "options, and what other bundles' documented commands ask for (paths, map types). The terminal's completion calls it; it is a command so that it can be tried.",
                    List.of("complete LINE [CURSOR]"),
                    List.of(new CommandDoc.Item("LINE", "A command line, as typed so far."),
                            new CommandDoc.Item("CURSOR", "Where the cursor is in LINE (default: its end).")),
                    List.of(new CommandDoc.Item("--help", HELP_ITEM)),
                    List.of("complete 'map dump name '", "complete 'map create /sys/fs/bpf/m type '"));
            default -> null;
        };
    }

    private static CommandDoc map(Collection<MapType> served) {
        MapGrammar g = MapGrammar.get();
        List<String> syntax = new ArrayList<>();
        List<CommandDoc.Item> args = new ArrayList<>();
        for (MapGrammar.Sub s : g.subs()) {
            syntax.add("map [OPTIONS] " + s.syntax());
            args.add(new CommandDoc.Item(s.name(), SUBCOMMANDS.getOrDefault(s.name(), "")));
        }
        for (Map.Entry<String, String> d : g.definitions().entrySet()) {
            if (d.getKey().equals("OPTIONS") || d.getKey().equals("PROG")) {
                continue; // OPTIONS below; PROG: this shell has no programs
            }
            String text = d.getKey().equals("TYPE") ? names(served) + " (the types served now; bpftool knows "
                    + "more)" : d.getValue();
            args.add(new CommandDoc.Item(d.getKey(), text));
        }
        List<CommandDoc.Item> options = new ArrayList<>();
        for (MapGrammar.Flag f : g.flags()) {
            options.add(new CommandDoc.Item(f.shortForm() + ", " + f.longForm(), FLAGS.getOrDefault(f.longForm(), "")));
        }
        options.add(new CommandDoc.Item("--help", "Display this help message (alone: with other words, "
                + "bpftool's meaning)."));
        return new CommandDoc("bpf:map",
                "bpftool's map commands on the framework's default instance, the one every bundle shares: the same "
                        + "grammar, output, JSON and exit codes as bpftool map, so that scripts written for bpftool "
                        + "work unchanged. Subcommands and keywords abbreviate as bpftool's do (map s is map show). "
                        + "Options may come anywhere after map.",
                syntax, args, options,
                List.of("map create /sys/fs/bpf/counters type array key 4 value 8 entries 16 name counters",
                        "map update name counters key 1 0 0 0 value 42 0 0 0 0 0 0 0",
                        "map lookup pinned /sys/fs/bpf/counters key hex 01 00 00 00",
                        "map -j dump id 1",
                        "map show"));
    }

    /** The usage of one map subcommand: its syntax and the definitions it names. */
    static CommandDoc mapSub(String word, Collection<MapType> served) {
        MapGrammar g = MapGrammar.get();
        String name = g.resolve(word);
        if (name == null) {
            return null;
        }
        MapGrammar.Sub s = g.sub(name);
        List<CommandDoc.Item> args = new ArrayList<>();
        for (Map.Entry<String, String> d : g.definitions().entrySet()) {
            if (s.syntax().matches(".*\\b" + d.getKey() + "\\b.*") && !d.getKey().equals("OPTIONS")) {
                args.add(new CommandDoc.Item(d.getKey(), d.getKey().equals("TYPE") ? names(served) : d.getValue()));
            }
        }
        return new CommandDoc("bpf:map " + name, SUBCOMMANDS.getOrDefault(name, ""),
                List.of("map [OPTIONS] " + s.syntax()), args, List.of(), List.of());
    }

    private static String names(Collection<MapType> served) {
        return served.stream().map(MapType::bpftoolName).sorted().collect(Collectors.joining(" | "));
    }
}
