package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.junit.jupiter.api.Test;

/** {@code bpf CMD FIELD=VALUE...}: raw calls, their results, errno names and changed fields. */
class RawCommandTest {
    private record Out(int exit, String stdout, String stderr) {
    }

    private static Out raw(Emulator emu, String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new RawCommand(emu.bpf).run(Arrays.asList(line.split(" ")),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Out(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aMapsLifeThroughRawCalls() {
        try (Emulator emu = new Emulator()) {
            Out create = raw(emu, "MAP_CREATE map_type=1 key_size=4 value_size=4 max_entries=2 map_name=raw");
            assertEquals(new Out(0, "ret 3\n", ""), create);
            assertEquals(new Out(0, "ret 0\nkey=01000000\nvalue=0a0b0c0d\n", ""),
                    raw(emu, "map_update_elem map_fd=3 key=01000000 value=0a0b0c0d flags=1"));
            Out exists = raw(emu, "BPF_MAP_UPDATE_ELEM map_fd=3 key=01000000 value=0a0b0c0d flags=1");
            assertEquals(239, exists.exit());
            assertTrue(exists.stdout().startsWith("ret -17 EEXIST (File exists)"), exists.stdout());
            assertEquals(new Out(0, "ret 0\nnext_key=01000000\n", ""), raw(emu, "4 map_fd=3 next_key=@4"),
                    "a command by number; a null buffer is not shown");
            Out next = raw(emu, "MAP_GET_NEXT_KEY map_fd=3 next_key=@4");
            assertEquals("ret 0\nnext_key=01000000\n", next.stdout());
            Out id = raw(emu, "MAP_GET_NEXT_ID start_id=0");
            assertEquals("ret 0\nnext_id=1\n", id.stdout());
            assertEquals(new Out(0, "ret 0\n", ""), raw(emu, "close fd=3"));
            assertEquals(new Out(247, "ret -9 EBADF (Bad file descriptor)\n", ""), raw(emu, "close fd=3"),
                    "EBADF as bpftool's exit byte");
        }
    }

    @Test
    void badWordsAreErrorLines() {
        try (Emulator emu = new Emulator()) {
            assertEquals(255, raw(emu, "NO_SUCH_CMD").exit());
            Out field = raw(emu, "MAP_CREATE nosuch=1");
            assertEquals(255, field.exit());
            assertTrue(field.stderr().startsWith("Error: MAP_CREATE takes FIELD=VALUE with FIELD one of map_type, "),
                    field.stderr());
            assertTrue(raw(emu, "MAP_CREATE key_size=x").stderr().startsWith("Error: can't parse 'x' as key_size"));
            assertTrue(raw(emu, "MAP_LOOKUP_ELEM key=0g").stderr().contains("hex bytes"));
            assertTrue(raw(emu, "MAP_CREATE key_size=0x100000000").stderr().contains("more than 32 bits"));
            Out unimplemented = raw(emu, "PROG_LOAD");
            assertTrue(unimplemented.stdout().startsWith("ret -22 EINVAL"), unimplemented.stdout());
            assertEquals(List.of("map_fd", "key", "value", "next_key", "flags"),
                    RawCommand.fieldNames(BpfCmd.MAP_LOOKUP_ELEM));
            emu.assertNoFdOpen("bad raw calls");
        }
    }
}
