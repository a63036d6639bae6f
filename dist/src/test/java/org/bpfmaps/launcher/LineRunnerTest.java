package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The line and exit-code rules, against a fake Gogo session: its "commands" set {@code bpf.exit}
 * the way the shell's commands do, or throw the way Gogo does for an unknown command; they are
 * Gogo Functions found under {@code *:NAME} as Gogo's are, and the fake runs the one line that
 * {@link GogoSession#execute(java.util.List)} hands it as Gogo does (it calls the Function that
 * the session variable of that name holds). (The jar itself, with the real Gogo, is tested by
 * the *IT tests.)
 */
class LineRunnerTest {
    /** The methods GogoSession calls, with CommandSession's names and signatures. */
    public static final class FakeSession {
        final Map<String, Object> vars = new HashMap<>();
        final List<String> executed = new ArrayList<>();
        final Map<String, Function<FakeSession, Object>> commands = new HashMap<>();
        boolean closed;

        public Object execute(CharSequence line) throws Exception {
            String l = line.toString();
            if (l.equals(GogoSession.WORDS_CALL)) {
                return ((org.apache.felix.service.command.Function) vars.get(l)).execute(null, new ArrayList<>());
            }
            executed.add(l);
            Function<FakeSession, Object> c = commands.get(l.split(" ")[0]);
            if (c == null) {
                throw new IllegalArgumentException("Command not found: " + l.split(" ")[0]);
            }
            return c.apply(this);
        }

        public Object get(String name) {
            if (name.startsWith("*:") && commands.containsKey(name.substring(2))) {
                String command = name.substring(2);
                return (org.apache.felix.service.command.Function) (session, args) -> {
                    StringBuilder words = new StringBuilder(command);
                    for (Object a : args) {
                        words.append(' ').append((String) a);
                    }
                    executed.add(words.toString());
                    return commands.get(command).apply(this);
                };
            }
            return name.equals(".commands") ? Set.of("bpf:map", "felix:lb", "gogo:each") : vars.get(name);
        }

        public Object put(String name, Object value) {
            return value == null ? vars.remove(name) : vars.put(name, value);
        }

        public CharSequence format(Object o, int level) {
            return "formatted " + o;
        }

        public void close() {
            closed = true;
        }
    }

    private final FakeSession fake = new FakeSession();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final LineRunner runner = new LineRunner(new GogoSession(fake),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

    LineRunnerTest() {
        fake.commands.put("ok", s -> null);
        fake.commands.put("fail", s -> {
            s.vars.put(LineRunner.EXIT_VAR, Integer.parseInt(s.executed.get(s.executed.size() - 1).split(" ")[1]));
            return null;
        });
        fake.commands.put("result", s -> List.of(1, 2));
        fake.commands.put("npe", s -> {
            throw new NullPointerException();
        });
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private int script(String text) throws Exception {
        return runner.runScript(ScriptLines.of(text, "the test"));
    }

    @Test
    void aCommandsExitCodeIsWhatItStoresInBpfExit() {
        assertEquals(0, runner.run("ok"));
        assertEquals(254, runner.run("fail 254"));
        assertEquals(0, runner.run("fail 0"));
        assertEquals("", out() + err());
    }

    @Test
    void bpfExitIsResetBeforeEachLine() {
        assertEquals(239, runner.run("fail 239"));
        assertEquals(0, runner.run("ok"), "a line that sets nothing counts as success");
        assertNull(fake.vars.get(LineRunner.EXIT_VAR));
    }

    @Test
    void exitCodesAreBytesAsTheKernelGivesThem() {
        assertEquals(254, runner.run("fail -2"));
        fake.vars.clear();
        assertEquals(7, runner.exitCode("7"), "a Gogo assignment may store a string");
        assertEquals(255, runner.exitCode("seven"));
        assertTrue(err().contains("Error: bpf.exit is not a number: seven"), err());
    }

    @Test
    void aLineThatThrowsIsOneErrorLineAnd255() {
        assertEquals(255, runner.run("nosuch arg"));
        assertEquals(255, runner.run("npe"));
        assertEquals("Error: Command not found: nosuch\nError: NullPointerException\n", err());
        assertFalse(err().contains("\tat "), "no stack trace");
    }

    @Test
    void wordsReachTheCommandAsTheyAreAndAnUnknownOneRunsNothing() {
        assertEquals(254, runner.run(List.of("fail", "254", ">", "file", "|", "x", "//c", "$v", "%")));
        assertEquals(List.of("fail 254 > file | x //c $v %"), fake.executed);
        assertEquals(255, runner.run(List.of("nosuch", ">", "file")));
        assertEquals(255, runner.run(List.of("", "x")));
        assertEquals(List.of("fail 254 > file | x //c $v %"), fake.executed, "nothing ran");
        assertEquals("Error: Command not found: nosuch\nError: Command not found: ''\n", err());
        assertNull(fake.vars.get(GogoSession.WORDS_CALL), "the call is gone from the session");
    }

    @Test
    void aResultIsPrintedAsGogoFormatsIt() {
        assertEquals(0, runner.run("result"));
        assertEquals("formatted [1, 2]\n", out());
    }

    @Test
    void aScriptRunsEveryLineAndExitsWithTheLastFailure() throws Exception {
        int code = script("""
                # a comment
                fail 239

                nosuch
                  # an indented comment
                fail 254
                ok
                """);
        assertEquals(254, code);
        assertEquals(List.of("fail 239", "fail 254", "ok"), fake.executed, "an unknown command runs nothing");
        assertEquals("Error: Command not found: nosuch\n", err());
    }

    @Test
    void aScriptLineIsSplitAsBpftoolsBatchModeSplitsIt() throws Exception {
        int code = script("ok 'a b' \"c  d\" > f | g // h $i # a comment\n"
                + "ok a\\\n"
                + "  b \\\n"
                + "c # the line joined to the two before\n"
                + "ok 'unterminated\n"
                + "ok \\ \"x\"y a'b\tc'\r\n"
                + "ok '#' is a comment as well\n");
        assertEquals(255, code);
        assertEquals(List.of("ok a b c  d > f | g // h $i", "ok a b c", "ok \\ x y a'b c'"), fake.executed);
        assertEquals("Error: unterminated quoted string on line 5\nError: unterminated quoted string on line 7\n",
                err());
    }

    @Test
    void aScriptEndingInAContinuationFails() throws Exception {
        assertEquals(255, script("ok\nok \\\n"));
        assertEquals(List.of("ok"), fake.executed);
        assertEquals("Error: missing continuation line after line 2\n", err());
    }

    @Test
    void aScriptThatSucceedsExitsZero() throws Exception {
        assertEquals(0, script("ok\n\n# nothing\nok\n"));
        assertEquals(0, script(""));
    }

    @Test
    void exitEndsAScript() throws Exception {
        assertEquals(234, script("fail 234\nexit\nok\n"), "a bare exit keeps the status so far");
        assertEquals(List.of("fail 234"), fake.executed);
        assertEquals(3, script("exit 3\nok\n"));
        assertEquals(null, LineRunner.exitRequest("exitcode"));
        assertEquals(null, LineRunner.exitRequest("exit now"), "not ours: Gogo reports it");
        assertEquals(-1, LineRunner.exitRequest(List.of("exit")));
        assertEquals(4, LineRunner.exitRequest(List.of("exit", "260")));
        assertEquals(null, LineRunner.exitRequest(List.of()));
    }

    @Test
    void completionOffersScopedAndBareNames() {
        assertEquals(List.of("bpf:map", "each", "exit", "felix:lb", "gogo:each", "lb", "map"),
                List.copyOf(Console.CommandNames.names(new GogoSession(fake).commands())));
    }

    @Test
    void closeClosesTheGogoSession() {
        new GogoSession(fake).close();
        assertTrue(fake.closed);
    }

    @Test
    void aRefusedLineIsOneErrorLineAnd255AndTheScriptGoesOn() throws Exception {
        assertEquals(255, runner.runScript(new ScriptLines(new java.io.ByteArrayInputStream(
                "fail 7\nok \0x\nok\n".getBytes(StandardCharsets.ISO_8859_1)), "s.bpf")));
        assertEquals(List.of("fail 7", "ok"), fake.executed, "the lines around it ran");
        assertEquals("Error: line 2 of s.bpf holds a NUL byte\n", err(), "the last failure's code: 255");
    }

    @Test
    void aLineTooLongEndsTheScript() throws Exception {
        assertEquals(255, script("ok\n" + "x".repeat(ScriptLines.LONGEST) + "\nok\n"));
        assertEquals(List.of("ok"), fake.executed, "nothing after the long line ran");
        assertTrue(err().startsWith("Error: line 2 of the test is longer than 65534 bytes"), err());
        assertEquals(1, err().lines().count(), err());
    }
}
