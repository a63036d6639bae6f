package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's section "XDP from the shell: watch UDP datagrams land in an XSK socket", run as a
 * newcomer runs it: its first block's lines in order, from the repository's folder. The line that
 * starts {@code --server} in the background starts the jar's server (a process of the test's, with
 * a runtime folder of its own); every other line runs as written, in bash ({@code dist/target/bpfmaps}
 * is the wrapper the build writes, a client of that server; {@code echo ... > /dev/udp/...} sends a
 * real datagram). Then what the lines printed is checked: the datagram in the XSK socket's RX ring,
 * the device's counters, the socket's statistics.
 */
class ReadmeXdpIT {
    private static final String HEADING = "## XDP from the shell: watch UDP datagrams land in an XSK socket";

    @TempDir
    Path runtime;
    private RunningServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** The lines of the section's first {@code sh} block. */
    static List<String> sectionLines(Path readme) throws Exception {
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int at = text.indexOf(HEADING);
        assertTrue(at >= 0, "the README has the section " + HEADING);
        int start = text.indexOf("```sh\n", at) + "```sh\n".length();
        String block = text.substring(start, text.indexOf("```", start));
        List<String> lines = new ArrayList<>();
        for (String l : block.split("\n")) {
            if (!l.isBlank()) {
                lines.add(l.strip());
            }
        }
        return lines;
    }

    @Test
    void everyLineOfTheSectionRunsAndTheDatagramLandsInTheSocket() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<String> lines = sectionLines(root.resolve("README.md"));
        assertEquals("dist/target/bpfmaps --server &", lines.get(0), "the section starts the instance");
        Path script = JarRun.builtFile("bpfmaps.script", "built in the package phase");
        assertEquals(root.resolve("dist/target/bpfmaps"), script.toAbsolutePath().normalize());
        server = RunningServer.start(runtime);
        Map<String, Run> ran = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            assertFalse(line.contains("--server"), line);
            Run r = bash(root, line);
            assertEquals(0, r.exit, () -> line + "\n" + r);
            ran.put(line, r);
        }
        Pattern read = Pattern.compile("addr 256  len 48  udp 127\\.0\\.0\\.1:\\d+ > 127\\.0\\.0\\.1:24021  payload 6\n"
                + "\t68 65 6c 6c 6f 0a\nFound 1 frame\n");
        String progId = only(ran, "prog load").out.replace("id ", "").trim();
        assertAll(
                () -> assertTrue(only(ran, "dev add").out.startsWith("2: eth1  queues 1\n\tudp 127.0.0.1:24021  "),
                        only(ran, "dev add").toString()),
                () -> assertEquals("xdp:\neth1(2) driver id " + progId + "\n\ntc:\n\nflow_dissector:\n\n",
                        only(ran, "net show").out),
                () -> assertTrue(only(ran, "xsk create").out.startsWith("3: xsk  cookie "), "fd 3, as the README says"),
                () -> assertEquals("3: fill  16 frames  (the application holds 0)\n", only(ran, "xsk fill").out),
                () -> assertTrue(read.matcher(only(ran, "xsk read").out).matches(), only(ran, "xsk read").toString()),
                () -> assertTrue(only(ran, "dev show").out.contains("\txdp driver id " + progId + "\n"
                        + "\tudp 127.0.0.1:24021  datagrams 1  bytes 6\n"
                        + "\tqueue 0  xsk 3  packets 1  bytes 48  pass 0  drop 0  tx 0  redirect 1  aborted 0"
                        + "  redirect_errors 0  no_buffer 0  oversize 0\n"), only(ran, "dev show").toString()),
                () -> assertTrue(only(ran, "xsk show").out.contains("\trx_dropped 0  rx_invalid_descs 0  "
                        + "tx_invalid_descs 0\n\trx_ring_full 0  rx_fill_ring_empty_descs 0  tx_ring_empty_descs 0\n"),
                        only(ran, "xsk show").toString()),
                () -> assertTrue(only(ran, "xsk show").out.contains(
                        "\trx    size 16  producer 1  consumer 1  filled 0  free 16\n"), "the frame was read"));
        JarRun help = server.client("help");
        JarRun net = server.client("help", "net");
        assertAll(help::toString,
                () -> assertTrue(help.out().contains("bpf:net"), "help lists net"),
                () -> assertTrue(help.out().contains("bpf:link"), "help lists link"),
                () -> assertTrue(net.out().contains("net [OPTIONS] attach ATTACH_TYPE PROG dev NAME [overwrite]"),
                        net::toString));
        assertFalse(server.stderr().contains("Exception"), server::toString);
    }

    /** The run of the one line that holds {@code words}. */
    private static Run only(Map<String, Run> ran, String words) {
        List<Run> found = new ArrayList<>();
        ran.forEach((line, r) -> {
            if (line.contains(words)) {
                found.add(r);
            }
        });
        assertEquals(1, found.size(), "one line of the section runs " + words);
        return found.get(0);
    }

    record Run(int exit, String out, String err) {
    }

    /** One line as a user's bash runs it in the repository's folder, a client of the test's server. */
    private Run bash(Path root, String line) throws Exception {
        Path out = Files.createTempFile(runtime, "out", ".txt");
        Path err = Files.createTempFile(runtime, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", line).directory(root.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(server.env());
        pb.environment().put("JAVA", JarRun.java());
        Process p = pb.start();
        if (!p.waitFor(RunningServer.DEADLINE_MS, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(line + ": still running after " + RunningServer.DEADLINE_MS + " ms");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
