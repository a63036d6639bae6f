package org.bpfmaps.conformance.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfRuntime;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.DetachedMap;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ProviderInfo;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.bpfmaps.map.array.ArrayProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code conformance FILE [TYPE...]} on the repository's kernel corpus with the ARRAY family installed. */
class ConformanceCommandTest {
    /** Maven runs tests in the module's folder; the corpus is the repository's. */
    private static final String CORPUS = "../corpus/kernel-6.18.json";

    private record Run(int exit, String stdout, String stderr) {
    }

    private static Run conformance(String... args) {
        ProviderHost host = Standalone.create();
        host.addProvider(new ArrayProvider());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new ConformanceCommand(host).run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theKernelCorpusPassesForTheArrayFamily() {
        assertEquals(new Run(0, "77 passed, 0 failed, 230 skipped\n", ""), conformance(CORPUS));
    }

    @Test
    void ctrlCStopsTheRunWithAnErrorAndExit130() {
        Thread.currentThread().interrupt(); // what Gogo does to the command's thread on Ctrl-C
        Run r;
        try {
            r = conformance(CORPUS);
        } finally {
            Thread.interrupted();
        }
        assertEquals(130, r.exit());
        assertEquals("0 passed, 0 failed, 0 skipped\n", r.stdout());
        assertTrue(r.stderr().startsWith("Error: interrupted"), r.stderr());
    }

    /**
     * In Gogo a command prints through NIO channels, and an interrupted thread's first write closes
     * its channel (that write still lands): after Ctrl-C, a failure line, the counts and the error
     * line must all get through (the counts were lost after a failure line), and the interrupt is
     * still set when the command returns. Here Ctrl-C comes as the second case starts.
     */
    @Test
    void afterCtrlCEveryLineGetsThroughAnInterruptibleChannel(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("two.json");
        Files.writeString(file, """
                {"format": "bpf-map-oracle/1", "kernel": {"possible_cpus": 2}, "cases": [
                 {"name": "wrong", "map": {"type": "ARRAY", "key_size": 4, "value_size": 8, "max_entries": 4,
                  "map_flags": 0, "name": "a"}, "create": {"ret": -1, "errno": "EINVAL"}, "ops": []},
                 {"name": "right", "map": {"type": "ARRAY", "key_size": 4, "value_size": 8, "max_entries": 4,
                  "map_flags": 0, "name": "b"}, "create": {"ret": 0, "errno": null}, "ops": []}]}
                """);
        ProviderHost host = Standalone.create();
        host.addProvider(new ArrayProvider());
        AtomicInteger cases = new AtomicInteger();
        BpfRuntime ctrlC = new BpfRuntime() {
            @Override
            public BpfInstance newInstance(BpfSettings settings) {
                if (cases.incrementAndGet() == 2) {
                    Thread.currentThread().interrupt();
                }
                return host.newInstance(settings);
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
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(Channels.newOutputStream(Channels.newChannel(out)), true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(Channels.newOutputStream(Channels.newChannel(err)), true, StandardCharsets.UTF_8);
        int exit;
        boolean stillInterrupted;
        try {
            exit = new ConformanceCommand(ctrlC).run(List.of(file.toString()), o, e);
        } finally {
            stillInterrupted = Thread.interrupted();
        }
        assertEquals(130, exit);
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), out.toString(StandardCharsets.UTF_8));
        assertTrue(lines.get(0).startsWith("FAIL wrong"), lines.get(0));
        assertEquals("1 passed, 1 failed, 0 skipped", lines.get(1), "the case under way when Ctrl-C came counts");
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("Error: interrupted: the counts above"),
                err.toString(StandardCharsets.UTF_8));
        assertTrue(stillInterrupted, "the interrupt is the caller's to see");
    }

    @Test
    void namedTypesLeaveTheOthersOutOfEveryCount() {
        Run array = conformance(CORPUS, "array");
        Run both = conformance(CORPUS, "ARRAY", "percpu_array");
        assertEquals(0, array.exit());
        assertTrue(array.stdout().matches("\\d+ passed, 0 failed, 0 skipped\n"), array.stdout());
        assertTrue(both.stdout().matches("\\d+ passed, 0 failed, 0 skipped\n"), both.stdout());
        assertTrue(Integer.parseInt(array.stdout().split(" ")[0]) < Integer.parseInt(both.stdout().split(" ")[0]));
    }

    @Test
    void aFailingCaseIsPrintedAndExitsOne(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("wrong.json");
        // the kernel accepts this map; a corpus claiming EINVAL must fail
        Files.writeString(file, """
                {"format": "bpf-map-oracle/1", "kernel": {"possible_cpus": 2}, "cases": [
                 {"name": "wrong", "map": {"type": "ARRAY", "key_size": 4, "value_size": 8, "max_entries": 4,
                  "map_flags": 0, "name": "a"}, "create": {"ret": -1, "errno": "EINVAL"}, "ops": []}]}
                """);
        Run r = conformance(file.toString());
        assertEquals(1, r.exit());
        List<String> lines = r.stdout().lines().toList();
        assertEquals(2, lines.size(), r.stdout());
        assertTrue(lines.get(0).startsWith("FAIL wrong"), lines.get(0));
        assertEquals("0 passed, 1 failed, 0 skipped", lines.get(1));
    }

    @Test
    void badInputExits255WithAnErrorLine() {
        assertEquals(new Run(255, "", "Error: can't read corpus (nothere.json): No such file or directory\n"),
                conformance("nothere.json"));
        assertEquals(new Run(255, "", "Error: unrecognized map type: nosuch\n"), conformance(CORPUS, "nosuch"));
        Run none = conformance();
        assertEquals(255, none.exit());
        assertTrue(none.stderr().startsWith("Error: "), none.stderr());
        Run notJson = conformance("pom.xml");
        assertEquals(255, notJson.exit());
        assertTrue(notJson.stderr().startsWith("Error: can't read corpus (pom.xml): "), notJson.stderr());
        assertEquals(1, notJson.stderr().lines().count(), notJson.stderr());
    }
}
