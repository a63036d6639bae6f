package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory budgets of the runnable jar under a small heap (issue 17, item 4): an instance
 * started as {@code java -Xmx64m -jar bpfmaps.jar --server}, with Felix, SCR, FileInstall and the
 * shell in the same 64 MiB, is driven past its budgets by large maps, by tries and
 * BPF_F_NO_PREALLOC hashes filled to their max_entries, and by tens of thousands of small maps.
 * Before, 120,000 one-entry arrays within the budget drove such an instance into back-to-back full
 * collections, an OutOfMemoryError in the framework's start-level thread and a hang, and a
 * 360,000-prefix trie into an OutOfMemoryError with a FileInstall stack trace. Here each ends in
 * ENOMEM (one {@code Error:} line naming the budget), the instance keeps answering, prints no
 * OutOfMemoryError and no stack trace, and takes new maps once some are closed. (Run against the
 * jar of commit 331cdb0, before the two budgets, the small maps' batch ended in
 * {@code Error: internal error: java.lang.OutOfMemoryError: Java heap space}.)
 *
 * <p>Commands go over the instance's socket with {@link RawClient} (the jar's own protocol, so
 * that hundreds of them take no JVM each); the checks a user would run go through the jar's client.
 * Maps that must be freed again are made with the raw {@code bpf MAP_CREATE}, whose fd the instance
 * keeps until {@code bpf close fd=N}: a pinned map lives as long as its pin, and the shell, as
 * bpftool, has no command that removes a pin.
 */
class JarBudgetIT {
    private static final String HEAP = "-Xmx64m";
    /** A batch of tens of thousands of lines is seconds; a thrashing heap is minutes. */
    private static final long BATCH_DEADLINE_MS = 60_000;

    @TempDir
    Path runtime;
    @TempDir
    Path work;
    private RunningServer server;

    @AfterEach
    void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private void start() throws Exception {
        server = RunningServer.start(runtime, HEAP, "-Xlog:gc:file=" + work.resolve("gc.log"));
    }

    /** One command over the socket, split at single spaces. */
    private RawClient.Response send(String line) throws Exception {
        return RawClient.run(server.socket, line);
    }

    /** A command that must succeed. */
    private RawClient.Response ok(String line) throws Exception {
        RawClient.Response r = send(line);
        assertEquals(0, r.exit(), () -> line + ": " + r);
        return r;
    }

    /** {@code bpf MAP_CREATE FIELDS}: the fd, or the negative errno with the reason after it in {@code why}. */
    private int rawCreate(String fields, StringBuilder why) throws Exception {
        RawClient.Response r = send("bpf MAP_CREATE " + fields);
        String first = r.out().lines().findFirst().orElse("");
        assertTrue(first.startsWith("ret "), () -> "bpf MAP_CREATE " + fields + ": " + r);
        String[] w = first.split(" ", 3);
        if (why != null && w.length > 2) {
            why.setLength(0);
            why.append(w[2]);
        }
        return Integer.parseInt(w[1]);
    }

    /** Runs {@code lines} as a batch file in the instance. */
    private RawClient.Response batch(String name, Iterable<String> lines) throws Exception {
        Path file = work.resolve(name);
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (String l : lines) {
                w.write(l);
                w.write('\n');
            }
        }
        try (RawClient c = new RawClient(server.socket)) {
            c.sendRequest(List.of("batch", "file", file.toString()));
            return c.readAll(BATCH_DEADLINE_MS);
        }
    }

    /** Lines {@code format} with i = 0 .. count-1, made as they are written. */
    private static Iterable<String> lines(int count, java.util.function.IntFunction<String> format) {
        return () -> java.util.stream.IntStream.range(0, count).mapToObj(format).iterator();
    }

    /** The ENOMEM of a budget, as {@code map create} prints it: bpftool's line, then the reason. */
    private static void assertBudgetRefusal(String err, String budget) {
        assertTrue(err.startsWith("Error: map create failed: Cannot allocate memory\n"), err);
        assertTrue(err.contains("the instance's " + budget + " budget"), err);
        assertEquals(2, err.lines().count(), err);
    }

    /**
     * What a user sees of an instance that is well: it answers {@code map show}, a lookup and an
     * update of the map pinned at {@code pin}, and {@code providers}, through the jar's client;
     * and neither its output nor theirs holds an OutOfMemoryError or a stack trace.
     */
    private void assertAnswers(String pin) throws Exception {
        JarRun show = server.client("map", "show", "pinned", pin);
        JarRun update = server.client("map", "update", "pinned", pin, "key", "0", "0", "0", "0",
                "value", "7", "0", "0", "0", "0", "0", "0", "0");
        JarRun lookup = server.client("map", "lookup", "pinned", pin, "key", "0", "0", "0", "0");
        JarRun providers = server.client("providers");
        assertAll(
                () -> assertEquals(0, show.exitCode(), show::toString),
                () -> assertTrue(show.out().contains("array  name keep"), show::toString),
                () -> assertEquals(new JarRun(0, "", "", List.of(), List.of()), update),
                () -> assertEquals(new JarRun(0, "key: 00 00 00 00  value: 07 00 00 00 00 00 00 00\n", "",
                        List.of(), List.of()), lookup),
                () -> assertEquals(0, providers.exitCode(), providers::toString),
                () -> assertTrue(providers.out().contains("org.bpfmaps.map.array"), providers::toString),
                () -> assertTrue(server.alive(), "the instance is alive"),
                () -> assertNoTrace(server.stderr() + server.stdout()),
                () -> assertNoTrace(show.err() + update.err() + lookup.err() + providers.err()));
    }

    private static void assertNoTrace(String output) {
        assertFalse(output.contains("OutOfMemoryError"), output);
        assertFalse(output.contains("\tat "), output);
        assertFalse(output.contains("Exception"), output);
    }

    /** The full collections the instance's collector logged so far. */
    private long fullCollections() throws Exception {
        Path log = work.resolve("gc.log");
        return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.contains("Pause Full")).count() : 0;
    }

    private void pinKeep() throws Exception {
        ok("map create /sys/fs/bpf/keep type array key 4 value 8 entries 1 name keep");
    }

    /**
     * Arrays of a million entries, {@code valueSize} bytes each, made with raw fds until one is
     * refused; asserts the refusal is ENOMEM naming the {@code budget} and returns the fds.
     */
    private List<Integer> fillWithArrays(int valueSize, String budget) throws Exception {
        List<Integer> fds = new ArrayList<>();
        StringBuilder why = new StringBuilder();
        int ret = 0;
        while (fds.size() < 64 && (ret = rawCreate("map_type=2 key_size=4 value_size=" + valueSize
                + " max_entries=1000000 map_name=v" + valueSize + "n" + fds.size(), why)) >= 0) {
            fds.add(ret);
        }
        assertEquals(-12, ret, "ENOMEM after " + fds.size() + " arrays of value " + valueSize + ": " + why);
        assertTrue(why.toString().contains("the instance's " + budget + " budget"), why::toString);
        assertFalse(fds.isEmpty(), "one array of " + valueSize + " MB fits a 64 MiB JVM's default budgets");
        System.out.printf("JarBudgetIT: %d arrays of 1M entries of %d bytes, then ENOMEM: %s%n", fds.size(),
                valueSize, why);
        return fds;
    }

    /** {@code map create} of a million-entry array, through the jar's client. */
    private JarRun createArray(String name, int valueSize) throws Exception {
        return server.client("map", "create", "/sys/fs/bpf/" + name, "type", "array", "key", "4", "value",
                String.valueOf(valueSize), "entries", "1000000", "name", name);
    }

    @Test
    void largeMapsEndInEnomemNamingTheBudget() throws Exception {
        start();
        pinKeep();
        // 8-byte values live in a long[] on the heap (8 MB a map), wider ones in direct buffers
        List<Integer> heapFds = fillWithArrays(8, "heap");
        JarRun refused = createArray("big", 8);
        assertEquals(255, refused.exitCode(), refused::toString);
        assertBudgetRefusal(refused.err(), "heap");
        assertAnswers("/sys/fs/bpf/keep");
        List<Integer> directFds = fillWithArrays(16, "direct");
        JarRun refusedDirect = createArray("wide", 16);
        assertEquals(255, refusedDirect.exitCode(), refusedDirect::toString);
        assertBudgetRefusal(refusedDirect.err(), "direct");
        assertAnswers("/sys/fs/bpf/keep");

        // what the kernel charges as elements come, charged here at max_entries: refused at create
        JarRun trie = server.client("map", "create", "/sys/fs/bpf/trie", "type", "lpm_trie", "key", "8", "value", "8",
                "entries", "360000", "name", "trie", "flags", "1");
        assertEquals(255, trie.exitCode(), trie::toString);
        assertBudgetRefusal(trie.err(), "heap");
        JarRun hash = server.client("map", "create", "/sys/fs/bpf/hash", "type", "hash", "key", "4", "value", "8",
                "entries", "1000000", "name", "hash", "flags", "1");
        assertEquals(255, hash.exitCode(), hash::toString);
        assertBudgetRefusal(hash.err(), "heap");
        assertAnswers("/sys/fs/bpf/keep");

        // closing maps makes room again, in each budget
        ok("bpf close fd=" + heapFds.get(heapFds.size() - 1));
        ok("bpf close fd=" + directFds.get(directFds.size() - 1));
        assertEquals(new JarRun(0, "", "", List.of(), List.of()), createArray("big", 8));
        assertEquals(new JarRun(0, "", "", List.of(), List.of()), createArray("wide", 16));
        assertAnswers("/sys/fs/bpf/keep");
        System.out.printf("JarBudgetIT large maps: %d full GCs%n", fullCollections());
    }

    /**
     * A batch of updates that ended at its last line, the one the full map refused with
     * {@code error} (bpftool's batch exits with the failing command's code, here the errno's).
     */
    private static void assertFull(RawClient.Response r, String error, int exit, String what) {
        assertAll(what + ": " + r,
                () -> assertEquals(exit, r.exit(), "the exit code is the errno's, as bpftool's batch exits"),
                () -> assertEquals("", r.out()),
                () -> assertTrue(r.err().startsWith("Error: update failed: " + error + "\n")),
                () -> assertTrue(r.err().lines().count() <= 2));
    }

    /**
     * Creates, with a raw fd, the largest map of this shape that fits, from {@code entries} down by
     * halves: its fd and max_entries.
     */
    private int[] largest(String fields, int entries) throws Exception {
        StringBuilder why = new StringBuilder();
        for (int n = entries; n > 0; n /= 2) {
            int fd = rawCreate(fields + " max_entries=" + n, why);
            if (fd >= 0) {
                return new int[] {fd, n};
            }
            assertEquals(-12, fd, () -> fields + ": " + why);
        }
        fail("no " + fields + " fits");
        return null;
    }

    @Test
    void aTrieAndANoPreallocHashFilledToTheirMaxKeepTheInstanceWell() throws Exception {
        start();
        pinKeep();
        // the trie: /32 prefixes until it is full (ENOSPC, as the kernel's trie answers)
        int[] trie = largest("map_type=11 key_size=8 value_size=8 map_flags=1 map_name=trie", 360_000);
        long t0 = System.nanoTime();
        RawClient.Response filled = batch("trie.txt", lines(trie[1] + 1, i -> "map update name trie key 32 0 0 0 10 "
                + (i >>> 16 & 0xff) + " " + (i >>> 8 & 0xff) + " " + (i & 0xff) + " value 1 0 0 0 0 0 0 0"));
        long trieMs = (System.nanoTime() - t0) / 1_000_000;
        assertFull(filled, "No space left on device", 256 - 28, "the trie of " + trie[1] + " takes that many prefixes and "
                + "refuses the next");
        RawClient.Response last = ok("map lookup name trie key 32 0 0 0 10 " + ((trie[1] - 1) >>> 16 & 0xff) + " "
                + ((trie[1] - 1) >>> 8 & 0xff) + " " + ((trie[1] - 1) & 0xff));
        assertTrue(last.out().contains("value: 01 00"), last::toString);
        JarRun more = server.client("map", "create", "/sys/fs/bpf/trie2", "type", "lpm_trie", "key", "8", "value",
                "8", "entries", String.valueOf(trie[1]), "name", "trie2", "flags", "1");
        assertEquals(255, more.exitCode(), more::toString);
        assertBudgetRefusal(more.err(), "heap");
        assertAnswers("/sys/fs/bpf/keep");
        ok("bpf close fd=" + trie[0]);

        // the hash, in the room the trie left: keys until it is full (E2BIG, as the kernel's hash answers)
        int[] hash = largest("map_type=1 key_size=4 value_size=8 map_flags=1 map_name=nph", 1_000_000);
        long h0 = System.nanoTime();
        RawClient.Response full = batch("hash.txt", lines(hash[1] + 1, i -> "map update name nph key "
                + (i & 0xff) + " " + (i >>> 8 & 0xff) + " " + (i >>> 16 & 0xff) + " 0 value 2 0 0 0 0 0 0 0"));
        long hashMs = (System.nanoTime() - h0) / 1_000_000;
        assertFull(full, "Argument list too long", 256 - 7, "the hash of " + hash[1] + " takes that many keys and refuses "
                + "the next");
        int k = hash[1] - 1;
        RawClient.Response lastKey = ok("map lookup name nph key " + (k & 0xff) + " " + (k >>> 8 & 0xff) + " "
                + (k >>> 16 & 0xff) + " 0");
        assertTrue(lastKey.out().contains("value: 02 00"), lastKey::toString);
        JarRun refused = server.client("map", "create", "/sys/fs/bpf/hash2", "type", "hash", "key", "4", "value", "8",
                "entries", String.valueOf(hash[1]), "name", "hash2", "flags", "1");
        assertEquals(255, refused.exitCode(), refused::toString);
        assertBudgetRefusal(refused.err(), "heap");
        assertAnswers("/sys/fs/bpf/keep");
        ok("bpf close fd=" + hash[0]);
        JarRun after = server.client("map", "create", "/sys/fs/bpf/hash2", "type", "hash", "key", "4", "value", "8",
                "entries", String.valueOf(hash[1]), "name", "hash2", "flags", "1");
        assertEquals(new JarRun(0, "", "", List.of(), List.of()), after);
        assertAnswers("/sys/fs/bpf/keep");
        System.out.printf("JarBudgetIT trie of %d prefixes filled in %d ms, NO_PREALLOC hash of %d keys in %d ms; "
                + "%d full GCs%n", trie[1], trieMs, hash[1], hashMs, fullCollections());
    }

    @Test
    void manySmallMapsEndInEnomemNotAnOutOfMemoryError() throws Exception {
        start();
        pinKeep();
        // room to free later: a NO_PREALLOC hash charged about 1 MB of the heap budget
        StringBuilder why = new StringBuilder();
        int spare = rawCreate("map_type=1 key_size=4 value_size=8 max_entries=10000 map_flags=1 map_name=spare", why);
        assertTrue(spare >= 0, why::toString);
        // more one-entry arrays than a 64 MiB heap holds; the batch stops at the first refusal
        int lines = 200_000;
        long t0 = System.nanoTime();
        RawClient.Response r = batch("small.txt", lines(lines, i -> "map create /sys/fs/bpf/s" + i
                + " type array key 4 value 8 entries 1 name s" + i));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(255, r.exit(), r::toString);
        assertEquals("", r.out());
        assertBudgetRefusal(r.err(), "heap");
        // how many were made: the first pin missing, found by halving (each probe one request)
        int lo = 0;
        int hi = lines;
        while (lo + 1 < hi) {
            int mid = (lo + hi) >>> 1;
            if (send("map show pinned /sys/fs/bpf/s" + mid).exit() == 0) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        int made = hi;
        assertTrue(made > 10_000 && made < lines, made + " small maps");
        assertAnswers("/sys/fs/bpf/keep");
        JarRun first = server.client("map", "lookup", "pinned", "/sys/fs/bpf/s0", "key", "0", "0", "0", "0");
        assertEquals(new JarRun(0, "key: 00 00 00 00  value: 00 00 00 00 00 00 00 00\n", "", List.of(), List.of()),
                first);
        JarRun lastMade = server.client("map", "show", "pinned", "/sys/fs/bpf/s" + (made - 1));
        assertTrue(lastMade.out().contains("array  name s" + (made - 1)), lastMade::toString);

        ok("bpf close fd=" + spare);
        JarRun next = server.client("map", "create", "/sys/fs/bpf/s" + made, "type", "array", "key", "4", "value", "8",
                "entries", "1", "name", "s" + made);
        assertEquals(new JarRun(0, "", "", List.of(), List.of()), next);
        assertAnswers("/sys/fs/bpf/keep");
        System.out.printf("JarBudgetIT small maps: %d one-entry arrays in %d ms, then ENOMEM: %s; %d full GCs%n",
                made, ms, r.err().lines().skip(1).findFirst().orElse(""), fullCollections());
    }
}
