package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code batch file FILE} read a line at a time: what bpftool 7.1 does with long lines, NUL bytes,
 * CRLF and a last line without newline (each checked with it on kernel 6.18), and where this shell
 * stops sooner than bpftool to stay bounded (an endless input, a file that runs itself).
 */
class BatchFileTest {
    private static final String VERSION = "bpftool v7.1.0\nusing libbpf v1.1\nfeatures: libbpf_strict\n";
    private static final String E2BIG = "Error: reading batch file failed: Argument list too long\n";

    @TempDir
    Path dir;

    private Emulator.Result batch(Emulator emu, String... options) {
        return emu.bpftool(List.of(options));
    }

    private Path file(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private Path file(String name, String content) throws IOException {
        return file(name, content.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aLineOfTheLimitRunsAndOneByteMoreEndsTheBatchWithBpftoolsError() throws IOException {
        try (Emulator emu = new Emulator()) {
            // 65534 bytes, newline included: bpftool runs it; 65535: E2BIG
            Path fits = file("fits", "version" + " ".repeat(65534 - 8) + "\n");
            assertEquals(new Emulator.Result(0, VERSION + "processed 1 commands\n", ""),
                    batch(emu, "batch", "file", fits.toString()));
            Path over = file("over", "version\nversion" + " ".repeat(65535 - 8) + "\nversion\n");
            Emulator.Result r = batch(emu, "batch", "file", over.toString());
            assertEquals(255, r.exit());
            assertEquals(VERSION, r.stdout(), "the first line ran; nothing after the long one, no 'processed'");
            assertTrue(r.stderr().startsWith(E2BIG + "  line 2 is longer than 65534 bytes"), r.stderr());
            assertEquals(2, r.stderr().lines().count(), "bpftool's line and the detail naming the limit");
            emu.assertNoFdOpen("a long line");
        }
    }

    @Test
    void inJsonTheDocumentIsClosedWithTheErrorInIt() throws IOException {
        try (Emulator emu = new Emulator()) {
            Path over = file("over", "version\n" + "x".repeat(70_000));
            Emulator.Result r = batch(emu, "-j", "batch", "file", over.toString());
            assertEquals(255, r.exit());
            List<Object> docs = Json.documents(r.stdout());
            assertEquals(1, docs.size(), r.stdout());
            assertTrue(r.stdout().contains("\"error\":\"reading batch file failed: Argument list too long\""),
                    r.stdout());
        }
    }

    @Test
    void aNulEndsItsLineAsItDoesForBpftoolsStringFunctions() throws IOException {
        try (Emulator emu = new Emulator()) {
            Path f = file("nul", "version\0 garbage 'unterminated\n\0map nosuch\nversion\n");
            assertEquals(new Emulator.Result(0, VERSION + VERSION + "processed 2 commands\n", ""),
                    batch(emu, "batch", "file", f.toString()));
        }
    }

    @Test
    void crlfLinesAndALastLineWithoutNewlineRun() throws IOException {
        try (Emulator emu = new Emulator()) {
            Path f = file("crlf", "version\r\n  # a comment\r\nversion");
            assertEquals(new Emulator.Result(0, VERSION + VERSION + "processed 2 commands\n", ""),
                    batch(emu, "batch", "file", f.toString()));
        }
    }

    @Test
    void utf8WordsReachTheCommandAsText() throws IOException {
        try (Emulator emu = new Emulator()) {
            Path f = file("utf8", ("map create /sys/fs/bpf/\u00e9t\u00e9 type array key 4 value 4 entries 1 name t\n"
                    + "map show pinned /sys/fs/bpf/\u00e9t\u00e9\n").getBytes(StandardCharsets.UTF_8));
            Emulator.Result r = batch(emu, "batch", "file", f.toString());
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.stdout().contains("array  name t"), r.stdout());
            assertEquals(0, emu.bpf.unlink("/sys/fs/bpf/\u00e9t\u00e9", null), "pinned under its UTF-8 name");
        }
    }

    @Test
    void theFirstFailingLineEndsTheBatchWithItsOwnErrorAndNoLineNumber() throws IOException {
        try (Emulator emu = new Emulator()) {
            // bpftool 7.1: "Error: get map by id (999999): No such file or directory", exit 255, nothing after
            Path f = file("fail", "version\nmap lookup id 999999 key 0 0 0 0\nversion\n");
            Emulator.Result r = batch(emu, "batch", "file", f.toString());
            assertEquals(255, r.exit());
            assertEquals(VERSION, r.stdout());
            assertEquals("Error: get map by id (999999): No such file or directory",
                    r.stderr().lines().findFirst().orElse(""), r.stderr());
        }
    }

    @Test
    void aContinuationLineOverTheLimitMakesTheCommandTooLong() throws IOException {
        try (Emulator emu = new Emulator()) {
            Path f = file("cont", "version \\\n" + "x".repeat(70_000) + "\n");
            Emulator.Result r = batch(emu, "batch", "file", f.toString());
            assertEquals(255, r.exit());
            assertTrue(r.stderr().startsWith("Error: command 0 is too long\n  line 2 is longer than 65534"),
                    r.stderr());
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void devZeroEndsAtItsFirstLine() {
        try (Emulator emu = new Emulator()) {
            // bpftool 7.1 reads /dev/zero for ever: each 65535 NULs are an empty line
            Emulator.Result r = batch(emu, "batch", "file", "/dev/zero");
            assertEquals(255, r.exit());
            assertEquals("", r.stdout());
            assertTrue(r.stderr().startsWith(E2BIG + "  line 1 is longer than 65534 bytes"), r.stderr());
            emu.assertNoFdOpen("/dev/zero");
        }
    }

    @Test
    void aFileThatRunsItselfStopsAtTheDepthLimit() throws IOException {
        try (Emulator emu = new Emulator()) {
            // bpftool 7.1 ends in a segmentation fault (exit 139) after about 50 levels
            Path self = dir.resolve("self");
            Files.writeString(self, "batch file " + self + "\n");
            Emulator.Result r = batch(emu, "batch", "file", self.toString());
            assertEquals(255, r.exit());
            assertEquals("Error: too many nested batch files\n  a batch file runs batch files at most "
                    + Batch.DEPTH_MAX + " deep (bpftool overflows its stack at about 50)\n", r.stderr());
            emu.assertNoFdOpen("nested batches");
        }
    }
}
