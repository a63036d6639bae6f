package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bpfmaps.jar run without a terminal: commands on standard input, {@code -c} and FILE.
 *
 * <p>The launcher's rules are checked with Gogo's own commands, which do not change with the
 * shell ({@code lb} succeeds, an unknown command throws), and with {@code bpf close fd=999}, a
 * raw call that fails with EBADF and so exits 247 (the negated errno as a byte). The shell's own
 * commands are checked here only for how their exit codes reach the process; their output is the
 * shell's tests'. A line is words, never Gogo script: see also NoFileIT.
 */
class ScriptModesIT {
    private static final String UNKNOWN = "Error: Command not found: nosuch\n";
    /** A line that fails with exit code 247, and what it prints. */
    private static final String EBADF = "bpf close fd=999";
    private static final String EBADF_OUT = "ret -9 EBADF (Bad file descriptor)\n";

    /** The bundles of the default distribution, as {@code lb -s} names them. */
    private static final List<String> BUNDLES = List.of("org.apache.felix.gogo.runtime",
            "org.apache.felix.gogo.command", "org.apache.felix.scr", "org.osgi.service.component",
            "org.osgi.util.promise", "org.osgi.util.function", "com.fasterxml.jackson.core.jackson-core",
            "com.fasterxml.jackson.jr.jackson-jr-objects", "org.bpfmaps.core.api", "org.bpfmaps.map.array",
            "org.bpfmaps.map.hash", "org.bpfmaps.map.lpm", "org.bpfmaps.map.sockmap", "org.bpfmaps.conformance",
            "org.bpfmaps.shell", "org.apache.felix.fileinstall", "org.bpfmaps.sock.native", "com.sun.jna");

    private static int count(String haystack, String needle) {
        return haystack.split(Pattern.quote(needle), -1).length - 1;
    }

    private static void assertNoTrace(JarRun r) {
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace:\n" + r);
    }

    @Test
    void everyBundleOfTheDistributionIsActive() throws Exception {
        JarRun r = JarRun.run("", "-c", "lb -s");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("", r.err(), r::toString);
        for (String bsn : BUNDLES) {
            assertTrue(Pattern.compile("\\|Active +\\| +\\d+\\|" + Pattern.quote(bsn) + " ").matcher(r.out()).find(),
                    bsn + " active:\n" + r);
        }
    }

    @Test
    void stdinScriptRunsEveryLineAndExitsWithTheLastFailure() throws Exception {
        JarRun r = JarRun.run("""
                # a comment, then a blank line and a line of spaces

                \s\s
                lb -s
                nosuch
                bpf close fd=999
                lb -s
                """);
        assertAll(r::toString,
                () -> assertEquals(247, r.exitCode(), "the last failing line's code; a later success does not reset it"),
                () -> assertEquals(UNKNOWN, r.err()),
                () -> assertEquals(2, count(r.out(), "org.bpfmaps.core.api"), "both lb lines ran"),
                () -> assertTrue(r.out().contains(EBADF_OUT), "the raw call's output"),
                () -> assertEquals(List.of(), r.leftInTmp(), "the framework's storage is deleted at exit"));
    }

    @Test
    void anUnknownCommandIsOneErrorLineAnd255() throws Exception {
        JarRun r = JarRun.run("nosuch\n");
        assertEquals(255, r.exitCode(), r::toString);
        assertEquals(UNKNOWN, r.err(), r::toString);
        assertEquals("", r.out(), "nothing but command output on stdout: no banner, prompt or log");
    }

    @Test
    void theLastFailingLineGivesTheExitCode() throws Exception {
        assertEquals(255, JarRun.run(EBADF + "\nnosuch\nlb\n").exitCode());
        assertEquals(247, JarRun.run("nosuch\n" + EBADF + "\nlb\n").exitCode());
        assertEquals(0, JarRun.run("lb\n").exitCode());
    }

    @Test
    void blankAndCommentLinesAreIgnored() throws Exception {
        JarRun r = JarRun.run("# only comments\n\n   \n\t# and blanks\n");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("", r.out() + r.err(), r::toString);
    }

    @Test
    void anUnterminatedQuoteIsAnErrorLineNotATrace() throws Exception {
        JarRun r = JarRun.run("lb -s 'core\nlb -s\n");
        assertEquals(255, r.exitCode(), r::toString);
        assertEquals("Error: unterminated quoted string on line 1\n", r.err(), r::toString);
        assertEquals(1, count(r.out(), "org.bpfmaps.core.api"), "the next line still ran");
        assertNoTrace(r);
    }

    @Test
    void dashCRunsEachOfItsLines() throws Exception {
        JarRun ok = JarRun.run("", "-c", "lb -s");
        assertEquals(0, ok.exitCode(), ok::toString);
        assertTrue(ok.out().startsWith("START LEVEL"), "no banner before the output:\n" + ok);

        JarRun r = JarRun.run("", "-c", "nosuch\n" + EBADF + "\nlb -s");
        assertEquals(247, r.exitCode(), r::toString);
        assertEquals(UNKNOWN, r.err(), r::toString);
        assertEquals(1, count(r.out(), "org.bpfmaps.core.api"));
    }

    @Test
    void fileRunsTheScriptInIt(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("script.bpf"), "# a script\nnosuch\n\nlb -s\n",
                StandardCharsets.UTF_8);
        JarRun r = JarRun.run("", script.toString());
        assertEquals(255, r.exitCode(), r::toString);
        assertEquals(UNKNOWN, r.err(), r::toString);
        assertEquals(1, count(r.out(), "org.bpfmaps.core.api"));

        JarRun dash = JarRun.run("lb -s\n", "-");
        assertEquals(0, dash.exitCode(), dash::toString);
        assertEquals(1, count(dash.out(), "org.bpfmaps.core.api"), "- reads standard input");
    }

    @Test
    void exitEndsAScript() throws Exception {
        JarRun r = JarRun.run("nosuch\nexit\nlb -s\n");
        assertEquals(255, r.exitCode(), "a bare exit keeps the status so far:\n" + r);
        assertEquals("", r.out(), "nothing after exit ran");
        assertEquals(9, JarRun.run("exit 9\n").exitCode());
    }

    @Test
    void theShellsCommandsRunWithAndWithoutScope() throws Exception {
        JarRun r = JarRun.run("""
                map create /sys/fs/bpf/a type array key 4 value 8 entries 4 name a
                map update pinned /sys/fs/bpf/a key 1 0 0 0 value 7 0 0 0 0 0 0 0
                bpf:map dump pinned /sys/fs/bpf/a
                """);
        assertAll(r::toString,
                () -> assertEquals(0, r.exitCode()),
                () -> assertEquals("", r.err()),
                () -> assertTrue(r.out().contains("key: 01 00 00 00  value: 07 00 00 00 00 00 00 00\n")),
                () -> assertTrue(r.out().endsWith("Found 4 elements\n")));
    }

    @Test
    void aShellCommandsExitCodeIsTheProcesssExitCode() throws Exception {
        // bpftool's code for a failed MAP_CREATE is 255; the line after it succeeds.
        JarRun r = JarRun.run("""
                map create /sys/fs/bpf/a type array key 3 value 8 entries 4 name a
                bpf:map show
                """);
        assertEquals(255, r.exitCode(), r::toString);
        assertTrue(r.err().startsWith("Error: "), r::toString);
        assertEquals("", r.out(), r::toString);
        assertNoTrace(r);
    }

    /**
     * {@code conformance} comes from the conformance bundle, not the shell: it runs with its exit
     * codes, and the shell's help and completion offer it from the documentation its service carries.
     */
    @Test
    void theConformanceBundlesCommandRunsAndIsDocumented() throws Exception {
        Path corpus = Path.of("..", "corpus", "kernel-6.18.json").toAbsolutePath().normalize();
        JarRun run = JarRun.run("", "-c", "conformance " + corpus + " array");
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().matches("[1-9]\\d* passed, 0 failed, 0 skipped\n"), run::toString);
        JarRun bad = JarRun.run("", "-c", "conformance nothere.json");
        assertEquals(255, bad.exitCode(), bad::toString);
        assertEquals("Error: can't read corpus (nothere.json): No such file or directory\n", bad.err(), bad::toString);

        JarRun help = JarRun.run("help\nhelp conformance\n");
        assertEquals(0, help.exitCode(), help::toString);
        assertTrue(Pattern.compile("\n {8}bpf:conformance +Replays a kernel-recorded corpus in isolated instances "
                + "and counts what agrees\n").matcher(help.out()).find(), help::toString);
        String usage = help.out().substring(help.out().indexOf("DESCRIPTION\n"));
        assertTrue(usage.startsWith("DESCRIPTION\n        bpf:conformance\n")
                && usage.contains("\nSYNTAX\n        conformance FILE [TYPE...]\n")
                && usage.replaceAll("\\s+", " ").contains("(bpftool's names: array | hash | lpm_trie | lru_hash |"),
                "help conformance, with the types served now:\n" + help);
        JarRun dashDash = JarRun.run("", "-c", "conformance --help");
        assertEquals(0, dashDash.exitCode(), dashDash::toString);
        assertEquals(usage, dashDash.out(), "conformance --help is help conformance");

        JarRun complete = JarRun.run("", "-c", "complete 'conformance " + corpus.getParent() + "/kernel-6.1'\n"
                + "complete 'conformance x.json lpm'\ncomplete 'help confo'");
        assertEquals(0, complete.exitCode(), complete::toString);
        assertEquals(corpus + "\n\nlpm_trie\n\nconformance\n\n", complete.out(), "a path, then map types");
    }

    @Test
    void badArgumentsAreErrorLines() throws Exception {
        JarRun opt = JarRun.run("", "-x");
        assertEquals(255, opt.exitCode());
        assertTrue(opt.err().startsWith("Error: unknown option -x\nusage: "), opt::toString);
        assertEquals("", opt.out());

        JarRun noCmd = JarRun.run("", "-c");
        assertEquals(255, noCmd.exitCode());
        assertTrue(noCmd.err().startsWith("Error: -c needs the commands to run\n"), noCmd::toString);

        JarRun noFile = JarRun.run("", "no-such-file.bpf");
        assertEquals(255, noFile.exitCode());
        assertEquals("Error: cannot read no-such-file.bpf: no such file\n", noFile.err(), noFile::toString);
        assertNoTrace(noFile);

        JarRun help = JarRun.run("", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().startsWith("usage: java -jar bpfmaps.jar"), help::toString);
    }
}
