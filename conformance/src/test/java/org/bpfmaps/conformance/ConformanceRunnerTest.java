package org.bpfmaps.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfAttr;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfRuntime;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.DetachedMap;
import org.bpfmaps.core.api.ElemPath;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.MapFdInfo;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.MmapAttr;
import org.bpfmaps.core.api.ProviderInfo;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.bpfmaps.map.array.ArrayProvider;
import org.junit.jupiter.api.Test;

/** The runner's own behaviour, on small corpora written here, with the ARRAY provider installed. */
class ConformanceRunnerTest {

    // ---- corpus snippets ----

    private static final String ARRAY_MAP =
            "{\"type\": \"ARRAY\", \"key_size\": 4, \"value_size\": 8, \"max_entries\": 4, \"map_flags\": 0, "
            + "\"name\": \"arr\"}";
    private static final String OK = "{\"ret\": 0, \"errno\": null}";

    private static String corpus(int cpus, String... cases) {
        return "{\"format\": \"bpf-map-oracle/1\", \"kernel\": {\"possible_cpus\": " + cpus + "}, \"cases\": ["
                + String.join(", ", cases) + "]}";
    }

    private static String arrayCase(String name, String... ops) {
        return "{\"name\": \"" + name + "\", \"map\": " + ARRAY_MAP + ", \"create\": " + OK + ", \"ops\": ["
                + String.join(", ", ops) + "]}";
    }

    private static String lookup(String key, String check, String result) {
        return "{\"op\": \"lookup\", \"key\": \"" + key + "\", \"check\": \"" + check + "\", \"result\": " + result
                + "}";
    }

    private static String update(String key, String value, int flags, String result) {
        return "{\"op\": \"update\", \"key\": \"" + key + "\", \"value\": \"" + value + "\", \"flags\": " + flags
                + ", \"check\": \"exact\", \"result\": " + result + "}";
    }

    private static final String HASH_CASE = "{\"name\": \"hash_case\", \"map\": {\"type\": \"HASH\", "
            + "\"key_size\": 4, \"value_size\": 8, \"max_entries\": 4, \"map_flags\": 0, \"name\": \"\"}, "
            + "\"create\": " + OK + ", \"ops\": []}";
    private static final String UNKNOWN_CASE = "{\"name\": \"unknown_999\", \"map\": {\"type\": \"UNKNOWN\", "
            + "\"type_id\": 999, \"key_size\": 4, \"value_size\": 4, \"max_entries\": 4, \"map_flags\": 0, "
            + "\"name\": \"\"}, \"create\": {\"ret\": -1, \"errno\": \"EINVAL\"}, \"ops\": []}";

    private static Corpus parse(String json) throws IOException {
        return Corpus.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test.json");
    }

    private static ProviderHost arrayHost() {
        ProviderHost host = Standalone.create();
        host.addProvider(new ArrayProvider());
        return host;
    }

    private static Report run(String json) throws IOException {
        return new ConformanceRunner(arrayHost()).run(parse(json), null);
    }

    // ---- tests ----

    @Test
    void aCorrectCasePasses() throws IOException {
        Report r = run(corpus(2, arrayCase("ok",
                update("01000000", "2a00000000000000", 0, OK),
                lookup("01000000", "exact", "{\"ret\": 0, \"errno\": null, \"value\": \"2a00000000000000\"}"))));
        assertEquals("1 passed, 0 failed, 0 skipped", r.summary());
    }

    @Test
    void anInterruptedRunStopsBetweenCasesAndKeepsTheFlag() throws IOException {
        String json = corpus(2, arrayCase("a", update("01000000", "2a00000000000000", 0, OK)),
                arrayCase("b", update("02000000", "2a00000000000000", 0, OK)));
        Thread.currentThread().interrupt();
        try {
            Report r = run(json);
            assertEquals("0 passed, 0 failed, 0 skipped", r.summary(), "no case replayed after Ctrl-C");
            assertTrue(Thread.currentThread().isInterrupted(), "the caller still sees the interrupt");
        } finally {
            Thread.interrupted();
        }
        assertEquals("2 passed, 0 failed, 0 skipped", run(json).summary());
    }

    /**
     * Ctrl-C in the middle of a case: the case fails because of it (here its lookup answers EINTR
     * as the interrupt lands), so it is not counted as a failure, and the run stops.
     */
    @Test
    void aCaseThatFailsWhileInterruptedIsNotCounted() throws IOException {
        ProviderHost host = arrayHost();
        BpfRuntime ctrlC = new HostRuntime(host) {
            @Override
            public BpfInstance newInstance(BpfSettings settings) {
                return new Delegating(host.newInstance(settings)) {
                    @Override
                    public int bpf(BpfCmd cmd, BpfAttr attr) {
                        if (cmd == BpfCmd.MAP_LOOKUP_ELEM) {
                            Thread.currentThread().interrupt();
                            return org.bpfmaps.core.api.Errno.EINTR.ret();
                        }
                        return super.bpf(cmd, attr);
                    }
                };
            }
        };
        String json = corpus(2, arrayCase("before", update("01000000", "2a00000000000000", 0, OK)),
                arrayCase("cut", lookup("01000000", "exact", OK)),
                arrayCase("after", update("02000000", "2a00000000000000", 0, OK)));
        try {
            Report r = new ConformanceRunner(ctrlC).run(parse(json), null);
            assertEquals("1 passed, 0 failed, 0 skipped", r.summary(), "the case cut short is not a failure");
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
        // not interrupted, the same failure counts
        Report r = new ConformanceRunner(new HostRuntime(host) {
            @Override
            public BpfInstance newInstance(BpfSettings settings) {
                return new Delegating(host.newInstance(settings)) {
                    @Override
                    public int bpf(BpfCmd cmd, BpfAttr attr) {
                        return cmd == BpfCmd.MAP_LOOKUP_ELEM ? org.bpfmaps.core.api.Errno.EINTR.ret()
                                : super.bpf(cmd, attr);
                    }
                };
            }
        }).run(parse(json), null);
        assertEquals("2 passed, 1 failed, 0 skipped", r.summary());
    }

    @Test
    void aWrongExpectedValueFailsNamingTheField() throws IOException {
        Report r = run(corpus(2, arrayCase("wrong_value",
                lookup("00000000", "exact", "{\"ret\": 0, \"errno\": null, \"value\": \"0100000000000000\"}"))));
        assertEquals(1, r.failed());
        assertEquals(0, r.passed());
        assertEquals(List.of("FAIL wrong_value: op 0 (lookup) value: expected 0100000000000000, "
                + "got 0000000000000000"), r.failures());
    }

    @Test
    void anErrnoMismatchShowsTheDispatchersReason() throws IOException {
        // the kernel answers EEXIST for NOEXIST on an array; pretend it said E2BIG
        Report r = run(corpus(2, arrayCase("wrong_errno",
                update("01000000", "0100000000000000", 1, "{\"ret\": -1, \"errno\": \"E2BIG\"}"))));
        assertEquals(1, r.failed());
        String line = r.failures().get(0);
        assertTrue(line.startsWith("FAIL wrong_errno: op 0 (update) errno: expected E2BIG, got EEXIST ("), line);
        assertTrue(line.endsWith(")"), line);
    }

    @Test
    void aWrongCreateExpectationFailsAtOpMinusOne() throws IOException {
        String c = "{\"name\": \"bad_create\", \"map\": {\"type\": \"ARRAY\", \"key_size\": 8, \"value_size\": 8, "
                + "\"max_entries\": 4, \"map_flags\": 0, \"name\": \"\"}, \"create\": " + OK + ", \"ops\": []}";
        Report r = run(corpus(2, c));
        assertEquals(1, r.failed());
        assertTrue(r.failures().get(0).startsWith("FAIL bad_create: op -1 (create) ret: expected 0, got -22 EINVAL ("),
                r.failures().get(0));
    }

    @Test
    void aTypeWithoutProviderIsSkipped() throws IOException {
        Report r = run(corpus(2, HASH_CASE));
        assertEquals("0 passed, 0 failed, 1 skipped", r.summary());
        assertTrue(r.skippedReasons().get(0).contains("HASH"), r.skippedReasons().toString());
    }

    private static String sockNew(String label, String kind) {
        return "{\"op\": \"sock_new\", \"label\": \"" + label + "\", \"kind\": \"" + kind
                + "\", \"check\": \"exact\", \"result\": " + OK + "}";
    }

    private static String sockClose(String label, String result) {
        return "{\"op\": \"sock_close\", \"label\": \"" + label + "\", \"check\": \"exact\", \"result\": "
                + result + "}";
    }

    @Test
    void aCaseMakingASocketKindNoPartMakesIsSkippedNamingIt() throws IOException {
        Report r = run(corpus(2, arrayCase("with_xsk", sockNew("a", "tcp_listen"), sockNew("x", "xdp_bound_lo"))));
        assertEquals("0 passed, 0 failed, 1 skipped", r.summary());
        assertEquals(List.of("SKIP with_xsk: socket kind xdp_bound_lo (sock_new): no installed part makes it"),
                r.skippedReasons());
    }

    private static long openFds() throws IOException {
        try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void socketObjectsAreTheCoresAndAllReleasedAtTheCaseEnd() throws IOException {
        // an ARRAY stores what it is given: the socket's fd, the lowest free number after the map's 3
        String c = arrayCase("with_socket", sockNew("a", "tcp_established"), sockNew("p", "pipe"),
                "{\"op\": \"update\", \"key\": \"00000000\", \"sock\": \"p\", \"flags\": 0, "
                        + "\"check\": \"exact\", \"result\": " + OK + "}",
                lookup("00000000", "exact", "{\"ret\": 0, \"errno\": null, \"value\": \"0500000000000000\"}"),
                sockClose("a", OK),
                sockClose("a", "{\"ret\": -1, \"errno\": \"EBADF\"}"),
                sockNew("b", "udp_bound"),
                "{\"op\": \"update\", \"key\": \"01000000\", \"sock\": \"b\", \"flags\": 0, "
                        + "\"check\": \"exact\", \"result\": " + OK + "}",
                lookup("01000000", "exact", "{\"ret\": 0, \"errno\": null, \"value\": \"0400000000000000\"}"));
        assertEquals("1 passed, 0 failed, 0 skipped", run(corpus(2, c)).summary());
        long before = openFds();
        for (int i = 0; i < 20; i++) {
            assertEquals("1 passed, 0 failed, 0 skipped", run(corpus(2, c)).summary());
        }
        // a case that left one fd behind would leave 20 after the loop; the JVM itself may open one
        // meanwhile (a jar, a compiler thread's file: seen once under a loaded build), so less than
        // a case's worth of growth passes
        long grown = openFds() - before;
        assertTrue(grown < 20, "every socket, peer, listener and pipe end closed at each case's end: " + grown
                + " more fds after 20 cases");
    }

    @Test
    void aLabelNoSockNewMadeFailsTheCase() throws IOException {
        Report r = run(corpus(2, arrayCase("no_label", sockClose("z", OK))));
        assertEquals(1, r.failed());
        assertTrue(r.failures().get(0).contains("no sock_new made the label 'z'"), r.failures().get(0));
    }

    @Test
    void anUnknownTypeNumberIsReplayedNotSkipped() throws IOException {
        assertEquals("1 passed, 0 failed, 0 skipped", run(corpus(2, UNKNOWN_CASE)).summary());
        // and a wrong expectation about it fails: it really ran
        Report r = run(corpus(2, UNKNOWN_CASE.replace("{\"ret\": -1, \"errno\": \"EINVAL\"}", OK)));
        assertEquals("0 passed, 1 failed, 0 skipped", r.summary());
    }

    @Test
    void onlyLeavesOtherTypesOutOfEveryCount() throws IOException {
        Corpus c = parse(corpus(2, arrayCase("arr", lookup("00000000", "exact",
                "{\"ret\": 0, \"errno\": null, \"value\": \"0000000000000000\"}")), HASH_CASE, UNKNOWN_CASE));
        ConformanceRunner runner = new ConformanceRunner(arrayHost());
        assertEquals("2 passed, 0 failed, 1 skipped", runner.run(c, null).summary());
        assertEquals("2 passed, 0 failed, 1 skipped", runner.run(c, Set.of()).summary());
        assertEquals("1 passed, 0 failed, 0 skipped", runner.run(c, Set.of(MapType.ARRAY)).summary());
        assertEquals("0 passed, 0 failed, 1 skipped", runner.run(c, Set.of(MapType.HASH)).summary());
        assertEquals("0 passed, 0 failed, 0 skipped", runner.run(c, Set.of(MapType.PERCPU_ARRAY)).summary());
    }

    @Test
    void aKnownDifferenceStillFails() throws IOException {
        Corpus c = parse(corpus(2, arrayCase("differs",
                lookup("00000000", "exact", "{\"ret\": -1, \"errno\": \"ENOENT\"}"))));
        Report r = new ConformanceRunner(arrayHost())
                .knownDifferences(Map.of("differs", "arrays here have every index"))
                .run(c, null);
        assertEquals("0 passed, 1 failed, 0 skipped", r.summary());
        assertTrue(r.failures().get(0).contains("known difference: arrays here have every index"),
                r.failures().get(0));
    }

    @Test
    void checkModesDecideWhatIsCompared() throws IOException {
        String wrongValue = "{\"ret\": 0, \"errno\": null, \"value\": \"ff00000000000000\"}";
        assertEquals(1, run(corpus(2, arrayCase("a", lookup("00000000", "exact", wrongValue)))).failed());
        assertEquals(1, run(corpus(2, arrayCase("a", lookup("00000000", "unordered", wrongValue)))).failed());
        assertEquals(0, run(corpus(2, arrayCase("a", lookup("00000000", "ret_only", wrongValue)))).failed());
        String wrongRet = "{\"ret\": -1, \"errno\": \"EPERM\"}";
        assertEquals(1, run(corpus(2, arrayCase("a", lookup("00000000", "ret_only", wrongRet)))).failed());
        assertEquals(0, run(corpus(2, arrayCase("a", lookup("00000000", "observed", wrongRet)))).failed());
    }

    @Test
    void unorderedComparesListsAsMultisets() throws IOException {
        String shuffled = "{\"op\": \"iterate\", \"check\": \"%s\", \"result\": {\"ret\": 0, \"errno\": null, "
                + "\"end_errno\": \"ENOENT\", \"keys\": [\"03000000\", \"00000000\", \"02000000\", \"01000000\"]}}";
        assertEquals(0, run(corpus(2, arrayCase("a", String.format(shuffled, "unordered")))).failed());
        Report exact = run(corpus(2, arrayCase("a", String.format(shuffled, "exact"))));
        assertEquals(List.of("FAIL a: op 0 (iterate) keys[0]: expected 03000000, got 00000000"), exact.failures());
        String missing = String.format(shuffled, "unordered").replace("\"03000000\"", "\"00000000\"");
        assertEquals(1, run(corpus(2, arrayCase("a", missing))).failed());
    }

    @Test
    void perCpuValuesUseTheCorpusCpuCount() throws IOException {
        // 3 possible CPUs, whatever this machine has: the value is 3 slots of round_up(4, 8) bytes
        String c = "{\"name\": \"pcpu\", \"map\": {\"type\": \"PERCPU_ARRAY\", \"key_size\": 4, \"value_size\": 4, "
                + "\"max_entries\": 2, \"map_flags\": 0, \"name\": \"\"}, \"create\": " + OK + ", \"ops\": ["
                + "{\"op\": \"update\", \"key\": \"01000000\", \"value_per_cpu\": [\"07000000\", \"0800000001\"], "
                + "\"flags\": 0, \"check\": \"exact\", \"result\": " + OK + "}, "
                + "{\"op\": \"lookup\", \"key\": \"01000000\", \"check\": \"exact\", \"result\": {\"ret\": 0, "
                + "\"errno\": null, \"value\": \"070000000000000008000000010000000700000000000000\", "
                + "\"value_per_cpu\": [\"0700000000000000\", \"0800000001000000\", \"0700000000000000\"]}}]}";
        assertEquals("1 passed, 0 failed, 0 skipped", run(corpus(3, c)).summary());
    }

    @Test
    void batchesPageWithPrevAndBatchAllCollectsEverything() throws IOException {
        String c = arrayCase("batches",
                "{\"op\": \"update_batch\", \"keys\": [\"00000000\", \"03000000\"], "
                        + "\"values\": [\"0a00000000000000\", \"0d00000000000000\"], \"check\": \"exact\", "
                        + "\"result\": {\"ret\": 0, \"errno\": null, \"count\": 2}}",
                "{\"op\": \"lookup_batch\", \"in_batch\": null, \"count\": 3, \"check\": \"exact\", \"result\": "
                        + "{\"ret\": 0, \"errno\": null, \"count\": 3, \"out_batch\": \"02000000\", "
                        + "\"keys\": [\"00000000\", \"01000000\", \"02000000\"], \"values\": ["
                        + "{\"value\": \"0a00000000000000\"}, {\"value\": \"0000000000000000\"}, "
                        + "{\"value\": \"0000000000000000\"}]}}",
                "{\"op\": \"lookup_batch\", \"in_batch\": \"prev\", \"count\": 3, \"check\": \"exact\", \"result\": "
                        + "{\"ret\": -1, \"errno\": \"ENOENT\", \"count\": 1, \"out_batch\": \"03000000\", "
                        + "\"keys\": [\"03000000\"], \"values\": [{\"value\": \"0d00000000000000\"}]}}",
                "{\"op\": \"batch_all\", \"count\": 3, \"delete\": false, \"check\": \"exact\", \"result\": "
                        + "{\"ret\": 0, \"errno\": null, \"count\": 4, \"end_errno\": \"ENOENT\", \"entries\": ["
                        + "{\"key\": \"00000000\", \"value\": \"0a00000000000000\"}, "
                        + "{\"key\": \"01000000\", \"value\": \"0000000000000000\"}, "
                        + "{\"key\": \"02000000\", \"value\": \"0000000000000000\"}, "
                        + "{\"key\": \"03000000\", \"value\": \"0d00000000000000\"}]}}");
        Report r = run(corpus(2, c));
        assertEquals("1 passed, 0 failed, 0 skipped", r.summary(), r.failures().toString());
    }

    @Test
    void infoComparesOnlyTheRecordedFields() throws IOException {
        String info = "{\"op\": \"info\", \"info_len\": 8, \"check\": \"exact\", \"result\": {\"ret\": 0, "
                + "\"errno\": null, \"info_len\": 8, \"info\": {\"type\": \"ARRAY\", \"id_nonzero\": true}}}";
        assertEquals(0, run(corpus(2, arrayCase("a", info))).failed());
        Report r = run(corpus(2, arrayCase("a", info.replace("\"id_nonzero\": true", "\"key_size\": 4"))));
        assertEquals(List.of("FAIL a: op 0 (info) info.key_size: expected 4, got 0"), r.failures());
    }

    @Test
    void eachCaseGetsAFreshInstanceThatIsClosedAndTheDefaultIsNeverUsed() throws IOException {
        AtomicInteger opened = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        ProviderHost host = arrayHost();
        BpfRuntime counting = new HostRuntime(host) {
            @Override
            public BpfInstance newInstance(BpfSettings settings) {
                assertEquals(3, settings.possibleCpus());
                opened.incrementAndGet();
                return new Delegating(host.newInstance(settings)) {
                    @Override
                    public void close() {
                        closed.incrementAndGet();
                        super.close();
                    }
                };
            }

            @Override
            public Bpf defaultInstance() {
                throw new AssertionError("the runner must not touch the default instance");
            }
        };
        // both cases create a map with the same name; each sees an empty object table
        String info = "{\"op\": \"info\", \"check\": \"exact\", \"result\": {\"ret\": 0, \"errno\": null, "
                + "\"info_len\": 104, \"info\": {\"name\": \"arr\"}}}";
        Report r = new ConformanceRunner(counting).run(parse(corpus(3, arrayCase("one", info),
                arrayCase("two", update("00000000", "0100000000000000", 0, OK), info))), null);
        assertEquals("2 passed, 0 failed, 0 skipped", r.summary());
        assertEquals(2, opened.get());
        assertEquals(2, closed.get());
    }

    @Test
    void anExceptionInTheDispatcherFailsTheCaseInsteadOfTheRun() throws IOException {
        ProviderHost host = arrayHost();
        BpfRuntime broken = new HostRuntime(host) {
            @Override
            public BpfInstance newInstance(BpfSettings settings) {
                return new Delegating(host.newInstance(settings)) {
                    @Override
                    public int bpf(BpfCmd cmd, BpfAttr attr) {
                        if (cmd == BpfCmd.MAP_LOOKUP_ELEM) {
                            throw new IllegalStateException("boom");
                        }
                        return super.bpf(cmd, attr);
                    }
                };
            }
        };
        Report r = new ConformanceRunner(broken).run(parse(corpus(2,
                arrayCase("throws", lookup("00000000", "exact", OK)),
                arrayCase("fine", update("00000000", "0100000000000000", 0, OK)))), null);
        assertEquals("1 passed, 1 failed, 0 skipped", r.summary());
        assertTrue(r.failures().get(0).startsWith(
                "FAIL throws: op 0 (lookup) threw java.lang.IllegalStateException: boom"), r.failures().get(0));
    }

    @Test
    void aReturnValueNoErrnoNamesIsReportedNotThrown() throws IOException {
        ProviderHost host = arrayHost();
        BpfRuntime odd = new HostRuntime(host) {
            @Override
            public BpfInstance newInstance(BpfSettings settings) {
                return new Delegating(host.newInstance(settings)) {
                    @Override
                    public int bpf(BpfCmd cmd, BpfAttr attr) {
                        return cmd == BpfCmd.MAP_LOOKUP_ELEM ? Integer.MIN_VALUE : super.bpf(cmd, attr);
                    }
                };
            }
        };
        Report r = new ConformanceRunner(odd).run(parse(corpus(2, arrayCase("odd",
                lookup("00000000", "exact", "{\"ret\": -1, \"errno\": \"ENOENT\"}")))), null);
        assertEquals(1, r.failed());
        assertTrue(r.failures().get(0).startsWith("FAIL odd: op 0 (lookup) errno: expected ENOENT, got errno "),
                r.failures().get(0));
    }

    @Test
    void nullPointersInputValuesAndFdinfoReplay() throws IOException {
        String efault = "{\"ret\": -1, \"errno\": \"EFAULT\"}";
        String ops = String.join(", ",
                update("00000000", "2a00000000000000", 0, OK),
                "{\"op\": \"update\", \"key\": \"01000000\", \"value\": null, \"result\": " + efault + "}",
                "{\"op\": \"lookup\", \"key\": \"00000000\", \"value\": null, \"result\": " + efault + "}",
                "{\"op\": \"lookup\", \"key\": \"09000000\", \"value\": null, "
                        + "\"result\": {\"ret\": -1, \"errno\": \"ENOENT\"}}",
                "{\"op\": \"lookup\", \"key\": \"00000000\", \"value\": \"ffffffffffffffff\", "
                        + "\"result\": {\"ret\": 0, \"errno\": null, \"value\": \"2a00000000000000\"}}",
                "{\"op\": \"lookup\", \"key\": \"00000000\", \"value\": \"ffff\", \"result\": " + efault + "}",
                "{\"op\": \"get_next_key\", \"key\": null, \"next_key\": null, \"result\": " + efault + "}",
                "{\"op\": \"fdinfo\", \"result\": {\"ret\": 0, \"errno\": null, \"memlock\": 344, "
                        + "\"frozen\": false}}",
                "{\"op\": \"freeze\", \"result\": " + OK + "}",
                "{\"op\": \"fdinfo\", \"result\": {\"ret\": 0, \"errno\": null, \"frozen\": true}}");
        Report r = run(corpus(2, "{\"name\": \"ext\", \"map\": " + ARRAY_MAP + ", \"create\": " + OK
                + ", \"ops\": [" + ops + "]}"));
        assertEquals("1 passed, 0 failed, 0 skipped", r.summary(), () -> String.join("\n", r.failures()));

        Report wrong = run(corpus(2, arrayCase("memlock",
                "{\"op\": \"fdinfo\", \"result\": {\"ret\": 0, \"errno\": null, \"memlock\": 345}}")));
        assertEquals(1, wrong.failed());
        assertTrue(wrong.failures().get(0).contains("memlock"), wrong.failures().get(0));
    }

    @Test
    void aMalformedCorpusIsRefusedWithTheFieldNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse(corpus(2, arrayCase("bad_hex", lookup("0x000000", "exact", OK)))));
        assertTrue(e.getMessage().contains("bad_hex") && e.getMessage().contains("key"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> parse("{\"cases\": []}"));
        assertTrue(e.getMessage().contains("kernel"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> parse(corpus(2, arrayCase("x", "{\"op\": \"frobnicate\", \"result\": " + OK + "}"))));
        assertTrue(e.getMessage().contains("frobnicate"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> parse(corpus(2, arrayCase("dup"), arrayCase("dup"))));
        assertTrue(e.getMessage().contains("dup"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> parse(corpus(2, arrayCase("x",
                "{\"op\": \"lookup_batch\", \"in_batch\": \"prev\", \"count\": 1, \"result\": " + OK + "}"))));
        assertTrue(e.getMessage().contains("prev"), e.getMessage());

        assertThrows(IOException.class, () -> parse("{\"kernel\": "));
    }

    /** A BpfRuntime that forwards everything to a host, for tests to override newInstance. */
    private abstract static class HostRuntime implements BpfRuntime {
        private final BpfRuntime host;

        HostRuntime(BpfRuntime host) {
            this.host = host;
        }

        @Override
        public Set<MapType> mapTypes() {
            return host.mapTypes();
        }

        @Override
        public Bpf defaultInstance() {
            return host.defaultInstance();
        }

        @Override
        public List<ProviderInfo> providers() {
            return host.providers();
        }

        @Override
        public List<DetachedMap> detachedMaps() {
            return host.detachedMaps();
        }

        @Override
        public java.util.SortedMap<String, org.bpfmaps.core.api.ProgType> programNames() {
            return host.programNames();
        }
    }

    /** A BpfInstance that forwards everything, for tests to override one method. */
    private static class Delegating implements BpfInstance {
        private final BpfInstance d;

        Delegating(BpfInstance d) {
            this.d = d;
        }

        @Override
        public int bpf(BpfCmd cmd, BpfAttr attr) {
            return d.bpf(cmd, attr);
        }

        @Override
        public int bpf(int cmd, BpfAttr attr) {
            return d.bpf(cmd, attr);
        }

        @Override
        public int close(int fd) {
            return d.close(fd);
        }

        @Override
        public int mmap(MmapAttr attr) {
            return d.mmap(attr);
        }

        @Override
        public int mkdir(String path, ErrorSink err) {
            return d.mkdir(path, err);
        }

        @Override
        public int unlink(String path, ErrorSink err) {
            return d.unlink(path, err);
        }

        @Override
        public ElemPath elemPath(int fd) {
            return d.elemPath(fd);
        }

        @Override
        public MapFdInfo fdinfo(int fd) {
            return d.fdinfo(fd);
        }

        @Override
        public Map<String, Integer> pinnedMaps() {
            return d.pinnedMaps();
        }

        @Override
        public BpfSettings settings() {
            return d.settings();
        }

        @Override
        public void close() {
            d.close();
        }
    }
}
