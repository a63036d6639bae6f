package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapFdInfo;
import org.bpfmaps.core.api.ObjAttr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random token sequences built from the grammar's own words (subcommands and their
 * abbreviations, keywords, options, map types, handles of live maps, byte forms, junk), run
 * through {@link Bpftool} on maps of every served type. Every line must answer with an
 * {@code Error:} line, the usage, or a valid result: never a stack trace or an internal error,
 * never a hang, in {@code -j} mode exactly one JSON document; no fd may stay open; and a map the
 * line does not name (by pin path, name or a number equal to its id) keeps its elements and its
 * frozen state.
 */
class GrammarFuzzTest {
    private static final String[] COMMANDS = {"show", "list", "help", "dump", "update", "lookup", "getnext",
        "delete", "pin", "event_pipe", "create", "peek", "push", "enqueue", "pop", "dequeue", "freeze", "s", "l",
        "d", "u", "lo", "g", "de", "p", "pe", "pu", "po", "e", "en", "c", "f", "frobnicate", ""};
    private static final String[] KEYWORDS = {"id", "name", "pinned", "key", "value", "hex", "any", "exist",
        "noexist", "type", "entries", "flags", "inner_map", "dev", "cpu", "index", "file", "i", "n", "k", "v", "h",
        "t", "ke", "va", "en", "fl", "in", "a", "ex", "no"};
    private static final String[] TYPES = {"array", "hash", "percpu_array", "percpu_hash", "lru_hash",
        "lru_percpu_hash", "queue", "stack", "lpm_trie", "bloom_filter", "ringbuf", "nosuch", "ARRAY"};
    private static final String[] OPTIONS = {"-j", "-p", "-f", "-n", "-d", "-m", "-V", "-h", "-x", "-jp", "--json",
        "--pretty", "--bpffs", "--nomount", "--b", "--help", "--version", "--", "-B", "--json=1"};
    private static final String[] BYTES = {"0", "1", "4", "8", "255", "256", "0x1", "0xff", "0x1g", "-1", "010",
        "08", "ff", "0g", "4294967296", "99999999999999999999", "+1", "0x"};
    private static final String[] JUNK = {"'", "\"", "\\", "%s", "%n", "/", "..", "/sys/fs/bpf", "/sys/fs/bpf/",
        "/sys/fs/bpf/new", "/sys/fs/bpf/nodir/x", "/sys/fs/bpf/a.b", "/tmp/fuzz-nothere", "nonexistent.batch",
        "\u00e9", "0 0 0 0", "x".repeat(300)};
    private static final String[] TOP = {"map", "map", "map", "map", "map", "m", "batch", "help", "version", "prog",
        "b", ""};

    /** The fixture: a map of each served type, pinned, with some elements. */
    private static final String[][] MAPS = {
        {"/sys/fs/bpf/fa", "fa", "array", "4", "4", "4"},
        {"/sys/fs/bpf/fpa", "fpa", "percpu_array", "4", "8", "2"},
        {"/sys/fs/bpf/fh", "fh", "hash", "4", "4", "4"},
        {"/sys/fs/bpf/fph", "fph", "percpu_hash", "4", "4", "4"},
        {"/sys/fs/bpf/flh", "flh", "lru_hash", "4", "4", "4"},
        {"/sys/fs/bpf/flp", "flp", "lru_percpu_hash", "4", "4", "4"},
        {"/sys/fs/bpf/fd1", "dup", "hash", "2", "2", "2"},
        {"/sys/fs/bpf/fd2", "dup", "array", "4", "2", "2"},
    };

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void everyLineAnswersAndLeavesUnnamedMapsAlone(long seed) {
        Random rnd = new Random(seed);
        try (Emulator emu = new Emulator()) {
            for (String[] m : MAPS) {
                Emulator.Result r = emu.map("create " + m[0] + " type " + m[2] + " key " + m[3] + " value " + m[4]
                        + " entries " + m[5] + " name " + m[1]);
                assertEquals(0, r.exit(), r.stderr());
                assertEquals(0, emu.map("update pinned " + m[0] + " key 1" + " 0".repeat(Integer.parseInt(m[3]) - 1)
                        + " value " + "7 ".repeat(Integer.parseInt(m[4]))).exit());
            }
            Map<String, Integer> ids = new LinkedHashMap<>();
            for (String[] m : MAPS) {
                ids.put(m[0], emu.idOf(m[0]));
            }
            for (int n = 0; n < 600; n++) {
                List<String> words = line(rnd, ids);
                Map<String, String> before = snapshot(emu);
                Emulator.Result r = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> emu.bpftool(words),
                        () -> "hangs: " + words);
                check(words, r);
                Map<String, String> after = snapshot(emu);
                for (String[] m : MAPS) {
                    if (!named(words, m, ids.get(m[0]))) {
                        assertEquals(before.get(m[0]), after.get(m[0]),
                                "seed " + seed + ": '" + String.join(" ", words) + "' changed " + m[0]);
                    }
                }
                emu.assertNoFdOpen(String.join(" ", words));
            }
        }
    }

    private static String pick(Random rnd, String[] from) {
        return from[rnd.nextInt(from.length)];
    }

    private static List<String> line(Random rnd, Map<String, Integer> ids) {
        List<String> w = new ArrayList<>();
        w.add(pick(rnd, TOP));
        if (rnd.nextInt(4) != 0) {
            w.add(pick(rnd, COMMANDS));
        }
        int n = rnd.nextInt(14);
        for (int i = 0; i < n; i++) {
            String[] m = MAPS[rnd.nextInt(MAPS.length)];
            switch (rnd.nextInt(10)) {
                case 0 -> w.add(pick(rnd, KEYWORDS));
                case 1 -> w.add(pick(rnd, TYPES));
                case 2 -> w.add(pick(rnd, OPTIONS));
                case 3, 4 -> w.add(pick(rnd, BYTES));
                case 5 -> w.add(pick(rnd, JUNK));
                case 6 -> {
                    w.add("pinned");
                    w.add(m[0]);
                }
                case 7 -> {
                    w.add("name");
                    w.add(m[1]);
                }
                case 8 -> {
                    w.add("id");
                    w.add(Integer.toString(ids.get(m[0])));
                }
                default -> {
                    // a well-formed element clause for one of the maps, so that writes happen
                    w.add("key");
                    w.add(Integer.toString(rnd.nextInt(3)));
                    for (int k = 1; k < Integer.parseInt(m[3]); k++) {
                        w.add("0");
                    }
                    if (rnd.nextBoolean()) {
                        w.add("value");
                        for (int k = 0; k < Integer.parseInt(m[4]); k++) {
                            w.add(pick(rnd, BYTES));
                        }
                    }
                }
            }
        }
        return w;
    }

    /** The map is named when its path, its name or a number equal to its id is a word of the line. */
    private static boolean named(List<String> words, String[] m, int id) {
        for (String w : words) {
            Long v = CNumbers.strtoul(w, 0);
            if (w.equals(m[0]) || w.equals(m[1]) || (v != null && v == id && !w.isEmpty())) {
                return true;
            }
        }
        return false;
    }

    private static void check(List<String> words, Emulator.Result r) {
        String all = r.stdout() + r.stderr();
        String line = String.join(" ", words);
        if (all.contains("internal error") || all.contains("\tat ") || all.contains("Exception")) {
            fail("'" + line + "' printed a Java failure:\n" + all);
        }
        boolean json = Options.parse(words).json; // as getopt reads them: not after "--" or a bad option
        if (r.exit() != 0 && !json) {
            boolean explained = all.contains("Error: ") || all.contains("Usage: ") || all.contains("Not found")
                    || all.contains("Found ");
            assertTrue(explained, () -> "'" + line + "' failed (exit " + r.exit() + ") without saying why:\n" + all);
        }
        if (json && !r.stdout().isEmpty()) {
            // one document, nothing else
            try {
                List<Object> docs = Json.documents(r.stdout());
                assertEquals(1, docs.size(), () -> "'" + line + "' printed " + docs.size() + " documents");
            } catch (IllegalArgumentException e) {
                fail("'" + line + "' printed no JSON: " + e.getMessage());
            }
        }
    }

    /** Each fixture map's elements and frozen state, read through the dispatcher. */
    private static Map<String, String> snapshot(Emulator emu) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String[] m : MAPS) {
            int fd = emu.bpf.bpf(BpfCmd.OBJ_GET, new ObjAttr(m[0], 0));
            if (fd < 0) {
                out.put(m[0], "unpinned");
                continue;
            }
            MapFdInfo info = emu.bpf.fdinfo(fd);
            StringBuilder b = new StringBuilder("frozen=" + info.frozen());
            int ks = info.keySize();
            int vs = MapKinds.valueBufferSize(info.mapType(), info.valueSize(), emu.bpf.settings().possibleCpus());
            ByteBuffer key = null;
            ByteBuffer next = ByteBuffer.allocate(ks);
            List<String> elems = new ArrayList<>();
            for (int guard = 0; guard < 100; guard++) {
                MapElemAttr a = new MapElemAttr().set(fd, key, null, 0);
                a.nextKey = next;
                if (emu.bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, a) != 0) {
                    break;
                }
                key = ByteBuffer.wrap(next.array().clone());
                ByteBuffer value = ByteBuffer.allocate(vs);
                emu.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, key, value, 0));
                elems.add(HexFormat.of().formatHex(key.array()) + "=" + HexFormat.of().formatHex(value.array()));
            }
            elems.sort(null);
            out.put(m[0], b.append(' ').append(elems).toString());
            emu.bpf.close(fd);
        }
        return out;
    }
}
