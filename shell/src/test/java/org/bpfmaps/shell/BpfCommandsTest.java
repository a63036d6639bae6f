package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.bpfmaps.core.api.Bpf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Gogo adapter inside Gogo's real command processor (no framework): commands typed with and
 * without the scope, their output on the session's streams, and the exit code left in
 * {@code bpf.exit} after every command, success or failure.
 */
class BpfCommandsTest {
    private final Emulator emu = new Emulator();
    private final ThreadIOImpl threadIo = new ThreadIOImpl();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private CommandSession session;

    private CommandSession gogo(BpfCommands commands) {
        threadIo.start();
        CommandProcessorImpl processor = new CommandProcessorImpl(threadIo);
        for (String f : new String[] {"map", "batch", "bpftool", "bpf", "providers"}) {
            processor.addCommand("bpf", commands, f);
        }
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, err);
        return session;
    }

    @AfterEach
    void close() {
        if (session != null) {
            session.close();
        }
        threadIo.stop();
        emu.close();
    }

    private String take(ByteArrayOutputStream s) {
        String text = s.toString(StandardCharsets.UTF_8);
        s.reset();
        return text;
    }

    @Test
    void commandsRunWithAndWithoutTheScopeAndLeaveTheirExitCode() throws Exception {
        CommandSession s = gogo(new BpfCommands(emu.bpf, emu.host, p -> "ACTIVE"));
        s.execute("map create /sys/fs/bpf/a type array key 4 value 8 entries 4 name a");
        assertEquals(0, s.get(BpfCommands.EXIT));
        s.execute("bpf:map update pinned /sys/fs/bpf/a key 1 0 0 0 value 7 0 0 0 0 0 0 0");
        assertEquals(0, s.get(BpfCommands.EXIT));
        s.execute("map lookup pinned /sys/fs/bpf/a key 1 0 0 0");
        assertEquals("key: 01 00 00 00  value: 07 00 00 00 00 00 00 00\n", take(out));
        s.execute("map -j lookup pinned /sys/fs/bpf/a key 9 0 0 0");
        assertEquals(254, s.get(BpfCommands.EXIT));
        assertEquals("null\n", take(out));
        s.execute("map update pinned /sys/fs/bpf/a key 9 0 0 0 value 7 0 0 0 0 0 0 0");
        assertEquals(249, s.get(BpfCommands.EXIT));
        assertTrue(take(err).startsWith("Error: update failed: Argument list too long\n  "));
        s.execute("map frobnicate");
        assertEquals(255, s.get(BpfCommands.EXIT));
        assertEquals(HelpText.MAP, take(err));
        s.execute("bpf:providers");
        assertEquals(0, s.get(BpfCommands.EXIT));
        assertTrue(take(out).contains("types array percpu_array  maps 1  detached 0"));
        emu.assertNoFdOpen("the Gogo commands");
    }

    @Test
    void batchBpftoolAndRawCallsRunInGogo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        CommandSession s = gogo(new BpfCommands(emu.bpf, emu.host, p -> "ACTIVE"));
        java.nio.file.Path file = dir.resolve("cmds");
        java.nio.file.Files.writeString(file, "map create /sys/fs/bpf/b type hash key 4 value 4 entries 2 name b\n"
                + "map update pinned /sys/fs/bpf/b key 1 0 0 0 value 2 0 0 0\n");
        s.execute("batch file " + file);
        assertEquals(0, s.get(BpfCommands.EXIT));
        assertEquals("processed 2 commands\n", take(out));
        s.execute("bpftool -j map lookup pinned /sys/fs/bpf/b key 1 0 0 0");
        assertEquals("{\"key\":[\"0x01\",\"0x00\",\"0x00\",\"0x00\"],\"value\":[\"0x02\",\"0x00\",\"0x00\",\"0x00\"]}\n",
                take(out));
        s.execute("bpf:bpf OBJ_GET pathname=/sys/fs/bpf/b");
        assertEquals(0, s.get(BpfCommands.EXIT));
        String fd = take(out).replace("ret ", "").trim();
        s.execute("bpf MAP_LOOKUP_ELEM map_fd=" + fd + " key=01000000 value=@4");
        assertEquals("ret 0\nkey=01000000\nvalue=02000000\n", take(out));
        s.execute("bpf MAP_LOOKUP_ELEM map_fd=" + fd + " key=09000000 value=@4");
        assertEquals(254, s.get(BpfCommands.EXIT));
        assertTrue(take(out).startsWith("ret -2 ENOENT (No such file or directory)"));
        s.execute("bpf close fd=" + fd);
        assertEquals("ret 0\n", take(out));
        emu.assertNoFdOpen("the raw calls");
    }

    @Test
    void anythingThrownBecomesAnErrorLineAndExitCode255() throws Exception {
        Bpf broken = (Bpf) Proxy.newProxyInstance(Bpf.class.getClassLoader(), new Class<?>[] {Bpf.class},
                (proxy, method, args) -> {
                    throw new AssertionError("not even a RuntimeException");
                });
        CommandSession s = gogo(new BpfCommands(broken, emu.host, p -> {
            throw new IllegalStateException("no framework");
        }));
        s.execute("map show");
        assertEquals(255, s.get(BpfCommands.EXIT));
        s.execute("providers");
        assertEquals(255, s.get(BpfCommands.EXIT), "providers with a provider installed asks the state and fails");
        String errors = take(err);
        assertTrue(errors.startsWith("Error: internal error: java.lang.AssertionError: not even a RuntimeException\n"),
                errors);
        assertTrue(errors.contains("Error: internal error: java.lang.IllegalStateException: no framework\n"), errors);
        assertFalse(errors.contains("\tat "), errors);
    }
}
