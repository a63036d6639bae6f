package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code DATA := { [hex] BYTES }}: one word per byte, read as bpftool reads it, and the
 * {@code key}/{@code value}/flags grammar around it.
 */
class DataTest {
    private static final String M = "/sys/fs/bpf/m";
    private Emulator emu;

    @BeforeEach
    void create() {
        emu = new Emulator();
        assertEquals(0, emu.map("create " + M + " type array key 4 value 8 entries 4 name m").exit());
    }

    @AfterEach
    void close() {
        emu.close();
    }

    private String valueAfter(String valueWords) {
        Emulator.Result r = emu.map("update pinned " + M + " key 1 0 0 0 value " + valueWords);
        assertEquals(0, r.exit(), r.stderr());
        return emu.map("lookup pinned " + M + " key 1 0 0 0").stdout();
    }

    @Test
    void bytesAreDecimalHexOrOctalAndWrap() {
        assertEquals("key: 01 00 00 00  value: 0a 0a 08 00 ff 01 00 00\n", valueAfter("10 0xa 010 256 255 257 0 0"));
        assertEquals("key: 01 00 00 00  value: 0a 1f ab 00 00 00 00 ff\n", valueAfter("hex 0a 0x1f AB 100 0 0 0 ff"));
    }

    @Test
    void aWordAfterDoubleDashMayStartWithAMinus() {
        List<String> words = new ArrayList<>(List.of("update", "pinned", M, "key", "1", "0", "0", "0", "value", "--",
                "-1", "+2", "", "0", "0", "0", "0", "0"));
        assertEquals(0, emu.map(words).exit(), "-1 is all ones, +2 is 2, an empty word is 0");
        assertEquals("key: 01 00 00 00  value: ff 02 00 00 00 00 00 00\n",
                emu.map("lookup pinned " + M + " key 1 0 0 0").stdout());
        assertEquals("Error: unrecognized option '-1'\n",
                emu.map("update pinned " + M + " key 1 0 0 0 value -1 0 0 0 0 0 0 0").stderr().lines().findFirst()
                        .get() + "\n", "without --, a word with a leading minus is an option, as in bpftool");
    }

    @Test
    void badBytesAndCounts() {
        assertEquals(new Emulator.Result(255, "", "Error: error parsing byte: 08\n"),
                emu.map("update pinned " + M + " key 08 0 0 0 value 1 0 0 0 0 0 0 0"));
        assertEquals(new Emulator.Result(255, "", "Error: error parsing byte: 0x\n"),
                emu.map("update pinned " + M + " key 0x 0 0 0 value 1 0 0 0 0 0 0 0"));
        assertEquals(new Emulator.Result(255, "", "Error: error parsing byte: 0g\n"),
                emu.map("update pinned " + M + " key hex 0g 0 0 0 value 1 0 0 0 0 0 0 0"));
        assertEquals(new Emulator.Result(255, "", "Error: key expected 4 bytes got 2\n"),
                emu.map("lookup pinned " + M + " key 1 0"));
        assertEquals(new Emulator.Result(255, "", "Error: value expected 8 bytes got 0\n"),
                emu.map("update pinned " + M + " key 1 0 0 0 value"));
        assertEquals(new Emulator.Result(255, "", "Error: error parsing byte: value\n"),
                emu.map("update pinned " + M + " key hex 01000000 value 1 0 0 0 0 0 0 0"),
                "bytes are read one word each: 01000000 is one byte and 'value' the next");
    }

    @Test
    void keyValueAndFlagsInAnyOrderOnceEach() {
        assertEquals(0, emu.map("update pinned " + M + " exist value 7 0 0 0 0 0 0 0 key 2 0 0 0").exit());
        assertEquals("key: 02 00 00 00  value: 07 00 00 00 00 00 00 00\n",
                emu.map("lookup pinned " + M + " key 2 0 0 0").stdout());
        assertEquals(new Emulator.Result(255, "", "Error: flags specified multiple times: any\n"),
                emu.map("lookup pinned " + M + " key 2 0 0 0 any"), "lookup takes no flags at all");
        assertEquals(new Emulator.Result(255, "", "Error: expected key or value, got: nokey\n"),
                emu.map("update pinned " + M + " nokey 2 0 0 0"));
    }
}
