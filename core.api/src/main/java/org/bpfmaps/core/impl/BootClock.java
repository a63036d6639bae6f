package org.bpfmaps.core.impl;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's clocks as a program's info shows them: {@code load_time} in nanoseconds since boot
 * ({@code ktime_get_boottime_ns}), from {@code /proc/uptime} read once and the JVM's monotonic
 * clock after (since the JVM's start where /proc is not there), and {@code created_by_uid}, the
 * process's uid (0 where it cannot be read).
 */
final class BootClock {
    private static final long OFFSET = offset();
    private static final int UID = readUid();

    private BootClock() {
    }

    static long nanos() {
        return System.nanoTime() + OFFSET;
    }

    static int uid() {
        return UID;
    }

    private static long offset() {
        long now = System.nanoTime();
        try {
            String up = Files.readString(Path.of("/proc/uptime")).trim().split("\\s+")[0];
            return (long) (Double.parseDouble(up) * 1e9) - now;
        } catch (java.io.IOException | RuntimeException e) {
            return -now;
        }
    }

    private static int readUid() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer i ? i : 0;
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }
}
