package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The interactive prompt in a real terminal: bpfmaps.jar runs in a tmux pane (a server of the
 * test's own), keys are typed with send-keys and the screen read with capture-pane, polled until
 * what is expected shows up or a deadline passes. Without tmux the test is skipped, never passed.
 */
class TerminalIT {
    private static final long DEADLINE_MS = 30_000;
    private static final String PROMPT = "bpf> ";

    private final String socket = "bpfmaps-it-" + ProcessHandle.current().pid();
    private Path home;

    @BeforeEach
    void tmuxIsThere() throws Exception {
        Assumptions.assumeTrue(run("tmux", "-V").exit == 0, "tmux is not installed (.ci/run installs it)");
        home = Files.createTempDirectory("bpfmaps-tty-");
    }

    @AfterEach
    void stopTmux() throws Exception {
        if (home != null) {
            run("tmux", "-L", socket, "kill-server");
            JarRun.deleteTree(home);
        }
    }

    @Test
    void lineEditingHistoryCompletionCtrlCAndCtrlD() throws Exception {
        start();

        // A typo, fixed with line editing: to the start of the line (C-a), delete the x (Delete).
        type("xlb -s");
        keys("C-a", "DC", "Enter");
        String s = awaitPrompts(2);
        assertTrue(s.contains("|org.bpfmaps.core.api "), s);
        assertFalse(s.contains("Command not found"), s);

        // Another, fixed with the arrow keys: back over "s", insert the missing "-".
        type("lb s");
        keys("Left");
        type("-");
        keys("Enter");
        s = awaitPrompts(3);
        assertEquals(2, count(s, "|org.bpfmaps.map.array "), s);

        // Tab completes a command name, with its scope and without.
        type("felix:hel");
        keys("Tab");
        await(sc -> currentLine(sc).equals(PROMPT + "felix:help"), "felix:hel<Tab> -> felix:help");
        keys("C-u");
        type("hel");
        keys("Tab");
        await(sc -> currentLine(sc).equals(PROMPT + "help"), "hel<Tab> -> help");
        keys("Enter");
        s = awaitPrompts(4);
        assertTrue(s.contains("scr:list"), "help ran:\n" + s);
        // The shell's commands, from their Gogo service.
        type("bpf:ma");
        keys("Tab");
        await(sc -> currentLine(sc).equals(PROMPT + "bpf:map"), "bpf:ma<Tab> -> bpf:map");
        keys("C-u");
        type("provi");
        keys("Tab");
        await(sc -> currentLine(sc).equals(PROMPT + "providers"), "provi<Tab> -> providers");
        keys("C-u");

        // Up recalls the line before: the corrected one, not the typo.
        keys("Up", "Up");
        await(sc -> currentLine(sc).equals(PROMPT + "lb -s"), "Up Up -> lb -s");
        keys("Enter");
        s = awaitPrompts(5);
        assertEquals(3, count(s, "|org.bpfmaps.map.array "), s);

        // Ctrl-C drops the line being typed: nothing runs, a fresh prompt follows.
        type("nosuch");
        keys("C-c");
        s = awaitPrompts(6);
        assertFalse(s.contains("Command not found"), s);

        // Ctrl-D on an empty line leaves, with exit code 0, and a clean framework shutdown.
        keys("C-d");
        assertEquals("0", awaitExitCode());
        try (Stream<Path> left = Files.list(home.resolve("tmp"))) {
            assertEquals(List.of(), left.toList(), "the framework's storage (and JLine's library) are deleted");
        }
        String history = Files.readString(home.resolve(".bpfmaps_history"), StandardCharsets.UTF_8);
        assertTrue(history.contains("lb -s") && history.contains("help"), history);
        assertFalse(history.contains("nosuch"), "a cancelled line is not history:\n" + history);
    }

    /**
     * Tab on the arguments, from the live state: subcommands, keywords, map names, pinned paths,
     * map types, ids and flags, each completed on the prompt's line as a user sees it; then
     * {@code help map} and {@code map --help} print the usage.
     */
    @Test
    void tabCompletesArgumentsFromTheLiveStateAndHelpPrintsUsage() throws Exception {
        start();
        type("map create /sys/fs/bpf/counters type array key 4 value 8 entries 4 name counters");
        keys("Enter");
        awaitPrompts(2);

        type("map sh");
        keys("Tab");
        await(sc -> currentLine(sc).equals(PROMPT + "map show"), "map sh<Tab> -> map show");
        keys("C-u");
        type("map dump name cou");
        keys("Tab");
        await(sc -> currentLine(sc).equals(PROMPT + "map dump name counters"), "a map's name");
        keys("C-u");
        type("map dump pinned /sys/fs/bpf/co");
        keys("Tab");
        await(sc -> currentLine(sc).equals(PROMPT + "map dump pinned /sys/fs/bpf/counters"), "a pinned path");
        keys("C-u");
        type("map create /sys/fs/bpf/other ty");
        keys("Tab");
        await(sc -> currentLine(sc).equals(PROMPT + "map create /sys/fs/bpf/other type"), "create's keyword");
        type("percpu_a"); // Tab left a space after the keyword
        keys("Tab");
        await(sc -> currentLine(sc).equals(PROMPT + "map create /sys/fs/bpf/other type percpu_array"),
                "a map type served now");
        keys("C-u");
        // Several candidates: listed under the line, which stays as typed.
        type("map dump ");
        keys("Tab");
        await(sc -> sc.contains("id") && sc.contains("name") && sc.contains("pinned")
                && sc.contains(PROMPT + "map dump"), "the handle keywords listed");
        keys("C-u");
        type("map upd");
        keys("Tab");
        await(sc -> currentLine(sc).equals(PROMPT + "map update"), "map upd<Tab> -> map update");
        type("i");
        keys("Tab");
        await(sc -> currentLine(sc).equals(PROMPT + "map update id"), "id");
        keys("Tab");
        await(sc -> currentLine(sc).equals(PROMPT + "map update id 1"), "the only map's id");
        type("key 1 0 0 0 value 2 0 0 0 0 0 0 0 noe");
        keys("Tab");
        await(sc -> currentLine(sc).equals(PROMPT + "map update id 1 key 1 0 0 0 value 2 0 0 0 0 0 0 0 noexist"),
                "an UPDATE_FLAG");
        keys("C-u");
        type("map -j --pr");
        keys("Tab");
        await(sc -> currentLine(sc).equals(PROMPT + "map -j --pretty"), "an option");
        keys("C-u");

        // conformance is the conformance bundle's command: its FILE is a path, then map types.
        Path corpus = Path.of("..", "corpus", "kernel-6.18.json").toAbsolutePath().normalize();
        type("conformance " + corpus.getParent() + "/kernel-6.1");
        keys("Tab");
        await(sc -> currentLine(sc).equals(PROMPT + "conformance " + corpus), "the corpus's path");
        type("lpm"); // Tab left a space after the path
        keys("Tab");
        await(sc -> currentLine(sc).equals(PROMPT + "conformance " + corpus + " lpm_trie"), "a map type served now");
        keys("C-u");

        type("help map");
        keys("Enter");
        String s = awaitPrompts(3);
        assertTrue(s.contains("DESCRIPTION") && s.contains("bpf:map") && s.contains("SYNTAX")
                && s.contains("map [OPTIONS] update MAP [key DATA] [value VALUE] [UPDATE_FLAGS]")
                && s.contains("EXAMPLES"), "help map:\n" + s);
        type("help");
        keys("Enter");
        s = awaitPrompts(4);
        assertTrue(s.contains("COMMANDS") && s.contains("bpf:providers") && s.contains("felix:lb"), "help:\n" + s);
        keys("C-d");
        assertEquals("0", awaitExitCode());
    }

    @Test
    void historyIsKeptAcrossRunsAndExitLeavesWithZero() throws Exception {
        start();
        type("lb -s");
        keys("Enter");
        awaitPrompts(2);
        type("exit");
        keys("Enter");
        assertEquals("0", awaitExitCode());

        run("tmux", "-L", socket, "kill-server");
        Files.delete(home.resolve("exit-code"));
        start();
        keys("Up", "Up");
        await(sc -> currentLine(sc).equals(PROMPT + "lb -s"), "the previous run's line, recalled with Up");
        keys("C-u", "C-d");
        assertEquals("0", awaitExitCode());
    }

    /**
     * Ctrl-C while a command runs: the command stops between two cases, and what it prints on its
     * way out (the counts of the cases replayed, then why it stopped) comes before the next prompt,
     * not over it (the launcher waits for the command to end: Gogo lets the line go at the
     * interrupt, and the counts used to come late, over the prompt). A case cut short by the
     * interrupt (its sockets' channels close) is no failure. The session goes on.
     *
     * <p>The corpus is the kernel corpus's SOCKMAP and SOCKHASH cases, copied {@value #COPIES}
     * times under new names: its run lasts far longer than a Ctrl-C takes to arrive, even on a
     * loaded machine (with the kernel corpus alone the run could end first), and Ctrl-C is sent
     * once the replay is seen under way: the jar holds a TCP socket (before, it came while the
     * file was still being parsed, so no case was ever cut short).
     */
    @Test
    void ctrlCWhileACommandRunsKeepsTheSessionGoing() throws Exception {
        Path kernel = Path.of("..", "corpus", "kernel-6.18.json").toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isRegularFile(kernel), kernel + " is there");
        Path corpus = home.resolve("sockets.json");
        int total = socketCases(kernel, corpus);
        start();
        long jar = jarPid();
        assertEquals(Set.of(), tcpSockets(jar), "no TCP socket before the run");
        type("conformance " + corpus);
        keys("Enter");
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (tcpSockets(jar).isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail("the run opened no TCP socket within " + DEADLINE_MS + " ms; the screen:\n" + screen());
            }
            Thread.sleep(1); // the poll interval of the jar's sockets
        }
        keys("C-c");
        String s = awaitPrompts(2);
        assertTrue(s.contains("^C"), "the terminal echoed ^C: it came while the command ran\n" + s);
        java.util.regex.Matcher counts = Pattern.compile("(\\d+) passed, 0 failed, (\\d+) skipped\n"
                + "Error: interrupted: the counts above cover the cases replayed before Ctrl-C\n"
                + Pattern.quote(PROMPT.strip())).matcher(s);
        assertTrue(counts.find(), "the counts, then why the run stopped, then the prompt:\n" + s);
        int replayed = Integer.parseInt(counts.group(1)) + Integer.parseInt(counts.group(2));
        assertTrue(replayed < total, replayed + " of " + total + " cases: the run stopped at Ctrl-C");
        assertFalse(s.contains("Error: interrupted\n"), "the command said why it stopped; nothing more:\n" + s);
        // Gogo closes the streams of a session whose job it interrupts; commands must still print.
        type("providers");
        keys("Enter");
        s = awaitPrompts(3);
        assertTrue(s.contains("types array percpu_array"), "the output of providers:\n" + s);
        assertFalse(s.contains("Exception"), s);
        // At the prompt: a Ctrl-D typed while a command still prints is lost, as in bash (the
        // terminal is not in JLine's raw mode then; it was sent so, and lost, on a loaded machine).
        keys("C-d");
        assertEquals("0", awaitExitCode());
    }

    private static final int COPIES = 50;

    /**
     * Writes the SOCKMAP and SOCKHASH cases of {@code from}, {@value #COPIES} times under new
     * names, into {@code to}; their number.
     */
    private static int socketCases(Path from, Path to) throws IOException {
        JSON json = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES); // "key": null is a recorded value
        Map<String, Object> corpus = json.mapFrom(Files.readString(from));
        List<Object> cases = new ArrayList<>();
        for (int i = 0; i < COPIES; i++) {
            for (Object c : (List<?>) corpus.get("cases")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) c); // the rest shared
                Object type = ((Map<?, ?>) copy.get("map")).get("type");
                if (type.equals("SOCKMAP") || type.equals("SOCKHASH")) {
                    copy.put("name", copy.get("name") + "#" + i);
                    cases.add(copy);
                }
            }
        }
        assertFalse(cases.isEmpty(), "the kernel corpus has SOCKMAP and SOCKHASH cases");
        corpus.put("cases", cases);
        Files.writeString(to, json.asString(corpus));
        return cases.size();
    }

    /** The jar's process: the pane runs a shell whose child (through env's exec) is java. */
    private long jarPid() throws Exception {
        long pane = Long.parseLong(run("tmux", "-L", socket, "display-message", "-p", "-t", "bpf", "#{pane_pid}").out.strip());
        return ProcessHandle.of(pane).orElseThrow().descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("no java process under the pane")).pid();
    }

    /** The inodes of the TCP sockets the process holds: its socket fds that the kernel's TCP tables list. */
    private static Set<String> tcpSockets(long pid) throws IOException {
        Set<String> held = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[")) {
                        held.add(link.substring("socket:[".length(), link.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        Set<String> tcp = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            if (Files.exists(Path.of(table))) {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && held.contains(f[9])) {
                        tcp.add(f[9]);
                    }
                }
            }
        }
        return tcp;
    }

    // ---- tmux ------------------------------------------------------------------------------

    /** Starts the jar in a new 120x30 pane; its exit code lands in HOME/exit-code. */
    private void start() throws Exception {
        // The runtime directory is the test's own: the prompt's socket is no one else's.
        StringBuilder cmd = new StringBuilder("env 'XDG_RUNTIME_DIR=" + home + "' ");
        for (String a : JarRun.command(home)) {
            cmd.append('\'').append(a.replace("'", "'\\''")).append("' ");
        }
        cmd.append("; echo $? > '").append(home.resolve("exit-code")).append('\'');
        Result r = run("tmux", "-L", socket, "new-session", "-d", "-s", "bpf", "-x", "120", "-y", "30", cmd.toString());
        assertEquals(0, r.exit, "tmux new-session: " + r.out);
        awaitPrompts(1);
    }

    private void type(String literal) throws Exception {
        run("tmux", "-L", socket, "send-keys", "-t", "bpf", "-l", literal);
    }

    private void keys(String... keys) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket, "send-keys", "-t", "bpf"));
        cmd.addAll(List.of(keys));
        run(cmd.toArray(String[]::new));
    }

    private int cursorRow() throws Exception {
        return Integer.parseInt(run("tmux", "-L", socket, "display-message", "-p", "-t", "bpf", "#{cursor_y}").out.strip());
    }

    /** The pane with its scrollback. */
    private String screen() throws Exception {
        return run("tmux", "-L", socket, "capture-pane", "-p", "-J", "-S", "-1000", "-t", "bpf").out;
    }

    /** The last line on the screen that is not blank: where the cursor's line is. */
    private static String currentLine(String screen) {
        String[] lines = screen.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank()) {
                return lines[i].stripTrailing();
            }
        }
        return "";
    }

    /** Waits until the screen shows {@code n} prompts and the last line is an empty prompt. */
    private String awaitPrompts(int n) throws Exception {
        return await(s -> count(s, PROMPT) >= n && currentLine(s).equals(PROMPT.strip()), n + " prompts");
    }

    private String await(Predicate<String> ok, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        String s = screen();
        while (!ok.test(s)) {
            if (System.nanoTime() > deadline) {
                fail("no " + what + " within " + DEADLINE_MS + " ms; the screen:\n" + s);
            }
            Thread.sleep(20); // the poll interval of capture-pane
            s = screen();
        }
        return s;
    }

    private String awaitExitCode() throws Exception {
        Path f = home.resolve("exit-code");
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (!Files.exists(f) || Files.readString(f).isBlank()) {
            if (System.nanoTime() > deadline) {
                fail("bpfmaps.jar did not exit within " + DEADLINE_MS + " ms; the screen:\n" + screen());
            }
            Thread.sleep(20);
        }
        return Files.readString(f).strip();
    }

    private static int count(String haystack, String needle) {
        return haystack.split(Pattern.quote(needle), -1).length - 1;
    }

    private record Result(int exit, String out) {}

    private static Result run(String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(127, e.getMessage());
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish");
        }
        return new Result(p.exitValue(), out);
    }
}
