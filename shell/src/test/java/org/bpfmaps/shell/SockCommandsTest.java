package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Gogo adapter of {@code sock} in Gogo's real command processor: its output on the session's
 * streams and its exit code in {@code bpf.exit}; one component serves every session, so a listener
 * one session opened is accepted on by another's connect, as one-shot clients of a running
 * instance each get a session; {@code sock --help} is the usage its service properties give.
 */
class SockCommandsTest {
    private final SockShell sh = new SockShell();
    private final ThreadIOImpl threadIo = new ThreadIOImpl();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private CommandProcessorImpl processor;

    /** The properties DS gives the component: a function, and its documentation. */
    private static final Map<String, Object> PROPERTIES = Map.of(
            "osgi.command.scope", "bpf",
            "osgi.command.function", "sock",
            DocumentedCommand.SUMMARY, "Sockets of the instance",
            DocumentedCommand.SYNTAX, new String[] {"sock listen [HOST] PORT", "sock close FD"});

    @AfterEach
    void close() {
        threadIo.stop();
        sh.close();
    }

    private CommandSession session() {
        if (processor == null) {
            threadIo.start();
            processor = new CommandProcessorImpl(threadIo);
            processor.addCommand("bpf", new SockCommands(sh.bpf, PROPERTIES), "sock");
        }
        return processor.createSession(new ByteArrayInputStream(new byte[0]), out, err);
    }

    private String take(ByteArrayOutputStream s) {
        String text = s.toString(StandardCharsets.UTF_8);
        s.reset();
        return text;
    }

    @Test
    void sessionsShareTheSocketsAndTheShellsListeners() throws Exception {
        CommandSession first = session();
        first.execute("sock listen 0");
        assertEquals(0, first.get(BpfCommands.EXIT));
        assertTrue(take(out).startsWith("3: tcp  state LISTEN  cookie "));
        int port = ((InetSocketAddress) sh.at(3).localAddress()).getPort();
        first.close();

        CommandSession second = session();
        second.execute("bpf:sock connect 127.0.0.1 " + port);
        assertEquals(0, second.get(BpfCommands.EXIT), () -> take(err));
        assertEquals(List.of(3, 4, 5), sh.fds(), "the client and the end accepted on the first session's listener");
        take(out);
        second.execute("sock close 9");
        assertEquals(255, second.get(BpfCommands.EXIT));
        assertTrue(take(err).startsWith("Error: fd 9 is not a socket\n  "));
        second.execute("sock -j list");
        assertEquals(0, second.get(BpfCommands.EXIT));
        assertTrue(take(out).startsWith("[{\"fd\":3,\"kind\":\"tcp\",\"state\":\"LISTEN\","));
        second.execute("sock --help");
        assertEquals(0, second.get(BpfCommands.EXIT));
        assertEquals("DESCRIPTION\n        bpf:sock\n\n        Sockets of the instance\n\nSYNTAX\n"
                + "        sock listen [HOST] PORT\n        sock close FD\n", take(out));
        second.close();
    }
}
