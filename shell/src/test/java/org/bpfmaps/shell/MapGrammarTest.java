package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Help and completion see the parser's grammar: its subcommands, its order, bpftool's usage, its options. */
class MapGrammarTest {
    private final MapGrammar g = MapGrammar.get();

    @Test
    void theSubcommandsAreTheParsersInItsOrderEachWithBpftoolsSyntaxAndADescription() {
        List<String> names = new ArrayList<>();
        for (MapGrammar.Sub s : g.subs()) {
            names.add(s.name());
            assertTrue(s.syntax().startsWith(s.name()), s.toString());
            assertTrue(HelpText.MAP.contains(s.syntax().substring(s.name().length()).strip().split(" ")[0]), s.toString());
            assertTrue(!Docs.SUBCOMMANDS.getOrDefault(s.name(), "").isEmpty(), "a description of " + s.name());
        }
        assertEquals(MapCommand.commandNames(), names);
        assertEquals(new TreeSet<>(names), new TreeSet<>(Docs.SUBCOMMANDS.keySet()), "no description of a subcommand that is not there");
        assertEquals("update MAP [key DATA] [value VALUE] [UPDATE_FLAGS]", g.sub("update").syntax());
        assertEquals("create FILE type TYPE key KEY_SIZE value VALUE_SIZE entries MAX_ENTRIES name NAME [flags FLAGS] "
                + "[inner_map MAP] [dev NAME]", g.sub("create").syntax(), "continuation lines joined");
        assertEquals("list [MAP]", g.sub("list").syntax());
    }

    @Test
    void abbreviationsResolveAsTheParserResolvesThem() {
        assertEquals("dump", g.resolve("d"));
        assertEquals("pin", g.resolve("p"));
        assertEquals("show", g.resolve(""));
        assertEquals("delete", g.resolve("del"));
        assertEquals("dequeue", g.resolve("deq"));
        assertNull(g.resolve("frobnicate"));
        // The parser agrees: each abbreviation answers as the subcommand it resolves to.
        try (Emulator emu = new Emulator()) {
            for (String abbrev : new String[] {"d", "p", "del", "deq", "l", "g"}) {
                String rest = abbrev.equals("p") ? " id 99 /sys/fs/bpf/x" : " id 99 key 0 0 0 0";
                assertEquals(emu.map(g.resolve(abbrev) + rest), emu.map(abbrev + rest), abbrev);
            }
        }
    }

    @Test
    void definitionsAndOptionsComeFromTheUsageAndTheOptionParser() {
        assertEquals(List.of("any", "exist", "noexist"), g.alternatives("UPDATE_FLAGS"));
        assertEquals(List.of("id MAP_ID", "pinned FILE", "name MAP_NAME"), g.alternatives("MAP"));
        assertTrue(g.alternatives("TYPE").contains("percpu_array"));
        assertTrue(!g.flags().isEmpty());
        for (MapGrammar.Flag f : g.flags()) {
            assertNull(Options.parse(List.of(f.shortForm())).bad, f.toString());
            assertNull(Options.parse(List.of(f.longForm())).bad, f.toString());
        }
        assertTrue(g.flags().contains(new MapGrammar.Flag("-j", "--json")));
        assertTrue(g.flags().contains(new MapGrammar.Flag("-p", "--pretty")));
    }
}
