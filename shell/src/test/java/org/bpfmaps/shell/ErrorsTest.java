package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.GetIdAttr;
import org.junit.jupiter.api.Test;

/**
 * Each class of failure: bpftool's Error line (or its JSON object) first, then what the
 * dispatcher knows beyond the errno (indented, or a "detail" key), on the right stream, with
 * bpftool's exit code, and nothing changed.
 */
class ErrorsTest {
    private static final String M = "/sys/fs/bpf/m";

    private static Emulator withMap() {
        Emulator emu = new Emulator();
        assertEquals(0, emu.map("create " + M + " type array key 4 value 8 entries 4 name m").exit());
        return emu;
    }

    /** The Error line and its detail line, nothing on standard output. */
    private static void assertError(Emulator.Result r, int exit, String error, String detailPart) {
        assertEquals(exit, r.exit(), r.toString());
        assertEquals("", r.stdout());
        List<String> lines = r.stderr().lines().toList();
        assertEquals("Error: " + error, lines.get(0));
        if (detailPart == null) {
            assertEquals(1, lines.size(), r.stderr());
        } else {
            assertEquals(2, lines.size(), r.stderr());
            assertTrue(lines.get(1).startsWith("  ") && lines.get(1).contains(detailPart), r.stderr());
        }
    }

    @Test
    void elementCommandsExitWithTheirErrnoAsAByte() {
        try (Emulator emu = withMap()) {
            assertError(emu.map("update pinned " + M + " key 9 0 0 0 value 1 0 0 0 0 0 0 0"), 249,
                    "update failed: Argument list too long", "max_entries (4)");
            assertError(emu.map("update pinned " + M + " key 1 0 0 0 value 1 0 0 0 0 0 0 0 noexist"), 239,
                    "update failed: File exists", "");
            assertError(emu.map("delete pinned " + M + " key 1 0 0 0"), 234, "delete failed: Invalid argument",
                    "cannot be deleted");
            assertError(emu.map("getnext pinned " + M + " key 3 0 0 0"), 254,
                    "can't get next key: No such file or directory", "no next key");
            assertEquals(0, emu.map("freeze pinned " + M).exit());
            assertError(emu.map("update pinned " + M + " key 1 0 0 0 value 1 0 0 0 0 0 0 0"), 255,
                    "update failed: Operation not permitted", "frozen");
            assertError(emu.map("freeze pinned " + M), 255, "failed to freeze map: Operation not permitted",
                    "frozen");
        }
    }

    @Test
    void aLookupMissIsNotFoundOnStandardOutput() {
        try (Emulator emu = withMap()) {
            assertEquals(new Emulator.Result(254, "key:\n09 00 00 00\n\nNot found\n", ""),
                    emu.map("lookup pinned " + M + " key 9 0 0 0"));
            assertEquals(new Emulator.Result(254, "null\n", ""), emu.map("-j lookup pinned " + M + " key 9 0 0 0"));
        }
    }

    @Test
    void jsonErrorsCarryTheDetailAsAKey() {
        try (Emulator emu = withMap()) {
            Emulator.Result r = emu.map("-j update pinned " + M + " key 9 0 0 0 value 1 0 0 0 0 0 0 0");
            assertEquals(249, r.exit());
            assertEquals("", r.stderr());
            assertTrue(r.stdout().startsWith("{\"error\":\"update failed: Argument list too long\",\"detail\":\""),
                    r.stdout());
            assertTrue(r.stdout().endsWith("\"}\n"), r.stdout());
            assertEquals(new Emulator.Result(255, "{\"error\":\"error parsing byte: 0g\"}\n", ""),
                    emu.map("-j update pinned " + M + " key 0g 0 0 0 value 1 0 0 0 0 0 0 0"), "no detail, no key");
        }
    }

    @Test
    void handlesThatOpenNothing() {
        try (Emulator emu = withMap()) {
            assertError(emu.map("show pinned /sys/fs/bpf/none"), 255,
                    "bpf obj get (/sys/fs/bpf/none): No such file or directory", "nothing is pinned");
            assertError(emu.map("dump id 999"), 255, "get map by id (999): No such file or directory", "999");
            assertError(emu.map("lookup name nothing key 0 0 0 0"), 255,
                    "get map by name (nothing): No such file or directory", null);
            assertError(emu.map("show name a_name_of_16chars"), 255, "can't parse name", null);
            assertError(emu.map("show id x1"), 255, "can't parse x1 as ID", null);
            assertError(emu.map("show idd 1"), 255, "expected 'id', 'name' or 'pinned', got: 'idd'?", null);
            assertEquals(0, emu.map("create /sys/fs/bpf/m2 type percpu_array key 4 value 8 entries 4 name m").exit());
            assertError(emu.map("update name m key 0 0 0 0 value 0 0 0 0 0 0 0 0"), 255,
                    "several maps match this handle", null);
        }
    }

    @Test
    void parseErrorsAndUsage() {
        try (Emulator emu = withMap()) {
            assertError(emu.map("create /sys/fs/bpf/x type nosuch key 4 value 8 entries 4 name x"), 255,
                    "unrecognized map type: nosuch", null);
            assertError(emu.map("create /sys/fs/bpf/x type array key 4 value 8 entries 4 name x flags 0xg"), 255,
                    "can't parse 0xg as flags", null);
            assertError(emu.map("pin pinned " + M), 234, "'pin' needs at least 3 arguments, 2 found", null);
            Emulator.Result usage = emu.map("dump pinned");
            assertEquals(255, usage.exit());
            assertEquals(HelpText.MAP, usage.stderr(), "the usage, no Error line");
            assertEquals(new Emulator.Result(255, "null\n", ""), emu.map("-j dump pinned"));
            Emulator.Result unknown = emu.map("frobnicate");
            assertEquals(new Emulator.Result(255, "", HelpText.MAP), unknown);
        }
    }

    @Test
    void createFailuresLeaveNoMapBehind() {
        try (Emulator emu = withMap()) {
            assertError(emu.map("create /sys/fs/bpf/x type array key 3 value 8 entries 4 name x"), 255,
                    "map create failed: Invalid argument", "key_size 3");
            assertError(emu.map("create /sys/fs/bpf/x type stack_trace key 4 value 8 entries 4 name x"), 255,
                    "map create failed: Invalid argument", "no installed provider");
            assertError(emu.map("create " + M + " type array key 4 value 8 entries 4 name x"), 239,
                    "can't pin the object (" + M + "): File exists", "exists");
            assertError(emu.map("create /tmp/x type array key 4 value 8 entries 4 name x"), 255,
                    "no BPF file system found, not mounting it due to --nomount option", "/sys/fs/bpf");
            assertError(emu.map("create /sys/fs/bpf/nodir/x type array key 4 value 8 entries 4 name x"), 255,
                    "no BPF file system found, not mounting it due to --nomount option", "/sys/fs/bpf");
            GetIdAttr next = new GetIdAttr(emu.idOf(M));
            assertEquals(Errno.ENOENT.ret(), emu.bpf.bpf(BpfCmd.MAP_GET_NEXT_ID, next),
                    "no map was left alive beside the first");
            emu.assertNoFdOpen("failed creates");
        }
    }

    @Test
    void createPinsIntoDirectoriesOfTheBpffs() {
        try (Emulator emu = new Emulator()) {
            assertEquals(0, emu.bpf.mkdir("/sys/fs/bpf/dir", null));
            assertEquals(0, emu.map("create /sys/fs/bpf/dir/x type array key 4 value 8 entries 4 name x").exit());
            assertTrue(emu.map("show pinned /sys/fs/bpf/dir/x").stdout().contains("name x"));
            // a pin's directory is in a bpffs as statfs sees it, so bpftool tries the pin: ENOTDIR
            assertError(emu.map("pin pinned /sys/fs/bpf/dir/x /sys/fs/bpf/dir/x/y"), 236,
                    "can't pin the object (/sys/fs/bpf/dir/x/y): Not a directory", "is a pin");
        }
    }

    /** A dispatcher that breaks: the user sees one Error line, never a stack trace. */
    @Test
    void anExceptionBecomesOneErrorLine() {
        Bpf broken = (Bpf) Proxy.newProxyInstance(Bpf.class.getClassLoader(), new Class<?>[] {Bpf.class},
                (proxy, method, args) -> {
                    throw new IllegalStateException("provider bug");
                });
        for (String mode : List.of("", "-j")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = new MapCommand(broken).run(List.of(mode, "show").subList(mode.isEmpty() ? 1 : 0, 2),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(255, exit);
            String all = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
            assertTrue(all.contains("internal error: java.lang.IllegalStateException: provider bug"), all);
            assertFalse(all.contains("\tat "), "no stack trace: " + all);
        }
    }
}
