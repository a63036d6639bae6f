package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * map.sockmap is part of the default distribution: bpfmaps.jar creates SOCKHASH and SOCKMAP maps
 * with bpftool's grammar, and an update's value is read as a socket fd of the instance. Exit codes
 * and messages are bpftool's on kernel 6.18 (a missed lookup: "Not found" and 254, -ENOENT; an
 * update with fd 0, which is not open in the instance: EBADF and 247).
 *
 * <p>The distribution also holds sock.native and JNA, so the conformance command replays every
 * SOCKMAP and SOCKHASH case of the corpus with real sockets, the native {@code unix_dgram} kind
 * included.
 */
class SockMapInJarIT {
    @Test
    void sockhashAndSockmapAreServed() throws Exception {
        JarRun r = JarRun.run("""
                map create /sys/fs/bpf/s type sockhash key 4 value 8 entries 4 name s
                map create /sys/fs/bpf/m type sockmap key 4 value 8 entries 2 name m
                map show
                map dump pinned /sys/fs/bpf/s
                map lookup pinned /sys/fs/bpf/s key 1 0 0 0
                providers
                map update pinned /sys/fs/bpf/s key 1 0 0 0 value 0 0 0 0 0 0 0 0
                """);
        assertAll(r::toString,
                () -> assertEquals(247, r.exitCode(), "the last line's EBADF"),
                () -> assertTrue(Pattern.compile("\\d+: sockhash  name s  flags 0x0\n"
                        + "\tkey 4B  value 8B  max_entries 4  memlock \\d+B\n").matcher(r.out()).find(), "show sockhash"),
                () -> assertTrue(Pattern.compile("\\d+: sockmap  name m  flags 0x0\n"
                        + "\tkey 4B  value 8B  max_entries 2  memlock \\d+B\n").matcher(r.out()).find(), "show sockmap"),
                () -> assertTrue(r.out().contains("Found 0 elements\n"), "an empty sockhash dumps"),
                () -> assertTrue(r.out().contains("key:\n01 00 00 00\n\nNot found\n"), "lookup of a missing key"),
                () -> assertTrue(Pattern.compile("org\\.bpfmaps\\.map\\.sockmap  version \\S+  state ACTIVE\n"
                        + "\ttypes sockmap sockhash  maps 2  detached 0\n").matcher(r.out()).find(), "providers"),
                () -> assertEquals("Error: update failed: Bad file descriptor\n  fd 0 is not open\n", r.err()));
    }

    /**
     * {@code conformance corpus/kernel-6.18.json sockmap sockhash} in the jar: every case passes,
     * those that open an AF_XDP socket ({@code sock_new} of a kind {@code xdp_*}) too, now that
     * map.xsk is in the distribution and offers those kinds. The count comes from the corpus; a case
     * skipped for a missing kind (unix_dgram without sock.native or JNA, xdp_* without map.xsk)
     * makes the summary differ.
     */
    @Test
    void theCorpusSocketCasesAllRun() throws Exception {
        Path corpus = Path.of("..", "corpus", "kernel-6.18.json").toAbsolutePath().normalize();
        int cases = 0;
        int xdp = 0;
        int unixDgram = 0;
        for (Object o : (List<?>) JSON.std.mapFrom(Files.readString(corpus)).get("cases")) {
            Map<?, ?> c = (Map<?, ?>) o;
            Object type = ((Map<?, ?>) c.get("map")).get("type");
            if (!"SOCKMAP".equals(type) && !"SOCKHASH".equals(type)) {
                continue;
            }
            cases++;
            List<String> kinds = ((List<?>) c.get("ops")).stream().map(op -> (Map<?, ?>) op)
                    .filter(op -> "sock_new".equals(op.get("op"))).map(op -> String.valueOf(op.get("kind"))).toList();
            xdp += kinds.stream().anyMatch(k -> k.startsWith("xdp_")) ? 1 : 0;
            unixDgram += kinds.contains("unix_dgram") ? 1 : 0;
        }
        assertTrue(cases > 0 && unixDgram > 0 && xdp > 0, "the corpus has socket cases, unix_dgram and xdp_* among them");

        JarRun r = JarRun.run("", "-c", "conformance " + corpus + " sockmap sockhash");
        String summary = cases + " passed, 0 failed, 0 skipped\n";
        String why = cases + " socket cases, " + xdp + " of them with an xdp_* socket";
        assertAll(r::toString,
                () -> assertEquals(summary, r.out(), why),
                () -> assertEquals("", r.err()),
                () -> assertEquals(0, r.exitCode()));
    }
}
