package org.bpfmaps.shell;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Time since boot, as the kernel's load_time counts it: /proc/uptime, or the JVM's uptime when unreadable. */
final class ProcUptime {
    private ProcUptime() {
    }

    static long nanos() {
        try {
            String s = Files.readString(Path.of("/proc/uptime")).trim().split("\\s+")[0];
            return (long) (Double.parseDouble(s) * 1_000_000_000L);
        } catch (IOException | RuntimeException e) {
            return java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L;
        }
    }
}
