package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands are words: no command line, in any mode but the interactive prompt, is Gogo script.
 * The reproductions of issue 17 (a failed command that created the file it was redirected to, a
 * {@code //} that started a comment, Gogo's own errors for {@code |} and {@code %}), and random
 * lines full of Gogo's syntax run in {@code -c}, script and standard input modes and through an
 * instance, with the working directories compared before and after: nothing is ever created.
 */
class NoFileIT {
    /** The issue's four reproductions, then the map that the fourth pins, shown through its new path. */
    private static final String REPRODUCTIONS = """
            nosuchcmd > created_by_failed_cmd
            x | y
            foo % | map show
            map create /sys/fs/bpf/base type array key 4 value 4 entries 1 name base
            map pin name base //sys/fs/bpf/dbl
            map show pinned /sys/fs/bpf/dbl
            """;
    private static final String NOT_FOUND = "Error: Command not found: nosuchcmd\nError: Command not found: x\n"
            + "Error: Command not found: foo\n";
    private static final String PINNED = "1: array  name base  flags 0x0\n\tkey 4B  value 4B  max_entries 1  memlock 320B\n";

    /** Gogo's syntax, as words and glued to others. */
    private static final String[] GOGO = {">", ">>", "2>", "&>", ">&2", "2>&1", "<", "<<", "<<<", "|", "|&", "||",
        "&&", ";", "&", "//", "//sys/fs/bpf/x", "$x", "${x}", "$(lb)", "%", "(", ")", "{", "}", "[", "]", "=", "x=1",
        "`lb`", "*", "?", "~", "\\", "'", "\"", "#", "'a b'", "\"c d\"", "'a > b'", "\"|\"", ">created", "a>b", "a|b",
        "$args", "@", "!", ">>>"};
    /** Where a redirection would write: relative names, a folder, and an absolute path (added per run). */
    private static final String[] TARGETS = {"created", "out.txt", "./dot", "sub/file", "-", ".hidden", "created2"};
    private static final String[] FIRST = {"map", "map", "map", "bpf:map", "bpftool", "bpf", "help", "providers",
        "lb", "echo", "nosuchcmd", "x", "foo", ">", "|", "$x", "(", "{", "%", "//", "'map show'"};
    private static final String[] WORDS = {"show", "list", "dump", "update", "lookup", "pin", "create", "delete",
        "name", "pinned", "id", "key", "value", "hex", "type", "array", "hash", "entries", "1", "4", "0x1", "base",
        "/sys/fs/bpf/f", "-j", "-p", "--help", "file", "close", "fd=3"};
    private static final String SPECIAL = "<>|&;$%{}()'\"\\#/=`*?~!@ ";

    @TempDir
    Path outside;
    @TempDir
    Path scripts;
    @TempDir
    Path runtime;

    private static void assertNoTrace(String stderr) {
        assertFalse(stderr.contains("\tat ") || stderr.contains("Exception"), "no stack trace:\n" + stderr);
    }

    private List<String> outsideFiles() throws Exception {
        try (Stream<Path> s = Files.list(outside)) {
            return s.map(f -> f.getFileName().toString()).toList();
        }
    }

    /** Random command lines, most built from words and Gogo's syntax, some of random characters. */
    private List<String> fuzzLines(long seed, int n) {
        Random rnd = new Random(seed);
        String abs = outside.resolve("abs").toString();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder line = new StringBuilder();
            if (rnd.nextInt(5) == 0) {
                for (int k = rnd.nextInt(40); k > 0; k--) {
                    line.append(rnd.nextInt(3) == 0 ? (char) ('a' + rnd.nextInt(26)) : SPECIAL.charAt(rnd.nextInt(SPECIAL.length())));
                }
            } else {
                line.append(FIRST[rnd.nextInt(FIRST.length)]);
                for (int k = rnd.nextInt(12); k > 0; k--) {
                    line.append(' ');
                    switch (rnd.nextInt(4)) {
                        case 0 -> line.append(WORDS[rnd.nextInt(WORDS.length)]);
                        case 1 -> line.append(rnd.nextInt(3) == 0 ? abs : TARGETS[rnd.nextInt(TARGETS.length)]);
                        default -> line.append(GOGO[rnd.nextInt(GOGO.length)]);
                    }
                }
            }
            lines.add(line.toString());
        }
        return lines;
    }

    private void assertReproductions(JarRun r, String mode) throws Exception {
        assertAll(mode + ": " + r,
                () -> assertEquals(255, r.exitCode(), "the last failure's code"),
                () -> assertEquals(NOT_FOUND, r.err(), "one Error line each, no Gogo message"),
                () -> assertEquals(PINNED, r.out(), "// is a path, not a comment: the map is pinned there"),
                () -> assertEquals(List.of(), r.leftInWorkDir(), "no file created"));
    }

    @Test
    void theReproductionsAreWordsInEveryScriptMode() throws Exception {
        assertReproductions(JarRun.run("", "-c", REPRODUCTIONS), "-c");
        assertReproductions(JarRun.run(REPRODUCTIONS), "stdin");
        Path script = Files.writeString(scripts.resolve("repro.bpf"), REPRODUCTIONS, StandardCharsets.UTF_8);
        assertReproductions(JarRun.run("", script.toString()), "script file");

        JarRun one = JarRun.run("", "-c", "nosuchcmd > created_by_failed_cmd");
        assertEquals(255, one.exitCode(), one::toString);
        assertEquals("Error: Command not found: nosuchcmd\n", one.err());
        assertEquals(List.of(), one.leftInWorkDir());
        JarRun percent = JarRun.run("", "-c", "foo % | map show");
        assertEquals(255, percent.exitCode(), "an Error line and 255, not Gogo's SyntaxError and 0: " + percent);
        assertEquals("Error: Command not found: foo\n", percent.err());
    }

    @Test
    void oneShotCommandsReachTheInstanceAsTheirWords() throws Exception {
        RunningServer s = RunningServer.start(runtime);
        try {
            List<String> before = s.workDirFiles();
            JarRun failed = s.client("nosuchcmd", ">", "created_by_failed_cmd");
            assertEquals(255, failed.exitCode(), failed::toString);
            assertEquals("Error: Command not found: nosuchcmd\n", failed.err());
            assertEquals(List.of(), failed.leftInWorkDir(), "nothing in the client's folder");
            JarRun pipe = s.client("x", "|", "y");
            assertEquals("Error: Command not found: x\n", pipe.err(), pipe::toString);
            JarRun percent = s.client("foo", "%", "|", "map", "show");
            assertEquals(255, percent.exitCode(), percent::toString);
            assertEquals("Error: Command not found: foo\n", percent.err());
            assertEquals(0, s.client("map", "create", "/sys/fs/bpf/base", "type", "array", "key", "4", "value", "4",
                    "entries", "1", "name", "base").exitCode());
            JarRun pin = s.client("map", "pin", "name", "base", "//sys/fs/bpf/dbl");
            assertEquals(0, pin.exitCode(), pin::toString);
            assertEquals(PINNED, s.client("map", "show", "pinned", "/sys/fs/bpf/dbl").out());
            // A word that Gogo would have read as a comment, a variable or a quote arrives as it is.
            JarRun named = s.client("map", "show", "name", "'a' #b $c");
            assertTrue(named.err().contains("'a' #b $c"), named::toString);
            assertEquals(before, s.workDirFiles(), "nothing in the instance's folder");
            assertNoTrace(s.stderr());
        } finally {
            s.close();
        }
    }

    @Test
    void randomLinesCreateNoFileInDashCModeOrOnStdin() throws Exception {
        List<String> lines = fuzzLines(17, 400);
        JarRun c = JarRun.run("", "-c", String.join("\n", lines));
        assertEquals(List.of(), c.leftInWorkDir(), c::toString);
        assertNoTrace(c.err());
        JarRun stdin = JarRun.run(String.join("\n", fuzzLines(18, 400)) + "\n");
        assertEquals(List.of(), stdin.leftInWorkDir(), stdin::toString);
        assertNoTrace(stdin.err());
        assertEquals(List.of(), outsideFiles(), "nor at an absolute path");
    }

    @Test
    void randomWordsCreateNoFileThroughAnInstance() throws Exception {
        RunningServer s = RunningServer.start(runtime);
        try {
            List<String> before = s.workDirFiles();
            Random rnd = new Random(19);
            int sent = 0;
            for (String line : fuzzLines(19, 400)) {
                List<String> words;
                try {
                    // as a script line splits, or at blanks (quotes and all) as a user's shell may leave them
                    words = rnd.nextBoolean() ? Words.split(line) : List.of(line.strip().split(" +"));
                } catch (IllegalArgumentException e) {
                    words = List.of(line.strip().split(" +"));
                }
                if (words.isEmpty() || words.get(0).isEmpty() || words.get(0).equals("exit")) {
                    continue;
                }
                RawClient.Response r = RawClient.run(s.socket, words);
                assertTrue(r.closed() && r.exit() >= 0, words + ": " + r);
                assertNoTrace(r.err());
                sent++;
            }
            assertTrue(sent > 300, "most lines were sent: " + sent);
            assertEquals(before, s.workDirFiles(), "nothing in the instance's folder");
            assertEquals(List.of(), outsideFiles(), "nor at an absolute path");
            assertTrue(s.alive());
            assertNoTrace(s.stderr());
        } finally {
            s.close();
        }
    }

    /** The generator makes lines that Gogo's parser would have redirected to a file: the fuzz tests can fail. */
    @Test
    void theFuzzLinesAreOnesGogoWouldHaveRedirected() {
        long redirecting = fuzzLines(17, 400).stream()
                .filter(l -> l.matches(".*(^| )(>|>>|2>|&>) (created|out\\.txt|\\./dot|\\.hidden|created2|" + Pattern.quote(outside + "/abs") + ")( .*|$)"))
                .count();
        assertTrue(redirecting > 10, "lines with a redirection to a file: " + redirecting);
    }
}
