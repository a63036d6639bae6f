package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.jline.reader.Candidate;
import org.jline.reader.impl.DefaultParser;
import org.junit.jupiter.api.Test;

/**
 * The terminal's completer, through JLine's API, against a fake Gogo session whose
 * {@code bpf:complete} function answers as the shell's does (the shell's candidates themselves
 * are tested in the shell module; the real pair in a terminal by TerminalIT).
 */
class CompleterTest {
    /** A Gogo Function: {@code execute(session, arguments)}. */
    public static final class FakeFunction {
        final List<List<Object>> calls = new ArrayList<>();
        Object answer;

        public Object execute(Object session, List<Object> args) {
            calls.add(args);
            if (answer instanceof RuntimeException e) {
                throw e;
            }
            return answer;
        }
    }

    private final LineRunnerTest.FakeSession fake = new LineRunnerTest.FakeSession();
    private final FakeFunction complete = new FakeFunction();
    private final Console.CommandNames completer = new Console.CommandNames(() -> new GogoSession(fake));

    CompleterTest() {
        fake.vars.put(Console.CommandNames.COMPLETE, complete);
    }

    private List<Candidate> complete(String line, int cursor) {
        List<Candidate> out = new ArrayList<>();
        completer.complete(null, new DefaultParser().parse(line, cursor), out);
        return out;
    }

    @Test
    void theFirstWordIsACommandName() {
        List<String> names = complete("ma", 2).stream().map(Candidate::value).toList();
        assertEquals(List.of("bpf:map", "each", "exit", "felix:lb", "gogo:each", "lb", "map"), names);
        assertEquals(List.of(), complete.calls, "the shell is not asked for a command's name");
    }

    @Test
    void laterWordsComeFromTheShellsCompleteFunction() {
        complete.answer = List.of("/sys/fs/bpf/net/", "/sys/fs/bpf/counters");
        List<Candidate> c = complete("map dump pinned /sys/fs/bpf/ -j", 28);
        assertEquals(List.of(List.of("map dump pinned /sys/fs/bpf/ -j", "28")), complete.calls,
                "the whole line and the cursor");
        assertEquals(List.of("/sys/fs/bpf/net/", "/sys/fs/bpf/counters"), c.stream().map(Candidate::value).toList());
        assertEquals(List.of(false, true), c.stream().map(Candidate::complete).toList(),
                "a folder takes no space after it, a pin does");
    }

    @Test
    void noFunctionOrAFailingOneOffersNothing() {
        fake.vars.remove(Console.CommandNames.COMPLETE);
        assertEquals(List.of(), complete("map d", 5));
        fake.vars.put(Console.CommandNames.COMPLETE, complete);
        complete.answer = new IllegalStateException("the shell bundle is stopping");
        assertEquals(List.of(), complete("map d", 5));
        complete.answer = "not a list";
        assertEquals(List.of(), complete("map d", 5));
    }
}
