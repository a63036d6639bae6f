package org.bpfmaps.shell;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.sock.Sockets;

/**
 * What Tab offers in a command line of the shell, from the live state: {@link #candidates} gives
 * the words that may stand at the cursor (each a whole word, that starts with what is typed of
 * it). Plain Java over the dispatcher, so that it is tested without a terminal; the terminal
 * reaches it through the Gogo function {@code bpf:complete}.
 *
 * <p>For {@code map}: subcommands (in the parser's order, from {@link MapGrammar}), the handle
 * keywords {@code id | pinned | name} and then the live maps' ids, names or pinned paths, each
 * subcommand's keywords ({@code key}, {@code value}, UPDATE_FLAGS, create's {@code type ...}),
 * the map types served now, and the option flags. A path being typed is offered up to its next
 * {@code /}, and such a candidate ends with {@code /} (the terminal then adds no space).
 *
 * <p>For {@code sock}: its subcommands, and the live sockets' fds where an FD is expected (also
 * after {@code value} in an update of a sockmap or sockhash, whose values are socket fds).
 *
 * <p>For another bundle's documented command ({@link DocumentedCommand}): what its
 * {@code bpf.command.completion} property says for the argument at the cursor, such as the paths
 * (from the working directory) and then the map types served now for {@code conformance FILE [TYPE...]}.
 */
public final class Completion {
    private static final List<String> HANDLE = List.of("id", "pinned", "name");
    /** create's keywords after FILE, in bpftool's usage order. */
    private static final List<String> CREATE = List.of("type", "key", "value", "entries", "name", "flags",
            "inner_map", "dev");

    private final Bpf bpf;
    private final Supplier<? extends Collection<MapType>> types;
    private final Supplier<? extends Collection<DocumentedCommand>> documented;
    private final Supplier<? extends Map<String, ProgType>> programs;
    /** At most this many paths of a folder are offered: a Tab never walks a huge folder. */
    static final int MAX_PATHS = 1000;

    /**
     * @param types the map types served now (the runtime's, which change as providers come and go)
     * @param documented the documented commands of other bundles registered now
     */
    Completion(Bpf bpf, Supplier<? extends Collection<MapType>> types,
            Supplier<? extends Collection<DocumentedCommand>> documented) {
        this(bpf, types, documented, Map::of);
    }

    /**
     * @param programs the names program code is contributed under now, with their types (the
     *     runtime's {@code programNames}, which change as bundles come and go)
     */
    Completion(Bpf bpf, Supplier<? extends Collection<MapType>> types,
            Supplier<? extends Collection<DocumentedCommand>> documented,
            Supplier<? extends Map<String, ProgType>> programs) {
        this.bpf = bpf;
        this.types = types;
        this.documented = documented;
        this.programs = programs;
    }

    /** The words that may replace the word at {@code cursor} (a position in {@code line}), sorted. */
    public List<String> candidates(String line, int cursor) {
        String head = line.substring(0, Math.max(0, Math.min(cursor, line.length())));
        List<String> words = new ArrayList<>(List.of(head.strip().isEmpty() ? new String[0] : head.strip().split("\\s+")));
        String current = head.isEmpty() || Character.isWhitespace(head.charAt(head.length() - 1)) || words.isEmpty()
                ? "" : words.remove(words.size() - 1);
        if (words.isEmpty()) {
            return List.of(); // the command's own name: the terminal knows every Gogo command
        }
        String command = words.get(0).startsWith("bpf:") ? words.get(0).substring(4) : words.get(0);
        List<String> rest = words.subList(1, words.size());
        Collection<String> offered = switch (command) {
            case "map" -> map(rest, current);
            case "sock" -> sock(rest, current);
            case "prog" -> prog(rest);
            case "dev", "xsk" -> XskCompletion.candidates(bpf, command, rest, current);
            case "net", "link" -> XskCompletion.netOrLink(bpf, command, rest);
            case "help" -> help(rest);
            default -> documented(command, rest.size(), current);
        };
        TreeSet<String> out = new TreeSet<>();
        for (String c : offered) {
            if (c.startsWith(current)) {
                out.add(c);
            }
        }
        return new ArrayList<>(out);
    }

    private Collection<String> help(List<String> rest) {
        if (rest.isEmpty()) {
            List<String> names = new ArrayList<>(Docs.SUMMARIES.keySet());
            documented.get().forEach(c -> names.add(c.name()));
            return names;
        }
        if (rest.size() == 1 && (rest.get(0).equals("map") || rest.get(0).equals("bpf:map"))) {
            return subNames();
        }
        return List.of();
    }

    /** The argument at {@code index} of another bundle's documented command, by the kind it declares. */
    private Collection<String> documented(String command, int index, String current) {
        for (DocumentedCommand c : documented.get()) {
            if (c.name().equals(command)) {
                return switch (c.kindAt(index)) {
                    case FILE -> files(current);
                    case MAPTYPE -> names(types.get());
                    case NONE -> List.of();
                };
            }
        }
        return List.of();
    }

    /**
     * The paths in the folder of the path being typed (relative to the working directory, where the
     * command reads it), a folder with its trailing {@code /}; hidden ones only once a {@code .} is typed.
     */
    static List<String> files(String current) {
        String folder = current.substring(0, current.lastIndexOf('/') + 1);
        boolean hidden = current.substring(folder.length()).startsWith(".");
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of(folder).toAbsolutePath())) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && !hidden) {
                    continue;
                }
                if (name.startsWith(current.substring(folder.length()))) {
                    out.add(folder + name + (Files.isDirectory(p) ? "/" : ""));
                }
                if (out.size() == MAX_PATHS) {
                    break;
                }
            }
        } catch (IOException | InvalidPathException | SecurityException e) {
            return List.of(); // no such folder, or not readable: nothing to offer
        }
        return out;
    }

    private Collection<String> map(List<String> words, String current) {
        if (current.startsWith("-")) {
            List<String> flags = new ArrayList<>();
            for (MapGrammar.Flag f : MapGrammar.get().flags()) {
                flags.add(f.shortForm());
                flags.add(f.longForm());
            }
            if (words.isEmpty()) {
                flags.add("--help");
            }
            return flags;
        }
        List<String> w = new ArrayList<>();
        for (String word : words) {
            if (!(word.length() > 1 && word.startsWith("-"))) { // options may stand anywhere
                w.add(word);
            }
        }
        if (w.isEmpty()) {
            return subNames();
        }
        String sub = MapGrammar.get().resolve(w.get(0));
        if (sub == null) {
            return List.of();
        }
        List<String> args = w.subList(1, w.size());
        return switch (sub) {
            case "help" -> List.of();
            case "create" -> create(args, current);
            case "show", "list" -> args.size() < 2 ? handle(args, current) : List.of();
            default -> args.size() < 2 ? handle(args, current)
                    : afterHandle(sub, args.subList(0, 2), args.subList(2, args.size()), current);
        };
    }

    /**
     * {@code sock}: its subcommands, then the live socket fds where an FD is expected (show, list,
     * close), {@code listen} and paths after {@code unix}; nothing for hosts and ports.
     */
    private Collection<String> sock(List<String> words, String current) {
        if (current.startsWith("-")) {
            return words.isEmpty() ? List.of("-j", "--json", "-p", "--pretty", "--help")
                    : List.of("-j", "--json", "-p", "--pretty");
        }
        List<String> w = new ArrayList<>();
        for (String word : words) {
            if (!(word.length() > 1 && word.startsWith("-"))) { // options may stand anywhere
                w.add(word);
            }
        }
        if (w.isEmpty()) {
            return SockCommand.commandNames();
        }
        String sub = null;
        for (String name : SockCommand.commandNames()) {
            if (sub == null && Args.isPrefix(w.get(0), name)) {
                sub = name;
            }
        }
        int args = w.size() - 1;
        if (sub == null || args > 1) {
            return List.of();
        }
        return switch (sub) {
            case "show", "list", "close" -> args == 0 ? socketFds() : List.of();
            case "unix" -> {
                if (args == 1) {
                    yield Args.isPrefix(w.get(1), "listen") ? files(current) : List.of();
                }
                List<String> out = new ArrayList<>(files(current));
                out.add("listen");
                yield out;
            }
            default -> List.of();
        };
    }

    /**
     * The type of the map a handle ({@code id N}, {@code pinned FILE}, {@code name NAME}: the first
     * of that name) names, or -1 when it names none.
     */
    private int typeOf(List<String> handle) {
        try (Libbpf lib = new Libbpf(bpf)) {
            String kw = handle.get(0);
            String arg = handle.get(1);
            int fd = -1;
            if (Args.isPrefix(kw, "id")) {
                try {
                    fd = lib.mapGetFdById(Integer.parseUnsignedInt(arg));
                } catch (NumberFormatException e) {
                    return -1;
                }
            } else if (Args.isPrefix(kw, "pinned")) {
                fd = lib.objGet(arg);
            } else if (Args.isPrefix(kw, "name")) {
                int[] next = new int[1];
                for (int id = 0; fd < 0 && lib.mapGetNextId(id, next) == 0; id = next[0]) {
                    int f = lib.mapGetFdById(next[0]);
                    MapInfo[] info = new MapInfo[1];
                    if (f >= 0 && lib.objGetInfoByFd(f, info) == 0 && info[0].name().equals(arg)) {
                        return info[0].type();
                    }
                    lib.close(f);
                }
            }
            MapInfo[] info = new MapInfo[1];
            return fd >= 0 && lib.objGetInfoByFd(fd, info) == 0 ? info[0].type() : -1;
        }
    }

    /**
     * {@code prog}: its subcommands; {@code id} / {@code pinned} / {@code name} and the program ids
     * where PROG goes; the attach-type words after it (attach, detach); the map keywords after them;
     * the names bundles register program code under after {@code load}, then the type of the
     * code of that name.
     */
    private Collection<String> prog(List<String> words) {
        List<String> w = new ArrayList<>();
        for (String word : words) {
            if (!(word.length() > 1 && word.startsWith("-"))) {
                w.add(word);
            }
        }
        if (w.isEmpty()) {
            return ProgCommand.COMMANDS;
        }
        String sub = null;
        for (String name : ProgCommand.COMMANDS) {
            if (sub == null && Args.isPrefix(w.get(0), name)) {
                sub = name;
            }
        }
        int args = w.size() - 1;
        if (sub == null) {
            return List.of();
        }
        if (sub.equals("load")) {
            if (args == 0) {
                return programs.get().keySet(); // NAME: the names bundles register now
            }
            if (args == 1) {
                // TYPE: the type of the code registered under NAME, else the Java program types
                ProgType t = programs.get().get(w.get(1));
                return t != null ? List.of(t.bpftoolName()) : List.of("sk_skb", "sk_msg", "xdp");
            }
            // then { map idx IDX MAP }... [pinned FILE]: five words a map
            int at = (args - 2) % 5;
            return at == 0 ? List.of("map", "pinned") : at == 1 && w.get(args).equals("map") ? List.of("idx")
                    : at == 3 ? List.of("id", "pinned", "name") : List.of();
        }
        if (sub.equals("close")) {
            return List.of(); // FD: the one prog load printed
        }
        boolean withMap = sub.equals("attach") || sub.equals("detach");
        if (args == 0 || (withMap && args == 3)) {
            return List.of("id", "pinned", "name");
        }
        if (args == 1 && Args.isPrefix(w.get(1), "id")) {
            return progIds();
        }
        if (withMap && args == 2) {
            return ProgCommand.ATTACH_WORDS;
        }
        return List.of();
    }

    /** The ids of the instance's programs, lowest first. */
    private List<String> progIds() {
        List<String> out = new ArrayList<>();
        org.bpfmaps.core.api.GetIdAttr g = new org.bpfmaps.core.api.GetIdAttr();
        for (int i = 0; i < 1 << 16 && bpf.bpf(org.bpfmaps.core.api.BpfCmd.PROG_GET_NEXT_ID, g) == 0; i++) {
            out.add(Integer.toUnsignedString(g.nextId));
            g.startId = g.nextId;
        }
        return out;
    }

    /** The fds of the instance's sockets, lowest first. */
    private List<String> socketFds() {
        List<String> out = new ArrayList<>();
        for (int fd : Sockets.list(bpf).keySet()) {
            out.add(Integer.toString(fd));
        }
        return out;
    }

    /** {@code MAP := id MAP_ID | pinned FILE | name MAP_NAME}: the keyword, then the live values. */
    private Collection<String> handle(List<String> args, String current) {
        if (args.isEmpty()) {
            return HANDLE;
        }
        String kw = args.get(args.size() - 1);
        if (Args.isPrefix(kw, "id")) {
            return maps(false);
        } else if (Args.isPrefix(kw, "name")) {
            return maps(true);
        } else if (Args.isPrefix(kw, "pinned")) {
            return paths(current, false);
        }
        return List.of();
    }

    private Collection<String> afterHandle(String sub, List<String> map, List<String> rest, String current) {
        String last = rest.isEmpty() ? null : rest.get(rest.size() - 1);
        int keyAt = lastIndexOf(rest, "key");
        int valueAt = lastIndexOf(rest, "value");
        switch (sub) {
            case "update":
                if (rest.isEmpty()) {
                    return List.of("key", "value");
                }
                if (valueAt == rest.size() - 1) {
                    // a sockmap's value is a socket fd of the instance: its first byte word
                    List<String> words = new ArrayList<>(List.of("hex"));
                    if (MapKinds.holdsSockets(typeOf(map))) {
                        words.addAll(socketFds());
                    } else if (typeOf(map) == org.bpfmaps.core.api.MapType.XSKMAP.number()) {
                        words.addAll(XskCompletion.xskFds(bpf));
                    }
                    return words;
                }
                if (valueAt >= 0) {
                    return MapGrammar.get().alternatives("UPDATE_FLAGS");
                }
                if (keyAt == rest.size() - 1) {
                    return List.of("hex");
                }
                return keyAt >= 0 ? List.of("value") : List.of();
            case "lookup", "getnext", "delete":
                if (rest.isEmpty()) {
                    return List.of("key");
                }
                return keyAt == rest.size() - 1 ? List.of("hex") : List.of();
            case "push", "enqueue":
                if (rest.isEmpty()) {
                    return List.of("value");
                }
                return "value".equals(last) ? List.of("hex") : List.of();
            case "pin":
                return rest.isEmpty() ? paths(current, true) : List.of();
            case "event_pipe":
                return rest.isEmpty() ? List.of("cpu", "index") : List.of();
            default:
                return List.of();
        }
    }

    /** {@code create FILE type TYPE key N value N entries N name NAME [flags N] [inner_map MAP] [dev NAME]}. */
    private Collection<String> create(List<String> args, String current) {
        if (args.isEmpty()) {
            return paths(current, true);
        }
        // After FILE: keyword-value pairs; the word before the cursor may be a keyword awaiting its value.
        List<String> pairs = args.subList(1, args.size());
        Set<String> used = new TreeSet<>();
        for (int i = 0; i < pairs.size(); i++) {
            String kw = keyword(pairs.get(i));
            if (kw == null) {
                continue;
            }
            used.add(kw);
            int valueWords = kw.equals("inner_map") ? 2 : 1;
            int left = pairs.size() - 1 - i;
            if (left < valueWords) { // the cursor is at this keyword's value
                return switch (kw) {
                    case "type" -> names(types.get());
                    case "inner_map" -> handle(pairs.subList(i + 1, pairs.size()), current);
                    default -> List.of();
                };
            }
            i += valueWords;
        }
        List<String> next = new ArrayList<>();
        for (String k : CREATE) {
            if (!used.contains(k)) {
                next.add(k);
            }
        }
        return next;
    }

    /** The create keyword a word stands for, exactly as typed (abbreviations stay the user's). */
    private static String keyword(String word) {
        return CREATE.contains(word) ? word : null;
    }

    private static int lastIndexOf(List<String> words, String keyword) {
        for (int i = words.size() - 1; i >= 0; i--) {
            if (words.get(i).equals(keyword)) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> subNames() {
        List<String> out = new ArrayList<>();
        for (MapGrammar.Sub s : MapGrammar.get().subs()) {
            out.add(s.name());
        }
        return out;
    }

    private static List<String> names(Collection<MapType> types) {
        List<String> out = new ArrayList<>();
        for (MapType t : types) {
            out.add(t.bpftoolName());
        }
        return out;
    }

    /** The live maps' ids, or their names (once each), walked as bpftool walks them: by id. */
    private List<String> maps(boolean byName) {
        List<String> out = new ArrayList<>();
        try (Libbpf lib = new Libbpf(bpf)) {
            int[] next = new int[1];
            for (int id = 0; lib.mapGetNextId(id, next) == 0; id = next[0]) {
                if (!byName) {
                    out.add(Integer.toUnsignedString(next[0]));
                    continue;
                }
                int fd = lib.mapGetFdById(next[0]);
                if (fd < 0) {
                    continue; // gone meanwhile
                }
                MapInfo[] info = new MapInfo[1];
                if (lib.objGetInfoByFd(fd, info) == 0 && !info[0].name().isEmpty()) {
                    out.add(info[0].name());
                }
                lib.close(fd);
            }
        }
        return out;
    }

    /**
     * Paths in the bpffs for the path being typed: the pins (for {@code pinned FILE}), or for a new
     * FILE ({@code create}, {@code pin}) the folders that hold pins; each offered up to the next
     * {@code /} after what is typed, so that Tab walks the tree one level at a time.
     */
    private List<String> paths(String current, boolean foldersOnly) {
        TreeSet<String> out = new TreeSet<>();
        String root = MapHandles.BPFFS + "/";
        if (!current.startsWith(root)) { // pins are all under the root: first the root itself
            return root.startsWith(current) ? List.of(root) : List.of();
        }
        for (String pin : bpf.pinnedMaps().keySet()) {
            if (!pin.startsWith(current)) {
                continue;
            }
            int slash = pin.indexOf('/', Math.max(current.length(), root.length()));
            if (slash >= 0) {
                out.add(pin.substring(0, slash + 1));
            } else if (!foldersOnly) {
                out.add(pin);
            }
        }
        return new ArrayList<>(out);
    }
}
