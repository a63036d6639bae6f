package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The differential test: each command script of {@code src/test/resources/differential} runs
 * through the real bpftool on real kernel maps and through this shell ({@link Bpftool}) on its
 * own maps, once with {@code -j} and once plain, and every command's answers are compared.
 *
 * <p>JSON: exit code, standard error, and the documents field by field, except the fields that
 * differ between two worlds by nature ({@code id}, {@code bytes_memlock}, the {@code btf_*}
 * fields). Plain: exit code and both streams byte for byte, with map ids and memlock numbers
 * normalised. On both sides only this project's additions are removed: the detail line after an
 * {@code Error:} line and the {@code "detail"} key of a JSON error.
 *
 * <p>A script line is a bpftool command line (the words after {@code bpftool}); every line runs
 * with {@code -n}, so that bpftool never mounts a bpffs over a directory. In a line:
 * <ul>
 *   <li>{@code %} stands for this run's tag ({@code dXXXX_}), so that names and pin paths never
 *       meet those of another run on the machine; every path must be {@code /sys/fs/bpf/%...};
 *   <li>{@code @id(PATH)} is the id of the map pinned at PATH, resolved on each side;
 *   <li>{@code @batch(NAME)} is a file made from {@code NAME.batch} of the same folder (with
 *       {@code %} replaced);
 *   <li>a line starting with {@code ~} is compared with its elements as a multiset (the order of
 *       a hash map's elements is the hash's business);
 *   <li>{@code !rm PATH} removes a pin on both sides;
 *   <li>{@code !plain} runs the script in plain mode only (for what bpftool cannot do in JSON).
 * </ul>
 * Maps of other users of the machine that a bare {@code show} lists are left out on both sides;
 * while others have pins on the machine, each map's {@code pinned} paths ({@code -f}) are compared
 * sorted, as their order then depends on the machine's other pins.
 *
 * <p>Without bpftool 7.1, root, or a bpffs at {@code /sys/fs/bpf}, every script reports itself
 * skipped. Kernel pins (and with them the maps) are removed after each script and after the run.
 */
class BpftoolDifferentialTest {
    static final Path DIR = Path.of("src/test/resources/differential");
    private static final String BPFFS = "/sys/fs/bpf/";
    /** Fields whose values belong to one world: ids, memory accounting, BTF. */
    private static final Set<String> IGNORED = Set.of("id", "bytes_memlock", "btf_id", "btf_key_type_id",
            "btf_value_type_id", "btf_vmlinux_value_type_id");

    private static final String TAG = "d" + String.format("%04x", new SecureRandom().nextInt(0x10000)) + "_";
    private static String unavailable;
    private static boolean checked;

    static Stream<String> scripts() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".script")).sorted()
                    .map(f -> f.substring(0, f.length() - ".script".length())).toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void answersAsBpftool(String script) throws Exception {
        assumeTrue(available(), () -> "skipped: " + unavailable);
        List<String> lines = Files.readAllLines(DIR.resolve(script + ".script"));
        List<String> mismatches = new ArrayList<>();
        Path tmp = Files.createTempDirectory("bpfmaps-diff");
        try {
            boolean plainOnly = lines.contains("!plain");
            for (boolean json : plainOnly ? new boolean[] {false} : new boolean[] {true, false}) {
                try {
                    runScript(script, lines, json, tmp, mismatches);
                } finally {
                    removeKernelPins();
                }
            }
        } finally {
            try (Stream<Path> files = Files.list(tmp)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(tmp);
        }
        if (!mismatches.isEmpty()) {
            fail(script + ": " + mismatches.size() + " command(s) differ from bpftool:\n"
                    + String.join("\n", mismatches));
        }
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (checked && unavailable == null) {
            removeKernelPins();
        }
    }

    private void runScript(String script, List<String> lines, boolean json, Path tmp, List<String> mismatches)
            throws Exception {
        try (Emulator emu = new Emulator(possibleCpus())) {
            int n = 0;
            for (String raw : lines) {
                n++;
                if (raw.isBlank() || raw.startsWith("#") || raw.equals("!plain")) {
                    continue;
                }
                String line = raw.replace("%", TAG);
                if (line.startsWith("!rm ")) {
                    String path = line.substring(4).trim();
                    checkPath(path, script);
                    Files.deleteIfExists(Path.of(path));
                    emu.bpf.unlink(path, null);
                    continue;
                }
                boolean unordered = line.startsWith("~");
                if (unordered) {
                    line = line.substring(1);
                }
                line = withBatchFiles(line, tmp, script);
                List<String> words = new ArrayList<>(List.of("-n"));
                if (json) {
                    words.add("-j");
                }
                List<String> typed = new ArrayList<>(Arrays.asList(line.trim().split("\\s+")));
                List<String> kernelWords = new ArrayList<>(words);
                List<String> shellWords = new ArrayList<>(words);
                for (String w : typed) {
                    String k = resolveIds(w, this::kernelId);
                    if (k.contains("/") && !k.startsWith(tmp.toString())) {
                        checkPath(k, script);
                    }
                    kernelWords.add(k);
                    shellWords.add(resolveIds(w, emu::idOf));
                }
                boolean othersPinned = othersPinned();
                Emulator.Result want = bpftool(kernelWords);
                Emulator.Result got = emu.bpftool(shellWords);
                if (othersPinned || othersPinned()) {
                    // bpftool's -f order depends on how many maps the whole machine has pinned
                    want = pinsSorted(want);
                    got = pinsSorted(got);
                }
                String why = json ? compareJson(want, got, unordered) : comparePlain(want, got, unordered);
                if (why != null) {
                    mismatches.add(String.format("%s line %d (%s): %s%n    %s%n  bpftool: exit %d%n%s%s  shell:   "
                            + "exit %d%n%s%s", script, n, json ? "-j" : "plain", why, raw, want.exit(),
                            indent(want.stdout()), indent(want.stderr()), got.exit(), indent(got.stdout()),
                            indent(got.stderr())));
                }
            }
        }
    }

    // ---- the two worlds ----

    /** Whether bpftool 7.1 runs here as root on a bpffs; else why not, in {@link #unavailable}. */
    private static synchronized boolean available() {
        if (!checked) {
            checked = true;
            unavailable = whyUnavailable();
        }
        return unavailable == null;
    }

    private static String whyUnavailable() {
        try {
            if (!"bpf".equals(Files.getFileStore(Path.of(BPFFS)).type())) {
                return BPFFS + " is not a bpffs";
            }
        } catch (IOException e) {
            return "no bpffs at " + BPFFS + " (" + e.getMessage() + ")";
        }
        Emulator.Result v;
        try {
            v = bpftool(List.of("version"));
        } catch (IOException e) {
            return "bpftool is not installed (" + e.getMessage() + ")";
        }
        if (v.exit() != 0 || !v.stdout().startsWith("bpftool v7.1.")) {
            return "the test compares with bpftool 7.1; found: " + v.stdout().lines().findFirst().orElse("?");
        }
        try {
            Emulator.Result show = bpftool(List.of("-j", "map", "show"));
            if (show.exit() != 0) {
                return "bpftool cannot list maps (not root?): " + show.stdout() + show.stderr();
            }
        } catch (IOException e) {
            return "bpftool cannot list maps: " + e.getMessage();
        }
        return null;
    }

    private static Emulator.Result bpftool(List<String> words) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("bpftool");
        cmd.addAll(words);
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        // small outputs: read both streams after exit would risk a full pipe only past 64 KiB
        byte[][] streams = new byte[2][];
        Thread errReader = new Thread(() -> {
            try {
                streams[1] = p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                streams[1] = new byte[0];
            }
        });
        errReader.start();
        streams[0] = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("bpftool did not end: " + cmd);
            }
            errReader.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Emulator.Result(p.exitValue(), new String(streams[0], StandardCharsets.UTF_8),
                new String(streams[1], StandardCharsets.UTF_8));
    }

    private int kernelId(String path) {
        try {
            Emulator.Result r = bpftool(List.of("-j", "map", "show", "pinned", path));
            Object doc = Json.documents(r.stdout()).get(0);
            return ((Long) ((Map<?, ?>) doc).get("id")).intValue();
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("no map pinned at " + path + " on the kernel", e);
        }
    }

    private static void removeKernelPins() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(BPFFS))) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith(TAG)).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Whether someone else has something pinned on this machine: bpftool puts every pinned map of
     * the machine in one hash table, whose growth decides the order of a map's {@code pinned}
     * paths. The bpffs's own iterator links ({@code maps.debug}, {@code progs.debug}) are no maps.
     */
    private static boolean othersPinned() {
        try (Stream<Path> all = Files.walk(Path.of(BPFFS))) {
            return all.skip(1).map(p -> p.getFileName().toString())
                    .anyMatch(n -> !n.startsWith(TAG) && !n.equals("maps.debug") && !n.equals("progs.debug"));
        } catch (IOException | java.io.UncheckedIOException e) {
            return true;
        }
    }

    private static final Pattern PINNED_JSON = Pattern.compile("(\"pinned\": ?\\[)([^\\]]*)(\\s*\\])");
    private static final Pattern PINNED_PLAIN = Pattern.compile("(?:\tpinned [^\n]*\n)+");

    /** The {@code pinned} paths of each map in sorted order, JSON and plain. */
    private static Emulator.Result pinsSorted(Emulator.Result r) {
        String s = PINNED_JSON.matcher(r.stdout()).replaceAll(m -> {
            List<String> paths = new ArrayList<>(Arrays.asList(m.group(2).trim().split(",")));
            Collections.sort(paths);
            return Matcher.quoteReplacement(m.group(1) + String.join(",", paths) + m.group(3));
        });
        s = PINNED_PLAIN.matcher(s).replaceAll(m -> {
            List<String> lines = new ArrayList<>(Arrays.asList(m.group().split("(?<=\n)")));
            Collections.sort(lines);
            return Matcher.quoteReplacement(String.join("", lines));
        });
        return new Emulator.Result(r.exit(), s, r.stderr());
    }

    /** Never a path outside this run's names in the bpffs: bpftool could mount over a directory. */
    private static void checkPath(String path, String script) {
        if (!path.startsWith(BPFFS + TAG) || path.contains("..")) {
            throw new AssertionError(script + ": refusing path " + path + " (paths are /sys/fs/bpf/%...)");
        }
    }

    private static int possibleCpus() {
        try {
            String s = Files.readString(Path.of("/sys/devices/system/cpu/possible")).trim();
            int n = 0;
            for (String range : s.split(",")) {
                String[] ab = range.split("-");
                n += ab.length == 1 ? 1 : Integer.parseInt(ab[1]) - Integer.parseInt(ab[0]) + 1;
            }
            return n;
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    private static final Pattern ID = Pattern.compile("@id\\(([^)]*)\\)");
    private static final Pattern BATCH = Pattern.compile("@batch\\(([^)]*)\\)");

    private static String resolveIds(String word, java.util.function.ToIntFunction<String> idOf) {
        Matcher m = ID.matcher(word);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, Integer.toString(idOf.applyAsInt(m.group(1))));
        }
        return m.appendTail(b).toString();
    }

    private static String withBatchFiles(String line, Path tmp, String script) throws IOException {
        Matcher m = BATCH.matcher(line);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String text = Files.readString(DIR.resolve(m.group(1) + ".batch")).replace("%", TAG);
            for (String w : text.split("[\\s'\"]+")) {
                if (w.contains("/")) {
                    checkPath(w, script);
                }
            }
            Path f = tmp.resolve(m.group(1) + ".batch");
            Files.writeString(f, text);
            m.appendReplacement(b, Matcher.quoteReplacement(f.toString()));
        }
        return m.appendTail(b).toString();
    }

    // ---- comparing ----

    /**
     * bpftool's one answer this shell deliberately does not copy: a {@code name} handle that
     * matches no map makes bpftool exit 255 without a word (not even a JSON document); the shell
     * says why, as for every other handle that opens nothing (and -j mode keeps its one document).
     */
    private static boolean silentNameMiss(Emulator.Result want, Emulator.Result got) {
        boolean silent = want.exit() == 255 && want.stderr().isEmpty() && want.stdout().isBlank();
        return silent && got.exit() == 255 && (got.stdout() + got.stderr()).contains(
                "get map by name (" + TAG);
    }

    private static final Pattern ERROR_THEN_NULL = Pattern.compile("(\\{\"error\":\"[^\"]*\"\\}),null\n");

    /**
     * The other deliberate difference: where bpftool prints an error and then its usage (too few
     * words after {@code inner_map}), its JSON is the error and {@code null} glued by a comma,
     * which is not a JSON stream; the shell prints the error document alone.
     */
    private static String errorThenUsage(String bpftoolJson) {
        Matcher m = ERROR_THEN_NULL.matcher(bpftoolJson);
        return m.matches() ? m.group(1) + "\n" : bpftoolJson;
    }

    private static String compareJson(Emulator.Result want, Emulator.Result got, boolean unordered) {
        if (silentNameMiss(want, got)) {
            return null;
        }
        if (want.exit() != got.exit()) {
            return "exit code";
        }
        if (!want.stderr().equals(BpftoolRecordingTest.withoutDetailLines(got.stderr()))) {
            return "standard error";
        }
        List<Object> a;
        List<Object> b;
        try {
            a = Json.documents(errorThenUsage(want.stdout()));
        } catch (IllegalArgumentException e) {
            return "bpftool's output is not JSON: " + e.getMessage();
        }
        try {
            b = Json.documents(got.stdout());
        } catch (IllegalArgumentException e) {
            return "the shell's output is not JSON: " + e.getMessage();
        }
        if (b.size() != 1 && !(a.isEmpty() && b.isEmpty())) {
            return "the shell printed " + b.size() + " JSON documents, not one";
        }
        Object x = normalise(a, unordered, false);
        Object y = normalise(b, unordered, true);
        return x.equals(y) ? null : "JSON differs:\n    bpftool: " + x + "\n    shell:   " + y;
    }

    /**
     * A document as compared: ignored fields out, the shell's "detail" out, maps of other users
     * out of arrays, and with {@code unordered} the arrays of elements sorted by their text.
     */
    private static Object normalise(Object v, boolean unordered, boolean shell) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String k = (String) e.getKey();
                if (IGNORED.contains(k) || (shell && k.equals("detail") && m.containsKey("error"))) {
                    continue;
                }
                out.put(k, normalise(e.getValue(), unordered, shell));
            }
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object o : l) {
                if (o instanceof Map<?, ?> m && m.containsKey("type")
                        && !(m.get("name") instanceof String name && name.startsWith(TAG))) {
                    continue; // a map of someone else on this machine
                }
                out.add(normalise(o, unordered, shell));
            }
            if (unordered && out.stream().allMatch(o -> o instanceof Map<?, ?> m && m.containsKey("key"))) {
                out.sort((p, q) -> p.toString().compareTo(q.toString()));
            }
            return out;
        }
        return v;
    }

    private static final Pattern PLAIN_ID = Pattern.compile("(?m)^\\d+: ");
    private static final Pattern MEMLOCK = Pattern.compile("memlock \\d+B");
    private static final Pattern BTF = Pattern.compile("btf_id \\d+");
    private static final Pattern JSON_MEMLOCK = Pattern.compile("(\"bytes_memlock\": ?)\\d+");

    private static String comparePlain(Emulator.Result want, Emulator.Result got, boolean unordered) {
        if (silentNameMiss(want, got)) {
            return null;
        }
        if (want.exit() != got.exit()) {
            return "exit code";
        }
        if (!want.stderr().equals(BpftoolRecordingTest.withoutDetailLines(got.stderr()))) {
            return "standard error";
        }
        String x = plain(want.stdout(), unordered);
        String y = plain(got.stdout(), unordered);
        if (!x.equals(y) && isJson(want.stdout()) && isJson(got.stdout())) {
            // the line asked for JSON itself (-p): compared as JSON, with other users' maps left out
            return compareJson(want, got, unordered);
        }
        return x.equals(y) ? null : "standard output";
    }

    private static boolean isJson(String out) {
        try {
            return !Json.documents(out).isEmpty();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String plain(String out, boolean unordered) {
        String s = withoutOthersMaps(out);
        s = BTF.matcher(MEMLOCK.matcher(PLAIN_ID.matcher(s).replaceAll("ID: ")).replaceAll("memlock NB"))
                .replaceAll("btf_id N");
        // a line may ask for JSON itself (-j, -p)
        s = JSON_MEMLOCK.matcher(BpftoolRecordingTest.normaliseIds(s)).replaceAll("$1N");
        s = BpftoolRecordingTest.withoutDetail(s);
        if (unordered) {
            List<String> lines = new ArrayList<>(Arrays.asList(s.split("\n", -1)));
            Collections.sort(lines);
            s = String.join("\n", lines);
        }
        return s;
    }

    /** Drops the show blocks (a header and its tab-indented lines) of maps not named with this run's tag. */
    private static String withoutOthersMaps(String out) {
        StringBuilder b = new StringBuilder();
        boolean skipping = false;
        for (String l : out.split("(?<=\n)")) {
            if (l.matches("\\d+: .*\n?")) {
                skipping = !l.contains("  name " + TAG);
                if (skipping && l.matches("\\d+: \\S+  flags .*\n?")) {
                    skipping = true; // an unnamed map: never ours
                }
            } else if (!l.startsWith("\t")) {
                skipping = false;
            }
            if (!skipping) {
                b.append(l);
            }
        }
        return b.toString();
    }

    private static String indent(String s) {
        if (s.isEmpty()) {
            return "";
        }
        return ("    | " + s.replace("\n", "\n    | ")).replaceAll("\n    \\| $", "\n")
                + (s.endsWith("\n") ? "" : "(no newline)\n");
    }
}
