package org.bpfmaps.conformance.command;

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
import org.bpfmaps.core.api.BpfRuntime;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.map.array.ArrayProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code bpf:conformance} in Gogo's real command processor (no framework): its output on the
 * session's streams, its exit code in {@code bpf.exit} as the shell's commands leave theirs, and
 * {@code --help} with and without the shell's {@code bpf:help}.
 */
class GogoConformanceTest {
    private static final String CORPUS = "../corpus/kernel-6.18.json";
    private final ThreadIOImpl threadIo = new ThreadIOImpl();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private CommandProcessorImpl processor;
    private CommandSession session;

    private CommandSession gogo(BpfRuntime runtime) {
        threadIo.start();
        processor = new CommandProcessorImpl(threadIo);
        processor.addCommand("bpf", new GogoConformance(runtime), "conformance");
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, err);
        return session;
    }

    private static BpfRuntime arrayFamily() {
        ProviderHost host = ProviderHost.standalone();
        host.addProvider(new ArrayProvider());
        return host;
    }

    @AfterEach
    void close() {
        if (session != null) {
            session.close();
        }
        threadIo.stop();
    }

    private String take(ByteArrayOutputStream s) {
        String text = s.toString(StandardCharsets.UTF_8);
        s.reset();
        return text;
    }

    @Test
    void runsWithAndWithoutTheScopeAndLeavesItsExitCode() throws Exception {
        CommandSession s = gogo(arrayFamily());
        s.execute("conformance " + CORPUS + " array");
        assertEquals(0, s.get(GogoConformance.EXIT));
        assertTrue(take(out).matches("\\d+ passed, 0 failed, 0 skipped\n"));
        s.execute("bpf:conformance nothere.json");
        assertEquals(255, s.get(GogoConformance.EXIT));
        assertEquals("Error: can't read corpus (nothere.json): No such file or directory\n", take(err));
        s.execute("conformance");
        assertEquals(255, s.get(GogoConformance.EXIT));
        assertEquals("Error: no corpus file given\n  usage: conformance FILE [TYPE...]\n", take(err));
        s.execute("conformance " + CORPUS + " nosuch");
        assertEquals(255, s.get(GogoConformance.EXIT));
        assertEquals("Error: unrecognized map type: nosuch\n", take(err));
        assertEquals("", take(out));
    }

    /** A runtime that throws fails the cases it is asked for, with exit code 1 and never a stack trace. */
    @Test
    void aBrokenRuntimeFailsItsCasesWithoutAStackTrace() throws Exception {
        BpfRuntime broken = (BpfRuntime) Proxy.newProxyInstance(BpfRuntime.class.getClassLoader(),
                new Class<?>[] {BpfRuntime.class}, (proxy, method, args) -> {
                    throw new AssertionError("not even a RuntimeException");
                });
        CommandSession s = gogo(broken);
        s.execute("conformance " + CORPUS + " array");
        assertEquals(1, s.get(GogoConformance.EXIT));
        String printed = take(out) + take(err);
        assertTrue(printed.matches("(?s).*\n0 passed, [1-9]\\d* failed, 0 skipped\n"), printed);
        assertFalse(printed.contains("\tat "), printed);
    }

    /** The shell's help, as far as this command sees it: a bpf:help that prints and leaves its exit code. */
    public static final class ShellHelp {
        public void help(CommandSession session, String... args) {
            System.out.print("usage of " + String.join(" ", args) + "\n");
            session.put(GogoConformance.EXIT, 0);
        }
    }

    @Test
    void dashDashHelpIsTheShellsHelpOrWithoutTheShellAUsageLine() throws Exception {
        CommandSession s = gogo(arrayFamily());
        s.put(GogoConformance.EXIT, 7);
        s.execute("conformance --help");
        assertEquals(0, s.get(GogoConformance.EXIT));
        assertEquals("usage: conformance FILE [TYPE...]\n" + GogoConformance.SUMMARY + "\n", take(out));

        processor.addCommand("bpf", new ShellHelp(), "help");
        s.execute("conformance --help");
        assertEquals(0, s.get(GogoConformance.EXIT));
        assertEquals("usage of conformance\n", take(out));
        assertEquals("", take(err));
    }
}
