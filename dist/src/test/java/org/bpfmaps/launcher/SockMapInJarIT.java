package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * map.sockmap is part of the default distribution: bpfmaps.jar creates SOCKHASH and SOCKMAP maps
 * with bpftool's grammar, and an update's value is read as a socket fd of the instance. Exit codes
 * and messages are bpftool's on kernel 6.18 (a missed lookup: "Not found" and 254, -ENOENT; an
 * update with fd 0, which is not open in the instance: EBADF and 247).
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
}
