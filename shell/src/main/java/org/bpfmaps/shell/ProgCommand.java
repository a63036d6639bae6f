package org.bpfmaps.shell;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.GetIdAttr;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.ObjAttr;
import org.bpfmaps.core.api.ProgAttachAttr;
import org.bpfmaps.core.api.ProgInfo;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.spi.ObjectHost;

/**
 * {@code prog ...}: the instance's programs in bpftool's grammar ({@code do_show}, {@code do_attach},
 * {@code do_detach}, {@code do_pin} of tools/bpf/bpftool/prog.c): the same words, the same
 * {@code Error:} lines and exit codes (255, or the negated errno's low byte where bpftool returns
 * one), checked against bpftool on 6.18 (src/test/resources/bpftool-prog-6.18.txt). {@code prog load}
 * is this project's form: bpftool loads an ELF file; here the code is the one a bundle registers
 * under NAME (a ProgramProvider service). {@code prog close FD} is ours too, as {@code sock close}
 * and {@code xsk close}: bpftool's fds end with its process, while the fd {@code prog load} leaves
 * open lives in the instance until it is closed.
 */
public final class ProgCommand {
    static final String USAGE = """
            Usage: prog { show | list } [PROG]
                   prog pin   PROG FILE
                   prog load  NAME TYPE [map idx IDX MAP]... [pinned FILE]
                   prog close FD
                   prog attach PROG ATTACH_TYPE MAP
                   prog detach PROG ATTACH_TYPE MAP
                   prog help

                   MAP := { id MAP_ID | pinned FILE | name MAP_NAME }
                   PROG := { id PROG_ID | pinned FILE | name PROG_NAME }
                   TYPE := { sk_skb | sk_msg | xdp | socket_filter }
                   ATTACH_TYPE := { sk_msg_verdict | sk_skb_verdict | sk_skb_stream_verdict |
                                    sk_skb_stream_parser }
                   OPTIONS := { {-j|--json} [{-p|--pretty}] }
            """;

    /** bpftool's attach_type_strings for socket maps, then the legacy words it still accepts. */
    static final List<String> ATTACH_WORDS = List.of("sk_msg_verdict", "sk_skb_verdict", "sk_skb_stream_verdict",
            "sk_skb_stream_parser", "msg_verdict", "skb_verdict", "stream_verdict", "stream_parser");
    private static final int[] ATTACH_NUMBERS = {ProgAttachAttr.SK_MSG_VERDICT, ProgAttachAttr.SK_SKB_VERDICT,
        ProgAttachAttr.SK_SKB_STREAM_VERDICT, ProgAttachAttr.SK_SKB_STREAM_PARSER, ProgAttachAttr.SK_MSG_VERDICT,
        ProgAttachAttr.SK_SKB_VERDICT, ProgAttachAttr.SK_SKB_STREAM_VERDICT, ProgAttachAttr.SK_SKB_STREAM_PARSER};

    /** The first words of {@link #ATTACH_WORDS}: one for each socket attach type. */
    static final int SOCKET_ATTACH_TYPES = 4;

    static final List<String> COMMANDS = List.of("show", "list", "help", "pin", "load", "attach", "detach",
            "close");

    private final Bpf bpf;

    public ProgCommand(Bpf bpf) {
        this.bpf = Objects.requireNonNull(bpf, "bpf");
    }

    /** Runs {@code prog WORDS...}; 0, or the exit code after an {@code Error:} line. */
    public int run(List<String> words, PrintStream stdout, PrintStream stderr) {
        return CommandFrame.run(words, stdout, stderr, USAGE, this::main);
    }

    private int main(Output out, List<String> w) {
        String command = COMMANDS.get(CommandFrame.choose(COMMANDS, w));
        Args a = CommandFrame.afterCommand(w);
        switch (command) {
            case "show":
            case "list":
                return show(out, a);
            case "pin":
                return pin(out, a);
            case "load":
                return load(out, a);
            case "close":
                return close(out, a);
            case "attach":
            case "detach":
                return attach(out, a, command.equals("attach"));
            default:
                return help(out);
        }
    }

    static int help(Output out) {
        return CommandFrame.help(out, USAGE);
    }

    // ---- PROG and MAP references ----

    /** {@code prog_parse_fd}: an fd on the program PROG names, or -1 after an Error line. */
    int progFd(Output out, Args a) {
        if (!a.require(2, out)) {
            return -1;
        }
        String kw = a.next();
        String arg = a.next();
        if (Args.isPrefix(kw, "id")) {
            int id;
            try {
                id = Integer.parseUnsignedInt(arg);
            } catch (NumberFormatException e) {
                out.error("can't parse " + arg + " as ID", null);
                return -1;
            }
            GetIdAttr g = new GetIdAttr(id);
            int fd = bpf.bpf(BpfCmd.PROG_GET_FD_BY_ID, g);
            if (fd < 0) {
                out.error("get by id (" + arg + "): " + Libbpf.strerror(fd), g.errorMessage());
            }
            return fd;
        }
        if (Args.isPrefix(kw, "pinned")) {
            int fd = CommandFrame.objGet(bpf, out, arg);
            if (fd >= 0 && info(fd) == null) {
                bpf.close(fd);
                out.error("incorrect object type: not a program", null);
                return -1;
            }
            return fd;
        }
        if (Args.isPrefix(kw, "name")) {
            for (int id = nextProg(0); id > 0; id = nextProg(id)) {
                int fd = bpf.bpf(BpfCmd.PROG_GET_FD_BY_ID, new GetIdAttr(id));
                ProgInfo i = fd < 0 ? null : info(fd);
                if (i != null && i.name().equals(arg)) {
                    return fd;
                }
                if (fd >= 0) {
                    bpf.close(fd);
                }
            }
            out.error("no program with name " + arg + " found", null);
            return -1;
        }
        out.error("expected 'id', 'tag', 'name' or 'pinned', got: '" + kw + "'?", null);
        return -1;
    }

    /** {@code map_parse_fd}: an fd on the map MAP names, or -1 after an Error line. */
    private int mapFd(Output out, Args a) {
        if (!a.require(2, out)) {
            return -1;
        }
        String kw = a.next();
        String arg = a.next();
        // not closed: the fd returned is the caller's (it closes it); the others are closed here
        Libbpf lib = new Libbpf(bpf);
        {
            if (Args.isPrefix(kw, "id")) {
                int id;
                try {
                    id = Integer.parseUnsignedInt(arg);
                } catch (NumberFormatException e) {
                    out.error("can't parse " + arg + " as ID", null);
                    return -1;
                }
                int fd = lib.mapGetFdById(id);
                if (fd < 0) {
                    out.error("get map by id (" + arg + "): " + Libbpf.strerror(fd), null);
                }
                return fd;
            }
            if (Args.isPrefix(kw, "pinned")) {
                int fd = lib.objGet(arg);
                if (fd < 0) {
                    out.error("bpf obj get (" + arg + "): " + Libbpf.strerror(fd), null);
                }
                return fd;
            }
            if (Args.isPrefix(kw, "name")) {
                int[] next = new int[1];
                for (int id = 0; lib.mapGetNextId(id, next) == 0; id = next[0]) {
                    int f = lib.mapGetFdById(next[0]);
                    MapInfo[] info = new MapInfo[1];
                    if (f >= 0 && lib.objGetInfoByFd(f, info) == 0 && info[0].name().equals(arg)) {
                        return f;
                    }
                    if (f >= 0) {
                        lib.close(f);
                    }
                }
                out.error("no map with name " + arg + " found", null);
                return -1;
            }
        }
        out.error("expected 'id', 'name' or 'pinned', got: '" + kw + "'?", null);
        return -1;
    }

    private int nextProg(int after) {
        GetIdAttr g = new GetIdAttr(after);
        return bpf.bpf(BpfCmd.PROG_GET_NEXT_ID, g) < 0 ? 0 : g.nextId;
    }

    /** The program's info, or null when the fd is no program. */
    ProgInfo info(int fd) {
        InfoAttr i = new InfoAttr(fd);
        i.infoLen = ProgInfo.SIZE;
        i.info = ByteBuffer.allocate(ProgInfo.SIZE).order(ByteOrder.nativeOrder());
        if (bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, i) < 0 || bpf.fdinfo(fd) != null) {
            return null; // a map's info is no program's
        }
        return ProgInfo.read(i.info, i.infoLen);
    }

    // ---- show ----

    private int show(Output out, Args a) {
        if (a.argc() == 2) {
            int fd = progFd(out, a);
            if (fd < 0) {
                return -1;
            }
            print(out, info(fd));
            bpf.close(fd);
            return 0;
        }
        if (a.argc() != 0) {
            throw new Usage();
        }
        if (out.isJson()) {
            out.json().startArray();
        }
        for (int id = nextProg(0); id > 0; id = nextProg(id)) {
            int fd = bpf.bpf(BpfCmd.PROG_GET_FD_BY_ID, new GetIdAttr(id));
            if (fd < 0) {
                continue; // freed since its id was listed
            }
            print(out, info(fd));
            bpf.close(fd);
        }
        if (out.isJson()) {
            out.json().endArray();
        }
        return 0;
    }

    /**
     * {@code print_prog_json} / {@code print_prog_plain}: the fields that apply to a Java program
     * (no instructions: no xlated or jited sizes, no memlock).
     */
    private static void print(Output out, ProgInfo i) {
        ProgType t = i.progType();
        String type = t != null ? t.bpftoolName() : null;
        long loadedAt = wallSeconds(i.loadTime());
        if (out.isJson()) {
            JsonWriter j = out.json();
            j.startObject();
            j.unsignedField("id", i.id());
            if (type != null) {
                j.stringField("type", type);
            } else {
                j.unsignedField("type", i.type());
            }
            if (!i.name().isEmpty()) {
                j.stringField("name", i.name());
            }
            j.stringField("tag", i.tagHex());
            j.name("gpl_compatible");
            j.raw(Boolean.toString(i.gplCompatible()));
            j.numberField("loaded_at", loadedAt);
            j.unsignedField("uid", i.createdByUid());
            j.endObject();
            return;
        }
        StringBuilder b = new StringBuilder();
        b.append(Integer.toUnsignedString(i.id())).append(": ")
                .append(type != null ? type : "type " + Integer.toUnsignedString(i.type())).append("  ");
        if (!i.name().isEmpty()) {
            b.append("name ").append(i.name()).append("  ");
        }
        b.append("tag ").append(i.tagHex());
        if (i.gplCompatible()) {
            b.append("  gpl");
        }
        b.append("\n\tloaded_at ").append(TIME.format(Instant.ofEpochSecond(loadedAt)))
                .append("  uid ").append(Integer.toUnsignedString(i.createdByUid())).append('\n');
        out.print(b.toString());
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ")
            .withZone(ZoneId.systemDefault());

    /** load_time (ns since boot) as wall-clock seconds, as bpftool's {@code print_boot_time}. */
    static long wallSeconds(long bootNanos) {
        long sinceBoot = ProcUptime.nanos();
        long now = System.currentTimeMillis() * 1_000_000L;
        return (now - sinceBoot + bootNanos) / 1_000_000_000L;
    }

    // ---- pin, load ----

    private int pin(Output out, Args a) {
        if (!a.require(3, out)) {
            return Errno.EINVAL.ret();
        }
        int fd = progFd(out, a);
        if (fd < 0) {
            return -1;
        }
        String path = a.next();
        return CommandFrame.pin(bpf, out, fd, path);
    }

    /**
     * {@code prog load NAME TYPE [map idx IDX MAP]... [pinned FILE]}: the code registered under NAME,
     * named NAME (its first 15 characters), holding the maps given: {@code map idx 0 MAP} is the map
     * the code's index 0 names ({@code XdpContext.redirectMap(0, ...)}), as bpftool's {@code map idx}
     * gives an object's map slot an existing map. The indices must run from 0 without a gap. The fd
     * stays open in the instance (the program lives until the instance ends) unless pinned, when the
     * pin holds it; prints the new program's id.
     */
    private int load(Output out, Args a) {
        if (!a.require(2, out)) {
            return Errno.EINVAL.ret();
        }
        String name = a.next();
        String typeWord = a.next();
        ProgType t = ProgType.byName(typeWord);
        if (t == null || !t.javaFamily()) {
            out.error("invalid program type '" + typeWord + "'", "Java programs here are of type " + String.join(", ",
                    java.util.Arrays.stream(ProgType.values()).filter(ProgType::javaFamily).map(ProgType::bpftoolName)
                            .toList()));
            return -1;
        }
        java.util.TreeMap<Integer, Integer> maps = new java.util.TreeMap<>();
        try {
            while (a.argc() > 0 && a.is("map")) {
                a.next();
                if (a.argc() < 4 || !a.is("idx")) {
                    throw new Usage();
                }
                a.next();
                String idx = a.next();
                int i;
                try {
                    i = Integer.parseInt(idx);
                } catch (NumberFormatException e) {
                    i = -1;
                }
                if (i < 0 || i > 63 || maps.containsKey(i)) {
                    out.error("invalid map idx '" + idx + "'", maps.containsKey(i) ? "map idx " + i + " given twice"
                            : "idx: the program's map index, 0 to 63");
                    return -1;
                }
                int fd = mapFd(out, a);
                if (fd < 0) {
                    return -1;
                }
                maps.put(i, fd);
            }
            String pinPath = null;
            if (a.argc() > 0) {
                if (!a.is("pinned") || a.argc() != 2) {
                    throw new Usage();
                }
                a.next();
                pinPath = a.next();
            }
            if (!maps.isEmpty() && maps.lastKey() != maps.size() - 1) {
                out.error("map idx " + firstGap(maps) + " not given", "the indices run from 0 without a gap");
                return -1;
            }
            int[] fds = maps.values().stream().mapToInt(Integer::intValue).toArray();
            ProgLoadAttr l = new ProgLoadAttr(t, name).name(name.length() > 15 ? name.substring(0, 15) : name).maps(fds);
            int fd = bpf.bpf(BpfCmd.PROG_LOAD, l);
            if (fd < 0) {
                out.error("failed to load program '" + name + "': " + Libbpf.strerror(fd), l.errorMessage());
                return -1;
            }
            if (pinPath != null) {
                ObjAttr p = new ObjAttr(pinPath, fd);
                int ret = bpf.bpf(BpfCmd.OBJ_PIN, p);
                bpf.close(fd);
                if (ret < 0) {
                    out.error("failed to pin program (" + pinPath + "): " + Libbpf.strerror(ret), p.errorMessage());
                    return -1;
                }
                fd = -1;
            }
            int id = idOfPinnedOrFd(fd, pinPath);
            // the fd left open is the instance's, for prog close FD (pinned, the pin holds the program)
            if (out.isJson()) {
                out.json().startObject();
                out.json().unsignedField("id", id);
                if (fd >= 0) {
                    out.json().numberField("fd", fd);
                }
                out.json().endObject();
            } else {
                out.print("id " + Integer.toUnsignedString(id) + (fd >= 0 ? "  fd " + fd : "") + "\n");
            }
            return 0;
        } finally {
            maps.values().forEach(bpf::close); // the program holds its maps; the command's fds go
        }
    }

    /**
     * {@code prog close FD}: closes a program's fd in the instance (the one {@code prog load} printed,
     * or any other). As the kernel's {@code bpf_prog_put}, the program goes with its last fd unless
     * a pin or a map's attachment still holds it.
     */
    private int close(Output out, Args a) {
        if (a.argc() != 1) {
            throw new Usage();
        }
        String word = a.next();
        int fd;
        try {
            fd = Integer.parseInt(word);
        } catch (NumberFormatException e) {
            fd = -1;
        }
        if (fd < 0) {
            out.error("invalid fd '" + word + "'", "an fd is a number 0.." + Integer.MAX_VALUE
                    + "; prog load prints the fd it leaves open");
            return -1;
        }
        int f = fd;
        java.util.Map<String, String> lines = ObjectHost.of(bpf).map(h -> h.fdinfoLines(f)).orElse(null);
        if (lines == null || !lines.containsKey("prog_id")) {
            out.error("fd " + fd + " is not a program", lines != null ? "it is another object of the instance (bpf "
                    + "close fd=" + fd + " closes any fd)" : "no fd " + fd + " is open in the instance");
            return -1;
        }
        bpf.close(fd);
        if (out.isJson()) {
            out.json().nul();
        }
        return 0;
    }

    private static int firstGap(java.util.TreeMap<Integer, Integer> maps) {
        int i = 0;
        while (maps.containsKey(i)) {
            i++;
        }
        return i;
    }

    private int idOfPinnedOrFd(int fd, String pinPath) {
        int f = fd >= 0 ? fd : bpf.bpf(BpfCmd.OBJ_GET, new ObjAttr(pinPath, 0));
        ProgInfo i = f < 0 ? null : info(f);
        if (fd < 0 && f >= 0) {
            bpf.close(f);
        }
        return i == null ? 0 : i.id();
    }

    // ---- attach, detach ----

    /** {@code parse_attach_type}: the attach type's number, or -1. */
    static int attachType(String word) {
        int i = ATTACH_WORDS.indexOf(word);
        return i < 0 ? -1 : ATTACH_NUMBERS[i];
    }

    /** {@code do_attach} / {@code do_detach}: PROG ATTACH_TYPE MAP; bpftool's lines and exit codes. */
    private int attach(Output out, Args a, boolean attach) {
        if (!a.require(3, out)) {
            return Errno.EINVAL.ret();
        }
        int prog = progFd(out, a);
        if (prog < 0) {
            return -1;
        }
        try {
            int type = attachType(a.peek());
            if (type < 0) {
                out.error("invalid attach/detach type", null);
                return Errno.EINVAL.ret();
            }
            a.next();
            if (!a.require(2, out)) {
                return Errno.EINVAL.ret();
            }
            int map = mapFd(out, a);
            if (map < 0) {
                return -1;
            }
            ProgAttachAttr at = new ProgAttachAttr(map, prog, type);
            int ret = bpf.bpf(attach ? BpfCmd.PROG_ATTACH : BpfCmd.PROG_DETACH, at);
            bpf.close(map);
            if (ret < 0) {
                out.error(attach ? "failed prog attach to map" : "failed prog detach from map", at.errorMessage());
                return Errno.EINVAL.ret();
            }
            if (out.isJson()) {
                out.json().nul();
            }
            return 0;
        } finally {
            bpf.close(prog);
        }
    }
}
