package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bpftool's {@code main} as this shell runs it, without a real bpftool: version, help anywhere,
 * -f, batch files. (The differential test compares all of it with the real bpftool where one is
 * installed.)
 */
class BpftoolTest {
    private static Emulator.Result run(Emulator emu, String line) {
        return emu.bpftool(Arrays.asList(line.split(" +")));
    }

    @Test
    void versionAndHelpAsBpftoolPrintsThem() {
        try (Emulator emu = new Emulator()) {
            String version = "bpftool v7.1.0\nusing libbpf v1.1\nfeatures: libbpf_strict\n";
            assertEquals(new Emulator.Result(0, version, ""), run(emu, "version"));
            assertEquals(new Emulator.Result(0, version, ""), run(emu, "map show -V"));
            assertEquals(new Emulator.Result(0, "bpftool v7.1.0\nusing libbpf v1.1\nfeatures:\n", ""),
                    run(emu, "-l version"));
            assertEquals(new Emulator.Result(0, "{\"version\":\"7.1.0\",\"libbpf_version\":\"1.1\",\"features\":"
                    + "{\"libbfd\":false,\"libbpf_strict\":true,\"skeletons\":false}}", ""), run(emu, "-j -V"),
                    "-V returns before the JSON writer's newline");
            assertEquals(new Emulator.Result(0, "", HelpText.MAIN), run(emu, "map dump -h pinned /x"));
            assertEquals(new Emulator.Result(0, "null", ""), run(emu, "-j map -h"));
            assertEquals(new Emulator.Result(0, "", HelpText.map("m")), run(emu, "m help"),
                    "the usage names the object as typed");
            Emulator.Result prog = run(emu, "prog show");
            assertEquals(255, prog.exit());
            assertTrue(prog.stderr().startsWith("Error: 'prog' commands are not served by this shell\n"));
        }
    }

    @Test
    void bpffsOptionListsPinsInBpftoolsOrder() {
        try (Emulator emu = new Emulator()) {
            run(emu, "map create /sys/fs/bpf/a type array key 4 value 4 entries 1 name a");
            run(emu, "map create /sys/fs/bpf/b type hash key 4 value 4 entries 1 name b");
            run(emu, "map pin name a /sys/fs/bpf/z");
            run(emu, "map pin name a /sys/fs/bpf/0");
            // bpftool's hashmap reverses the newest-first walk partly: a, 0, z (checked on 6.18)
            assertEquals("\tpinned /sys/fs/bpf/a\n\tpinned /sys/fs/bpf/0\n\tpinned /sys/fs/bpf/z\n",
                    run(emu, "-f map show name a").stdout().split("memlock \\d+B\n", 2)[1]);
            assertTrue(run(emu, "-j -f map show name b").stdout().endsWith("\"pinned\":[\"/sys/fs/bpf/b\"]}\n"));
            emu.bpf.unlink("/sys/fs/bpf/a", null);
            emu.bpf.unlink("/sys/fs/bpf/z", null);
            emu.bpf.unlink("/sys/fs/bpf/0", null);
            assertTrue(run(emu, "-j -f map show").stdout().endsWith("\"pinned\":[\"/sys/fs/bpf/b\"]}]\n"));
            emu.bpf.unlink("/sys/fs/bpf/b", null);
            assertEquals("[]\n", run(emu, "-j -f map show").stdout());
        }
    }

    @Test
    void aBatchStopsAtItsFirstFailingLine(@TempDir Path dir) throws IOException {
        try (Emulator emu = new Emulator()) {
            Path f = dir.resolve("b");
            Files.writeString(f, "map create /sys/fs/bpf/h type hash key 4 value 4 entries 1 name h # comment\n"
                    + "\n  map update pinned /sys/fs/bpf/h \\\n key 1 0 0 0 value 1 0 0 0\n"
                    + "m lookup p '/sys/fs/bpf/h' key 2 0 0 0\nmap show\n");
            Emulator.Result plain = run(emu, "batch file " + f);
            assertEquals(new Emulator.Result(254, "key:\n02 00 00 00\n\nNot found\n", ""), plain);
            emu.bpf.unlink("/sys/fs/bpf/h", null);
            Emulator.Result json = run(emu, "-j batch file " + f);
            assertEquals(254, json.exit());
            List<Object> docs = Json.documents(json.stdout());
            assertEquals(1, docs.size(), json.stdout());
            assertEquals(3, ((List<?>) docs.get(0)).size(), "create, update, the failed lookup");
            emu.bpf.unlink("/sys/fs/bpf/h", null);
            Files.writeString(f, "map create /sys/fs/bpf/h type hash key 4 value 4 entries 1 name h\nversion\n");
            assertEquals("bpftool v7.1.0\nusing libbpf v1.1\nfeatures: libbpf_strict\nprocessed 2 commands\n",
                    run(emu, "batch file " + f).stdout());
            assertEquals(new Emulator.Result(255, "", "Error: Can't open file (nonexistent): No such file or "
                    + "directory\n"), run(emu, "batch file nonexistent"));
            assertEquals(new Emulator.Result(255, "", "Error: too many parameters for batch\n"),
                    run(emu, "batch file a b"));
            emu.assertNoFdOpen("batches");
        }
    }
}
