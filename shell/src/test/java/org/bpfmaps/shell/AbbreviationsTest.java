package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Subcommands and keywords abbreviate as bpftool's {@code is_prefix} allows: the first match in
 * bpftool's own order wins, so an abbreviation that fits several is not an error.
 */
class AbbreviationsTest {
    private static final String A = "/sys/fs/bpf/a";

    @Test
    void isPrefixIsBpftools() {
        assertTrue(Args.isPrefix("d", "dump"));
        assertTrue(Args.isPrefix("dump", "dump"));
        assertTrue(Args.isPrefix("", "show"), "even the empty word abbreviates");
        assertEquals(false, Args.isPrefix("dumps", "dump"));
        assertEquals(false, Args.isPrefix(null, "dump"));
        assertEquals(false, Args.isPrefix("D", "dump"), "case matters");
    }

    @Test
    void theFirstSubcommandInBpftoolsOrderWins() {
        try (Emulator emu = new Emulator()) {
            assertEquals(0, emu.map("c " + A + " t array k 4 v 8 e 2 n a").exit());
            String show = emu.map("show pinned " + A).stdout();
            assertEquals(show, emu.map("s p " + A).stdout());
            assertEquals(show, emu.map("l p " + A).stdout(), "l is list before lookup");
            assertEquals(show, emu.map(List.of("", "p", A)).stdout(), "the empty word is show");
            assertEquals(show, emu.map("").stdout(), "no word at all is show");
            assertTrue(emu.map("d p " + A).stdout().startsWith("key: 00 00 00 00"), "d is dump before delete");
            assertEquals("Error: delete failed: Invalid argument\n",
                    BpftoolRecordingTest.withoutDetailLines(emu.map("de p " + A + " k 0 0 0 0").stderr()));
            assertEquals(0, emu.map("u p " + A + " k 1 0 0 0 v 9 0 0 0 0 0 0 0").exit());
            assertEquals("key: 01 00 00 00  value: 09 00 00 00 00 00 00 00\n",
                    emu.map("lo p " + A + " k 1 0 0 0").stdout());
            assertEquals("key: None\nnext key:\n00 00 00 00\n", emu.map("g p " + A).stdout());
            assertEquals("Error: map is not a perf event array\n", emu.map("e p " + A).stderr(),
                    "e is event_pipe before enqueue");
            assertEquals("key: 01 00 00 00  value: 09 00 00 00 00 00 00 00\n",
                    emu.map("pe p " + A + " k 1 0 0 0").stdout(), "pe is peek, an alias of lookup");
            assertEquals(0, emu.map("pu p " + A + " k 1 0 0 0 v 3 0 0 0 0 0 0 0").exit(), "pu is push");
            assertEquals(0, emu.map("en p " + A + " k 1 0 0 0 v 4 0 0 0 0 0 0 0").exit(), "en is enqueue");
            assertEquals("key: 01 00 00 00  value: 04 00 00 00 00 00 00 00\n",
                    emu.map("lookup p " + A + " k 1 0 0 0").stdout());
            assertEquals(0, emu.map("p p " + A + " /sys/fs/bpf/b").exit(), "p is pin before peek, push, pop");
            // an array cannot pop; the message says which subcommand ran
            assertTrue(emu.map("po p " + A).stderr().startsWith("Error: pop failed: "), "po is pop");
            assertTrue(emu.map("deq p " + A).stderr().startsWith("Error: pop failed: "), "deq is dequeue");
            assertTrue(emu.map("h").stderr().startsWith("Usage: bpftool map"), "h is help");
            assertEquals(0, emu.map("h").exit());
            assertEquals(0, emu.map("f p " + A).exit(), "f is freeze");
            assertTrue(emu.map("show p " + A).stdout().endsWith("\tfrozen\n"));
        }
    }

    @Test
    void keywordsAbbreviateInTheirOwnOrder() {
        try (Emulator emu = new Emulator()) {
            // create: type, name, key, value, entries, flags, dev, inner_map
            assertEquals(0, emu.map("cr /sys/fs/bpf/m ty array ke 4 va 4 en 1 na m f 1024").exit());
            assertTrue(emu.map("show pinned /sys/fs/bpf/m").stdout().contains("flags 0x400"));
            assertEquals("Error: unrecognized netdevice 'nosuchdev0': No such device\n",
                    BpftoolRecordingTest.withoutDetailLines(
                            emu.map("create /sys/fs/bpf/n t array k 4 v 4 e 1 n n d nosuchdev0").stderr()),
                    "d is dev");
            // handles: id, name, pinned; update flags: any, noexist, exist
            assertEquals(0, emu.map("update i " + emu.idOf("/sys/fs/bpf/m") + " k 0 0 0 0 v 1 0 0 0 e").exit());
            assertEquals(239, emu.map("update n m k 0 0 0 0 v 1 0 0 0 n").exit(), "n is noexist: EEXIST");
            assertEquals(0, emu.map("update p /sys/fs/bpf/m k 0 0 0 0 v 1 0 0 0 a").exit());
            assertEquals(0, emu.map("update p /sys/fs/bpf/m k h 0 0 0 0 v he ff 0 0 0").exit(), "h, he are hex");
            assertEquals("key: 00 00 00 00  value: ff 00 00 00\n", emu.map("lookup p /sys/fs/bpf/m k 0 0 0 0").stdout());
        }
    }
}
