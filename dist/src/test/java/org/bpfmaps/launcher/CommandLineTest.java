package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.Test;

/** Program arguments joined into a Gogo line reach a command as the same words, in Gogo itself. */
class CommandLineTest {
    /** A Gogo command that keeps the words it was given. */
    public static final class Words {
        final List<List<String>> calls = new ArrayList<>();

        public void words(String... args) {
            calls.add(List.of(args));
        }
    }

    private static List<String> throughGogo(List<String> args) throws Exception {
        ThreadIOImpl io = new ThreadIOImpl();
        io.start();
        try {
            CommandProcessorImpl processor = new CommandProcessorImpl(io);
            Words w = new Words();
            processor.addCommand("t", w, "words");
            CommandSession s = processor.createSession(new ByteArrayInputStream(new byte[0]),
                    new ByteArrayOutputStream(), new ByteArrayOutputStream());
            List<String> line = new ArrayList<>(List.of("words"));
            line.addAll(args);
            s.execute(CommandLine.join(line));
            s.close();
            assertEquals(1, w.calls.size());
            return w.calls.get(0);
        } finally {
            io.stop();
        }
    }

    @Test
    void plainWordsStayAsTheyAre() {
        assertEquals("map update id 1 key 0x01 0 value hex ff", CommandLine.join(
                List.of("map", "update", "id", "1", "key", "0x01", "0", "value", "hex", "ff")));
        assertEquals("map show pinned /sys/fs/bpf/a-b.c", CommandLine.join(List.of("map", "show", "pinned", "/sys/fs/bpf/a-b.c")));
    }

    @Test
    void wordsWithGogosSpecialCharactersArriveUnchanged() throws Exception {
        List<String> tricky = List.of("a b", "", "$x", "${y}", "it's", "q\"uote", "back\\slash", "semi;colon",
                "pipe|", "{brace}", "(paren)", "[bracket]", "#hash", "it's $z \\ \"q\"", "tab\tin", "ünï",
                "<in", "a=b", "&amp", "~home", "*glob", "%pct", "@at", "x\\'y", "'");
        assertEquals(tricky, throughGogo(tricky));
    }
}
