package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's section "XDP from the shell: watch UDP datagrams land in an XSK socket", in this
 * module's build: each {@code dist/target/bpfmaps WORDS} line runs as the shell command WORDS in one
 * instance (with the XSKMAP family and {@code xsk_def_prog}, as the jar has them), every other line
 * in bash, as written; {@code --server &} is the instance itself. dist's {@code ReadmeXdpIT} runs the
 * same lines against the jar.
 */
class ReadmeXdpSectionTest {
    private static final String HEADING = "## XDP from the shell: watch UDP datagrams land in an XSK socket";
    private static final String CLIENT = "dist/target/bpfmaps ";

    private final XdpShell sh = new XdpShell();

    @AfterEach
    void close() {
        sh.close();
    }

    static List<String> lines() throws Exception {
        String text = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int at = text.indexOf(HEADING);
        assertTrue(at >= 0, "the README has the section");
        int start = text.indexOf("```sh\n", at) + "```sh\n".length();
        List<String> lines = new ArrayList<>();
        for (String l : text.substring(start, text.indexOf("```", start)).split("\n")) {
            if (!l.isBlank()) {
                lines.add(l.strip());
            }
        }
        return lines;
    }

    private void awaitRedirect() {
        org.bpfmaps.core.xdp.NetDevices devs = org.bpfmaps.core.xdp.NetDevices.of(sh.bpf);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (devs.rxQueue(devs.byName("eth1").ifindex(), 0).statistics().redirect() < 1) {
            assertTrue(System.nanoTime() < deadline, "eth1 counted the redirect within 10 s");
            Thread.onSpinWait();
        }
    }

    @Test
    void theSectionsCommandsPrintWhatItSays() throws Exception {
        List<String> lines = lines();
        assertEquals(CLIENT + "--server &", lines.get(0));
        String read = null;
        String show = null;
        for (String line : lines.subList(1, lines.size())) {
            if (line.startsWith(CLIENT)) {
                if (line.contains(" dev show ")) {
                    awaitRedirect(); // the device counts a redirect just after the RX ring has the frame
                }
                String out = sh.ok(line.substring(CLIENT.length()));
                read = line.contains(" xsk read ") ? out : read;
                show = line.contains(" dev show ") ? out : show;
            } else {
                Process p = new ProcessBuilder("bash", "-c", line).redirectErrorStream(true).start();
                assertTrue(p.waitFor(20, TimeUnit.SECONDS), line);
                assertEquals(0, p.exitValue(), line + ": " + new String(p.getInputStream().readAllBytes()));
            }
        }
        assertTrue(Pattern.matches("addr 256  len 48  udp 127\\.0\\.0\\.1:\\d+ > 127\\.0\\.0\\.1:24021  payload 6\n"
                + "\t68 65 6c 6c 6f 0a\nFound 1 frame\n", read), read);
        assertTrue(show.contains("\tqueue 0  xsk 3  packets 1  bytes 48  pass 0  drop 0  tx 0  redirect 1  aborted 0"
                + "  redirect_errors 0  no_buffer 0  oversize 0\n"), show);
        // the README shows this output verbatim but for the source port
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        assertTrue(readme.contains(read.replaceFirst("127\\.0\\.0\\.1:\\d+ >", "127.0.0.1:40123 >")), read);
    }
}
