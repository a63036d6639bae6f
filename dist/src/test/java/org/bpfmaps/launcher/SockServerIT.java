package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sockets belong to the running instance, not to the one-shot command that opened them: {@code sock
 * listen} in one client, {@code sock list} in the next sees the same socket (same fd and cookie),
 * which a connection from outside reaches; {@code sock connect} in a third accepts on it; {@code
 * help} documents the command, as the shell bundle registers it in the real framework.
 */
class SockServerIT {
    private static final Pattern LISTENER = Pattern.compile(
            "(\\d+): tcp  state LISTEN  cookie (\\d+)\n\tlocal 127\\.0\\.0\\.1:(\\d+)\n");

    @TempDir
    Path runtime;
    private RunningServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aSocketOpenedByOneCommandIsListedByTheNextAndLivesInTheInstance() throws Exception {
        server = RunningServer.start(runtime);
        JarRun listen = server.client("sock", "listen", "0");
        assertEquals(0, listen.exitCode(), listen::toString);
        Matcher m = LISTENER.matcher(listen.out());
        assertTrue(m.matches(), listen::toString);
        String fd = m.group(1);
        int port = Integer.parseInt(m.group(3));

        JarRun list = server.client("sock", "list");
        assertEquals(0, list.exitCode(), list::toString);
        assertEquals(listen.out(), list.out(), "the same socket, fd and cookie, after its command ended");

        // connect to it: the client and its accepted end, both the instance's (the shell's record
        // of its listeners outlives the command that opened one, as the socket does)
        JarRun connect = server.client("sock", "connect", "127.0.0.1", Integer.toString(port));
        assertEquals(0, connect.exitCode(), connect::toString);
        JarRun json = server.client("sock", "-j", "list");
        assertAll(json::toString,
                () -> assertEquals(0, json.exitCode()),
                () -> assertTrue(json.out().startsWith("[{\"fd\":" + fd + ",\"kind\":\"tcp\",\"state\":\"LISTEN\",")),
                () -> assertEquals(3, json.out().split("\"kind\":\"tcp\"").length - 1, "listener, client, accepted"),
                () -> assertEquals(2, json.out().split("\"state\":\"ESTABLISHED\"").length - 1));

        // a real listener of the server's process: a connection from here reaches it
        try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            assertTrue(c.isConnected());
        }

        JarRun close = server.client("sock", "close", fd);
        assertEquals(0, close.exitCode(), close::toString);
        JarRun after = server.client("sock", "list");
        assertFalse(after.out().contains("state LISTEN"), after::toString);
        JarRun again = server.client("sock", "close", fd);
        assertEquals(255, again.exitCode());
        assertTrue(again.err().startsWith("Error: fd " + fd + " is not a socket\n  "), again::toString);
        assertFalse(server.stderr().contains("Exception"), server::toString);
    }

    @Test
    void helpDocumentsTheSockCommand() throws Exception {
        server = RunningServer.start(runtime);
        JarRun help = server.client("help");
        assertTrue(help.out().contains("bpf:sock"), help::toString);
        JarRun usage = server.client("help", "sock");
        assertEquals(0, usage.exitCode(), usage::toString);
        assertTrue(usage.out().startsWith("DESCRIPTION\n        bpf:sock\n"), usage::toString);
        assertTrue(usage.out().contains("\n        sock [OPTIONS] listen [HOST] PORT\n"), usage::toString);
        assertEquals(usage.out(), server.client("sock", "--help").out(), "sock --help is help sock");
    }
}
