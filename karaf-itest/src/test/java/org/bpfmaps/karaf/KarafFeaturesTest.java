package org.bpfmaps.karaf;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The features repository (module {@code features}) in a stock Apache Karaf 4.4.10, as a user
 * would use it: {@code feature:repo-add} of its Maven coordinates, {@code feature:install} of the
 * shell and every map family, then the {@code bpf:} commands in Karaf's shell; uninstalling a map
 * family's feature detaches its maps (ENODEV) while the other families keep serving, and
 * installing it again brings them back with their elements. The conformance feature replays the
 * kernel corpus inside Karaf, and {@code bpfmaps-sock-native} adds the {@code unix_dgram} socket
 * kind its SOCKMAP case needs.
 *
 * <p>Karaf reads every artifact from the local Maven repository (where {@code mvn install} put
 * this project's bundles before this module's tests run) and from nowhere else.
 */
class KarafFeaturesTest {
    private static final Duration BOOT = Duration.ofSeconds(120);
    private static final Duration COMMAND = Duration.ofSeconds(90);
    /** How long a feature's DS components may take to register after feature:install returns. */
    private static final Duration SETTLE = Duration.ofSeconds(30);

    private static final List<String> FAMILIES =
            List.of("bpfmaps-map-array", "bpfmaps-map-hash", "bpfmaps-map-lpm", "bpfmaps-map-queue",
                    "bpfmaps-map-sockmap", "bpfmaps-map-xsk");

    @Test
    @Timeout(300)
    void featuresInstallAndServeInStockKaraf() throws Exception {
        String archive = System.getProperty("bpfmaps.karaf.archive", "");
        assumeTrue(!archive.isEmpty() && !archive.startsWith("${") && Files.isRegularFile(Path.of(archive)),
                "skipped: the Apache Karaf 4.4.10 archive (org.apache.karaf:apache-karaf:4.4.10:tar.gz) "
                        + "was not resolved (bpfmaps.karaf.archive=" + archive + ")");
        String version = System.getProperty("bpfmaps.version");
        Path repository = Path.of(System.getProperty("bpfmaps.karaf.localRepository"));
        Path work = Path.of(System.getProperty("bpfmaps.karaf.work"));

        try (Karaf karaf = Karaf.unpack(Path.of(archive), work, repository)) {
            note("unpacked into " + karaf.home());
            karaf.start(BOOT);
            note("Karaf up");

            String repo = "mvn:org.bpfmaps/features/" + version + "/xml/features";
            String added = karaf.client(COMMAND, "feature:repo-add " + repo, "feature:list | grep bpfmaps");
            for (String f : List.of("bpfmaps-core", "bpfmaps-shell", "bpfmaps-conformance", "bpfmaps-map-lpm")) {
                assertTrue(added.contains(f), "feature " + f + " not offered after repo-add:\n" + added);
            }

            note("repository added");
            // The shell's feature (bpfmaps-core comes with it) and every map family's; then every
            // family's map types register with the core (the providers' DS components, which may
            // come up just after feature:install returns: polled; installing an installed feature
            // again changes nothing)
            Predicate<String> allTypes = out -> List.of("array", "percpu_array", "hash", "lru_percpu_hash",
                    "lpm_trie", "queue", "stack", "bloom_filter", "sockmap", "sockhash", "xskmap").stream()
                    .allMatch(t -> Pattern.compile("types .*\\b" + t + "\\b").matcher(out).find());
            String installed = karaf.clientUntil(SETTLE, allTypes,
                    "feature:install bpfmaps-shell " + String.join(" ", FAMILIES),
                    "feature:list -i | grep bpfmaps",
                    "bpf:providers 2>&1");
            for (String f : Stream.concat(Stream.of("bpfmaps-core", "bpfmaps-shell"), FAMILIES.stream()).toList()) {
                assertTrue(installed.contains(f), f + " not installed:\n" + installed + "\n" + karaf.consoleLog());
            }
            assertTrue(allTypes.test(installed), "map types not registered:\n" + installed);

            note("features installed, map types registered");
            // The bpf: commands answer in Karaf's shell: create, update, dump
            String made = karaf.client(COMMAND,
                    "bpf:map create /sys/fs/bpf/ka type array key 4 value 8 entries 4 name ka 2>&1",
                    "bpf:map create /sys/fs/bpf/kh type hash key 4 value 8 entries 4 name kh 2>&1",
                    "bpf:map create /sys/fs/bpf/kl type lpm_trie key 8 value 4 entries 16 name kl flags 1 2>&1",
                    "bpf:map create /sys/fs/bpf/kq type queue key 0 value 4 entries 4 name kq 2>&1",
                    "bpf:map create /sys/fs/bpf/ks type sockhash key 4 value 8 entries 4 name ks 2>&1",
                    "bpf:map update name ka key 1 0 0 0 value 7 0 0 0 0 0 0 0 2>&1",
                    "bpf:map update name kh key 2 0 0 0 value 9 0 0 0 0 0 0 0 2>&1",
                    "bpf:map update name kl key 24 0 0 0 10 1 2 0 value 5 0 0 0 2>&1",
                    "bpf:map push name kq value 3 0 0 0 2>&1",
                    "bpf:map dump name ka 2>&1",
                    "bpf:map -j dump name kh 2>&1",
                    "bpf:map lookup name kl key 32 0 0 0 10 1 2 3 2>&1",
                    "bpf:map peek name kq 2>&1",
                    "bpf:map lookup name ks key 1 0 0 0 2>&1",
                    "bpf:map show 2>&1");
            assertAll("bpf: commands in Karaf's shell:\n" + made,
                    () -> assertFalse(made.contains("Error"), "a command failed"),
                    () -> assertTrue(made.contains("key: 01 00 00 00  value: 07 00 00 00 00 00 00 00"), "array dump"),
                    () -> assertTrue(made.contains("Found 4 elements"), "array dump count"),
                    () -> assertTrue(made.contains(
                            "[{\"key\":[\"0x02\",\"0x00\",\"0x00\",\"0x00\"],"
                                    + "\"value\":[\"0x09\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\"]}]"),
                            "hash json dump"),
                    // 10.1.2.3/32 finds the value of 10.1.2.0/24: the longest prefix that matches
                    () -> assertTrue(made.contains("key: 20 00 00 00 0a 01 02 03  value: 05 00 00 00"), "lpm lookup"),
                    () -> assertTrue(made.contains("value: 03 00 00 00"), "queue peek"),
                    // bpftool's answer to a missing key (a SOCKHASH holds sockets; the shell has no
                    // socket commands yet)
                    () -> assertTrue(Pattern.compile("key:\\r?\\n01 00 00 00\\r?\\n\\r?\\nNot found").matcher(made).find(),
                            "sockhash lookup"),
                    () -> assertTrue(Pattern.compile("\\d+: lpm_trie  name kl").matcher(made).find(), "map show"),
                    () -> assertTrue(Pattern.compile("\\d+: sockhash  name ks").matcher(made).find(), "map show"));

            note("maps made and read");
            // Uninstalling one family detaches its maps (ENODEV); the others keep serving.
            String after = karaf.client(COMMAND,
                    "feature:uninstall bpfmaps-map-hash",
                    "bpf:map lookup name kh key 2 0 0 0 2>&1",
                    "bpf:map lookup name ka key 1 0 0 0 2>&1",
                    "bpf:map update name ka key 3 0 0 0 value 4 0 0 0 0 0 0 0 2>&1",
                    "bpf:map lookup name ka key 3 0 0 0 2>&1",
                    "bpf:map lookup name kl key 32 0 0 0 10 1 2 3 2>&1",
                    "bpf:map peek name kq 2>&1",
                    "bpf:providers 2>&1");
            assertAll("after feature:uninstall bpfmaps-map-hash:\n" + after,
                    () -> assertTrue(after.contains("Error: lookup failed: No such device"), "hash map not detached"),
                    () -> assertTrue(after.contains("key: 01 00 00 00  value: 07 00 00 00 00 00 00 00"), "array lookup"),
                    () -> assertTrue(after.contains("key: 03 00 00 00  value: 04 00 00 00 00 00 00 00"), "array update"),
                    () -> assertTrue(after.contains("key: 20 00 00 00 0a 01 02 03  value: 05 00 00 00"), "lpm lookup"),
                    () -> assertTrue(after.contains("value: 03 00 00 00"), "queue peek"),
                    () -> assertFalse(after.contains("org.bpfmaps.map.hash  version"), "hash provider still listed"),
                    () -> assertTrue(Pattern.compile("id \\d+  hash  name kh").matcher(after).find(),
                            "kh not listed as detached"));

            note("hash family uninstalled, its map detached, the others serving");
            // Installing it again brings the detached map back with its element.
            Predicate<String> back = out -> out.contains("key: 02 00 00 00  value: 09 00 00 00 00 00 00 00");
            String again = karaf.clientUntil(SETTLE, back,
                    "feature:install bpfmaps-map-hash", "bpf:map lookup name kh key 2 0 0 0 2>&1");
            assertTrue(back.test(again), "hash map not back after feature:install:\n" + again);

            note("hash family back");
            // The conformance feature: the kernel-recorded corpus of QUEUE replays inside Karaf.
            String corpus = System.getProperty("bpfmaps.corpus");
            String conf = karaf.client(COMMAND, "feature:install bpfmaps-conformance",
                    "bpf:conformance " + corpus + " queue 2>&1");
            Matcher summary = Pattern.compile("[1-9]\\d* passed, 0 failed.*").matcher(conf);
            assertTrue(summary.find(), "conformance in Karaf:\n" + conf);
            note("QUEUE corpus replayed: " + summary.group());

            // The socket kinds: the kernel corpus's SOCKMAP/SOCKHASH cases replay with real
            // sockets made by the core (the xdp_* kinds with bpfmaps-map-xsk, installed above
            // with the families); the unix_dgram kind comes with bpfmaps-sock-native (JNA),
            // so its case skips until that feature is installed, then passes (its SocketFactory
            // service may register just after feature:install returns: polled).
            String kernel = "bpf:conformance " + System.getProperty("bpfmaps.kernelCorpus") + " sockmap sockhash 2>&1";
            int[] before = socketCounts(karaf.client(COMMAND, kernel));
            note("SOCKMAP/SOCKHASH corpus without bpfmaps-sock-native: " + before[0] + " passed, " + before[1]
                    + " skipped");
            Predicate<String> oneMore = out -> {
                int[] c = socketCounts(out);
                return c[0] == before[0] + 1 && c[1] == before[1] - 1;
            };
            String withNative = karaf.clientUntil(SETTLE, oneMore, "feature:install bpfmaps-sock-native", kernel);
            assertTrue(oneMore.test(withNative), "the unix_dgram case does not pass with bpfmaps-sock-native ("
                    + before[0] + " passed, " + before[1] + " skipped before):\n" + withNative + "\n"
                    + karaf.consoleLog());
            note("SOCKMAP/SOCKHASH corpus with bpfmaps-sock-native: " + socketCounts(withNative)[0] + " passed, "
                    + socketCounts(withNative)[1] + " skipped");
        }
        note("Karaf stopped");
    }

    /** Passed and skipped of a conformance summary with no failure; -1, -1 when there is none. */
    private static int[] socketCounts(String out) {
        Matcher m = Pattern.compile("(\\d+) passed, 0 failed, (\\d+) skipped").matcher(out);
        return m.find() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))} : new int[] {-1, -1};
    }

    private final long t0 = System.nanoTime();

    /** Progress on the test's output, with the time since the start. */
    private void note(String what) {
        System.out.printf("karaf-itest %6.1f s: %s%n", (System.nanoTime() - t0) / 1e9, what);
    }
}
