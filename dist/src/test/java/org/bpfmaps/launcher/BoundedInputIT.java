package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input that never ends, or ends in a line longer than any command (issue 17): {@code batch file
 * /dev/zero} in every mode, and {@code /dev/zero} as a script or as standard input. Each run has
 * a 64 MiB heap, which reading the input whole would exhaust at once (before, {@code -c 'batch
 * file /dev/zero'} grew to 5.9 GB and ended in an OutOfMemoryError): here each ends at the first
 * line's limit with one {@code Error:} line, and an instance given it again and again, several at
 * once, keeps answering.
 */
class BoundedInputIT {
    private static final String HEAP = "-Xmx64m";
    private static final String E2BIG = "Error: reading batch file failed: Argument list too long\n"
            + "  line 1 is longer than 65534 bytes (its newline included), bpftool's limit for a batch line "
            + "(BATCH_LINE_LEN_MAX 65536)\n";

    @TempDir
    Path runtime;
    private RunningServer server;

    @AfterEach
    void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** {@code java -Xmx64m -jar bpfmaps.jar ARGS} with standard input from {@code stdin}. */
    private static JarRun run(File stdin, String... args) throws Exception {
        Path home = Files.createTempDirectory("bpfmaps-it-");
        List<String> cmd = new ArrayList<>(JarRun.command(home, args));
        cmd.add(1, HEAP);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile())
                .redirectInput(stdin)
                .redirectOutput(home.resolve("stdout").toFile())
                .redirectError(home.resolve("stderr").toFile());
        pb.environment().put("XDG_RUNTIME_DIR", home.toString()); // no instance: each runs in-process
        Process p = pb.start();
        if (!p.waitFor(JarRun.TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("bpfmaps.jar did not exit within " + JarRun.TIMEOUT_S + " s");
        }
        JarRun r = new JarRun(p.exitValue(), Files.readString(home.resolve("stdout"), StandardCharsets.UTF_8),
                Files.readString(home.resolve("stderr"), StandardCharsets.UTF_8), List.of(), List.of());
        JarRun.deleteTree(home);
        return r;
    }

    private static final File NO_INPUT = new File("/dev/null");
    private static final File ZERO = new File("/dev/zero");

    @Test
    void batchFileDevZeroEndsWithOneErrorInEachMode() throws Exception {
        JarRun c = run(NO_INPUT, "-c", "batch file /dev/zero");
        assertEquals(new JarRun(255, "", E2BIG, List.of(), List.of()), c);
        JarRun stdin = run(ZERO, "-c", "batch file -");
        assertEquals(new JarRun(255, "", E2BIG, List.of(), List.of()), stdin, "batch file - reads the command's standard input");
        JarRun json = run(NO_INPUT, "-c", "bpftool -j batch file /dev/zero");
        assertEquals(255, json.exitCode(), json::toString);
        assertTrue(json.out().startsWith("[{\"error\":\"reading batch file failed: Argument list too long\""),
                json::toString);
    }

    @Test
    void devZeroAsAScriptOrAsStandardInputIsOneErrorLine() throws Exception {
        JarRun file = run(NO_INPUT, "/dev/zero");
        assertEquals(new JarRun(255, "", "Error: line 1 of /dev/zero is longer than 65534 bytes (bpftool's limit "
                + "for a line of a batch file): the rest of /dev/zero is not read\n", List.of(), List.of()), file);
        JarRun stdin = run(ZERO);
        assertEquals(new JarRun(255, "", "Error: line 1 of standard input is longer than 65534 bytes (bpftool's "
                + "limit for a line of a batch file): the rest of standard input is not read\n", List.of(), List.of()), stdin);
    }

    @Test
    void aScriptLineWithANulIsRefusedAndTheOthersRun(@TempDir Path dir) throws Exception {
        Path script = Files.write(dir.resolve("s.bpf"), "lb -s\nlb \0 -s\nlb -s\n".getBytes(StandardCharsets.US_ASCII));
        JarRun r = run(NO_INPUT, script.toString());
        assertAll(r::toString,
                () -> assertEquals(255, r.exitCode()),
                () -> assertEquals("Error: line 2 of " + script + " holds a NUL byte\n", r.err()),
                () -> assertEquals(2, r.out().split("org.bpfmaps.core.api", -1).length - 1, "lines 1 and 3 ran"));
    }

    @Test
    void anInstanceGivenDevZeroAgainAndAgainKeepsAnswering() throws Exception {
        server = RunningServer.start(runtime, HEAP);
        for (int i = 0; i < 2; i++) {
            JarRun r = server.client("batch", "file", "/dev/zero");
            assertEquals(new JarRun(255, "", E2BIG, List.of(), List.of()), r, "run " + i);
        }
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<JarRun>> runs = new ArrayList<>();
            for (int i = 0; i < 3; i++) { // three at once took the old instance to OutOfMemoryError
                runs.add(pool.submit(() -> server.client("batch", "file", "/dev/zero")));
            }
            for (Future<JarRun> f : runs) {
                assertEquals(new JarRun(255, "", E2BIG, List.of(), List.of()), f.get(2 * JarRun.TIMEOUT_S, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        JarRun random = server.client("batch", "file", "/dev/urandom");
        assertEquals(255, random.exitCode(), random::toString); // its first command is garbage, which ends it
        JarRun create = server.client("map", "create", "/sys/fs/bpf/z", "type", "array", "key", "4", "value", "4",
                "entries", "1", "name", "z");
        assertEquals(0, create.exitCode(), create::toString);
        JarRun show = server.client("map", "show");
        assertEquals(0, show.exitCode(), show::toString);
        assertTrue(show.out().contains("array  name z"), show::toString);
        assertTrue(server.alive());
        assertFalse(server.stderr().contains("OutOfMemoryError"), server.stderr());
    }
}
