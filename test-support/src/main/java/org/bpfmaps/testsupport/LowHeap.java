package org.bpfmaps.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.standalone.Standalone;

/**
 * The memory budget under a small heap, in a JVM of its own started with {@code -Xmx64m}: an
 * instance with the default budgets fills them (one-entry arrays; a large LPM trie or
 * BPF_F_NO_PREALLOC hash filled to max_entries, then arrays for what is left) until ENOMEM,
 * and must then keep answering: lookups, and a new map once some are closed. An
 * {@link OutOfMemoryError} anywhere ends the process with its stack trace, which the test sees;
 * a collector that thrashes shows as the time limit.
 */
public final class LowHeap {
    private LowHeap() {
    }

    /** How long one forked run may take; the work is seconds, a thrashing heap is minutes. */
    private static final long LIMIT_SECONDS = 120;

    /**
     * Runs {@code scenario} ("arrays", "lpm" or "hash") under {@code -Xmx64m} with this JVM's
     * class path, and asserts it ended on its own, in time, with exit 0, its report line, and no
     * OutOfMemoryError in its output. Returns the output.
     */
    public static String assertHolds(String scenario) throws IOException, InterruptedException {
        Path out = Files.createTempFile("lowheap-" + scenario, ".txt");
        try {
            Process p = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                    LowHeap.class.getName(), scenario)
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            boolean ended = p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly().waitFor();
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            assertTrue(ended, "-Xmx64m " + scenario + " did not end within " + LIMIT_SECONDS + " s:\n" + text);
            assertFalse(text.contains("OutOfMemoryError"), text);
            assertEquals(0, p.exitValue(), text);
            assertTrue(text.contains("holds: "), text);
            System.out.print("-Xmx64m " + scenario + ": " + text);
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    public static void main(String[] args) {
        BpfSettings settings = BpfSettings.defaults();
        System.out.println("budgets: heap " + settings.memoryBudget() + ", direct " + settings.directMemoryBudget()
                + ", max heap " + Runtime.getRuntime().maxMemory());
        try (BpfInstance bpf = Standalone.fromClassPath().newInstance(settings)) {
            long before = liveHeap();
            String big = "";
            switch (args[0]) {
                case "arrays":
                    break;
                case "lpm":
                    big = fillLargest(bpf, MapType.LPM_TRIE, 8, 8, 360_000, BpfFlags.F_NO_PREALLOC);
                    break;
                case "hash":
                    big = fillLargest(bpf, MapType.HASH, 4, 8, 1_000_000, BpfFlags.F_NO_PREALLOC);
                    break;
                default:
                    throw new IllegalArgumentException(args[0]);
            }
            List<Integer> fds = new ArrayList<>();
            String refusal = null;
            for (int i = 0; i < 2_000_000 && refusal == null; i++) {
                MapCreateAttr a = new MapCreateAttr(MapType.ARRAY, 4, 8, 1);
                int fd = bpf.bpf(BpfCmd.MAP_CREATE, a);
                if (fd == Errno.ENOMEM.ret()) {
                    refusal = a.errorMessage();
                } else if (fd < 0) {
                    throw new IllegalStateException("array " + i + ": " + a.errorMessage());
                } else {
                    fds.add(fd);
                }
            }
            if (refusal == null || !refusal.contains("budget")) {
                throw new IllegalStateException("no ENOMEM naming the budget after " + fds.size() + " arrays: "
                        + refusal);
            }
            // the budget is spent, and the maps take no more heap than it: the test's own list of
            // fds (an Integer and a reference each) aside
            long maps = liveHeap() - before - fds.size() * 20L - (1 << 20);
            if (maps > settings.memoryBudget()) {
                throw new IllegalStateException("the maps take " + maps + " heap bytes, over the heap budget of "
                        + settings.memoryBudget() + ": they are charged less than they take");
            }
            // the instance still answers, and the heap still has room to work
            ByteBuffer key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            ByteBuffer value = ByteBuffer.allocate(8);
            for (int fd : fds) {
                check(bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, key, value, 0)), "lookup");
            }
            byte[] work = new byte[4 << 20];
            for (int i = 0; i < 1000; i++) {
                bpf.close(fds.remove(fds.size() - 1));
            }
            MapCreateAttr again = new MapCreateAttr(MapType.ARRAY, 4, 8, 1);
            int fd = bpf.bpf(BpfCmd.MAP_CREATE, again);
            check(fd, "create after closing 1000 maps: " + again.errorMessage());
            System.out.println("holds: " + big + fds.size() + " one-entry arrays, then ENOMEM: " + refusal
                    + "; the maps took about " + maps + " heap bytes (" + work.length + " more allocated after)");
        }
    }

    /**
     * Creates the largest map of this shape that fits, from {@code maxEntries} down by halves (the
     * first refusals are ENOMEM), and fills it until the map itself refuses (E2BIG or ENOSPC).
     */
    private static String fillLargest(BpfInstance bpf, MapType type, int keySize, int valueSize, int maxEntries,
            int flags) {
        int entries = maxEntries;
        int fd;
        String refused = null;
        for (;;) {
            MapCreateAttr a = new MapCreateAttr(type, keySize, valueSize, entries).flags(flags);
            fd = bpf.bpf(BpfCmd.MAP_CREATE, a);
            if (fd >= 0) {
                break;
            }
            if (fd != Errno.ENOMEM.ret() || entries < 2) {
                throw new IllegalStateException(type + " of " + entries + ": " + a.errorMessage());
            }
            refused = refused == null ? a.errorMessage() : refused;
            entries /= 2;
        }
        if (refused == null) {
            throw new IllegalStateException(type + " of " + maxEntries + " entries fit a 64 MiB heap's budget");
        }
        ByteBuffer key = ByteBuffer.allocate(keySize).order(ByteOrder.nativeOrder());
        ByteBuffer value = ByteBuffer.allocate(valueSize);
        Random r = new Random(1);
        int n = 0;
        ByteBuffer first = ByteBuffer.allocate(keySize);
        for (;;) {
            if (type == MapType.LPM_TRIE) {
                key.putInt(0, 16 + r.nextInt(17)); // /16 to /32: intermediate nodes and the jump tables too
                key.putInt(4, r.nextInt());
            } else {
                key.putInt(0, n);
            }
            MapElemAttr u = new MapElemAttr().set(fd, key, value, BpfFlags.NOEXIST);
            int rc = bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, u);
            if (rc == Errno.EEXIST.ret()) {
                continue;
            }
            if (rc == Errno.E2BIG.ret() || rc == Errno.ENOSPC.ret()) {
                break;
            }
            check(rc, "update " + n + ": " + u.errorMessage());
            if (n++ == 0) {
                first.put(0, key, 0, keySize);
            }
        }
        if (n != entries) {
            throw new IllegalStateException(type + " took " + n + " of its " + entries + " entries");
        }
        first.order(ByteOrder.nativeOrder());
        check(bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, first, value, 0)), "lookup in the full map");
        return type + " of " + maxEntries + " refused (" + refused + "), one of " + entries + " filled, ";
    }

    /** The heap in use after full collections: what is reachable. */
    private static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void check(int rc, String what) {
        if (rc < 0) {
            throw new IllegalStateException(what + " answered " + Errno.nameOf(rc));
        }
    }
}
