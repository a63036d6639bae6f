package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Tab offers, from the live state of an instance with the ARRAY family. */
class CompletionTest {
    private final Emulator emu = new Emulator();
    private final Completion c = new Completion(emu.bpf, emu.host::mapTypes, () -> List.of(DocumentedCommandTest.lint()));

    @BeforeEach
    void maps() {
        assertEquals(0, emu.map("create /sys/fs/bpf/counters type array key 4 value 8 entries 4 name counters").exit());
        assertEquals(0, emu.map("create /sys/fs/bpf/cpu_stats type percpu_array key 4 value 8 entries 4 name cpu_stats").exit());
        assertEquals(0, emu.map("create /sys/fs/bpf/counters2 type array key 4 value 4 entries 1 name counters").exit());
        assertEquals(0, emu.bpf.mkdir("/sys/fs/bpf/net", null));
        assertEquals(0, emu.map("pin name cpu_stats /sys/fs/bpf/net/stats").exit());
    }

    @AfterEach
    void close() {
        emu.close();
    }

    private List<String> at(String line) {
        return c.candidates(line, line.length());
    }

    @Test
    void subcommandsInTheParsersTableAndByPrefix() {
        assertEquals(MapCommand.commandNames().stream().sorted().toList(), at("map "));
        assertEquals(List.of("delete", "dequeue", "dump"), at("map d"));
        assertEquals(List.of("show"), at("bpf:map sh"));
        assertEquals(List.of("show"), at("map -j sh"), "options before the subcommand");
        assertEquals(List.of(), at("map frob "));
        assertEquals(List.of(), at("ma"), "the command word is the terminal's (every Gogo command)");
    }

    @Test
    void handlesOfferTheLiveMaps() {
        assertEquals(List.of("id", "name", "pinned"), at("map dump "));
        assertEquals(List.of("1", "2", "3"), at("map dump id "));
        assertEquals(List.of("counters", "cpu_stats"), at("map show name "), "a shared name once");
        assertEquals(List.of("cpu_stats"), at("map lookup name cp"));
        assertEquals(List.of("/sys/fs/bpf/counters", "/sys/fs/bpf/counters2", "/sys/fs/bpf/cpu_stats", "/sys/fs/bpf/net/"),
                at("map dump pinned /sys/fs/bpf/"));
        assertEquals(List.of("/sys/fs/bpf/counters", "/sys/fs/bpf/counters2", "/sys/fs/bpf/cpu_stats"),
                at("map dump pinned /sys/fs/bpf/c"));
        assertEquals(List.of("/sys/fs/bpf/counters", "/sys/fs/bpf/counters2"), at("map dump pinned /sys/fs/bpf/cou"));
        assertEquals(List.of("/sys/fs/bpf/net/stats"), at("map dump pinned /sys/fs/bpf/net/"));
        assertEquals(List.of("/sys/fs/bpf/"), at("map dump pinned /s"));
        // The state is read at each Tab: a map made now is offered now.
        assertEquals(0, emu.map("create /sys/fs/bpf/late type array key 4 value 4 entries 1 name late").exit());
        assertTrue(at("map dump name ").contains("late"));
        assertTrue(at("map dump id ").contains("4"));
        emu.assertNoFdOpen("completion");
    }

    @Test
    void keywordsOfEachSubcommand() {
        assertEquals(List.of("key", "value"), at("map update name counters "));
        assertEquals(List.of("hex"), at("map update name counters key "));
        assertEquals(List.of("value"), at("map update name counters key 1 0 0 0 "));
        assertEquals(List.of("any", "exist", "noexist"), at("map update id 1 key 1 0 0 0 value 7 0 0 0 0 0 0 0 "));
        assertEquals(List.of("noexist"), at("map update id 1 key 1 0 0 0 value 7 0 0 0 0 0 0 0 no"));
        assertEquals(List.of("key"), at("map lookup id 1 "));
        assertEquals(List.of("key"), at("map del id 1 "), "an abbreviated subcommand");
        assertEquals(List.of("value"), at("map push id 1 "));
        assertEquals(List.of("cpu", "index"), at("map event_pipe id 1 "));
        assertEquals(List.of(), at("map dump id 1 "));
        assertEquals(List.of("/sys/fs/bpf/"), at("map pin id 1 "), "a new FILE: the bpffs first");
        assertEquals(List.of("/sys/fs/bpf/net/"), at("map pin id 1 /sys/fs/bpf/"), "then its folders");
    }

    @Test
    void createOffersItsKeywordsAndTheServedTypes() {
        assertEquals(List.of("/sys/fs/bpf/"), at("map create "));
        assertEquals(List.of("/sys/fs/bpf/net/"), at("map create /sys/fs/bpf/n"));
        assertEquals(List.of("dev", "entries", "flags", "inner_map", "key", "name", "type", "value"),
                at("map create /sys/fs/bpf/m "));
        assertEquals(List.of("array", "bloom_filter", "hash", "lpm_trie", "lru_hash", "lru_percpu_hash", "percpu_array",
                "percpu_hash", "queue", "sockhash", "sockmap", "stack"),
                at("map create /sys/fs/bpf/m type "), "the types the emulator's providers serve");
        assertEquals(List.of("percpu_array", "percpu_hash"), at("map create /sys/fs/bpf/m type pe"));
        assertEquals(List.of("dev", "entries", "flags", "inner_map", "name", "value"),
                at("map create /sys/fs/bpf/m type array key 4 "));
        assertEquals(List.of(), at("map create /sys/fs/bpf/m type array key "), "a size: nothing to offer");
        assertEquals(List.of("id", "name", "pinned"), at("map create /sys/fs/bpf/m inner_map "));
        assertEquals(List.of("counters", "cpu_stats"), at("map create /sys/fs/bpf/m inner_map name "));
    }

    @Test
    void optionsAndTheCursorInsideTheLine() {
        List<String> longOnes = at("map --");
        assertTrue(longOnes.containsAll(List.of("--json", "--pretty")) && longOnes.stream().allMatch(w -> w.startsWith("--")),
                longOnes.toString());
        for (String flag : at("map -")) {
            assertTrue(flag.equals("--help") || Options.parse(List.of(flag)).bad == null, "the parser takes " + flag);
        }
        assertTrue(at("map -").containsAll(List.of("-j", "-p", "--help")));
        assertEquals(List.of("--json"), at("map dump id 1 --j"));
        String line = "map dump id 1";
        assertEquals(List.of("delete", "dequeue", "dump"), c.candidates(line, 5), "the word up to the cursor");
        assertEquals(List.of("id", "name", "pinned"), c.candidates(line, 9));
    }

    @Test
    void helpOffersTheShellsCommandsAndTheDocumentedOnes() {
        assertEquals(List.of("batch", "bpf", "bpftool", "complete", "help", "lint", "map", "providers"), at("help "));
        assertEquals(List.of("update"), at("help map up"));
        Completion without = new Completion(emu.bpf, emu.host::mapTypes, List::of);
        assertEquals(List.of("batch", "bpf", "bpftool", "complete", "help", "map", "providers"),
                without.candidates("help ", 5), "a command no longer registered is not offered");
        assertEquals(List.of(), without.candidates("lint x ", 7));
    }

    /** A documented command's arguments by their kinds: lint FILE [TYPE...] takes paths, then map types. */
    @Test
    void aDocumentedCommandsArgumentsByTheirKinds() {
        // Maven runs tests in the module's folder: pom.xml, src/ and target/ are there.
        assertEquals(List.of("pom.xml"), at("lint po"));
        assertEquals(List.of("src/"), at("bpf:lint sr"), "a folder, with its slash");
        assertEquals(List.of("src/main/", "src/test/"), at("lint src/"));
        assertEquals(List.of("src/main/java/"), at("lint src/main/j"));
        assertTrue(at("lint ").containsAll(List.of("pom.xml", "src/", "target/")), at("lint ").toString());
        assertEquals(List.of(), at("lint nosuch/"));
        assertEquals(List.of("array", "bloom_filter", "hash", "lpm_trie", "lru_hash", "lru_percpu_hash", "percpu_array",
                "percpu_hash", "queue", "sockhash", "sockmap", "stack"), at("lint corpus.json "));
        assertEquals(List.of("lru_hash", "lru_percpu_hash"), at("lint corpus.json hash lru"), "and for every later TYPE");
    }

    @Test
    void hiddenPathsOnlyOnceADotIsTyped(@TempDir Path dir) throws IOException {
        Files.createFile(dir.resolve(".hidden"));
        Files.createFile(dir.resolve("shown"));
        assertEquals(List.of(dir + "/shown"), at("lint " + dir + "/"));
        assertEquals(List.of(dir + "/.hidden"), at("lint " + dir + "/."));
    }
}
