package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The socket's folder and file, and the user who listens on it, as a client and a server check
 * them: whatever another user could have made or could write is refused with an {@code Error:}
 * line saying what was found and what is required, and nothing is sent to another user's
 * listener. The cases with another user (nobody) need root, to hand files to it and to run a
 * listener as it; elsewhere they are skipped, and say so.
 */
class CheckedSocketIT {
    private static final String NOBODY = "nobody";

    @TempDir
    Path tmp;

    private static boolean root() throws Exception {
        return SocketPath.uid() == 0;
    }

    private static void assumeRootAndNobody() throws Exception {
        assumeTrue(root(), "skipped: only root can give a folder, a socket or a listener to another user");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) || Files.isExecutable(Path.of("/bin/setpriv")),
                "skipped: setpriv (util-linux) is needed to run a listener as " + NOBODY);
        assumeTrue(new ProcessBuilder("id", "-u", NOBODY).start().waitFor() == 0, "skipped: no user " + NOBODY);
    }

    private static void assertRefused(JarRun r, String... parts) {
        assertAll(r::toString,
                () -> assertEquals(255, r.exitCode()),
                () -> assertEquals("", r.out()),
                () -> assertTrue(r.err().startsWith("Error: ") && r.err().indexOf('\n') == r.err().length() - 1,
                        "one Error: line"),
                () -> assertFalse(r.err().contains("no instance is running"), "no fresh instance instead"),
                () -> {
                    for (String p : parts) {
                        assertTrue(r.err().contains(p), "the message says " + p);
                    }
                });
    }

    @Test
    void aWorldWritableRuntimeDirectoryIsRefusedByClientAndServer() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("xdg"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        JarRun client = JarRun.run(Map.of("XDG_RUNTIME_DIR", dir.toString()), "", "map", "show");
        assertRefused(client, dir + ": the socket folder ($XDG_RUNTIME_DIR) is owned by ", " with mode 0777; ",
                "it must be a folder owned by this user, ", "and writable by no one else");

        try (RunningServer server = RunningServer.spawn(dir)) {
            assertEquals(255, server.awaitExit(), "the server refuses to listen there");
            assertTrue(server.stderr().startsWith("Error: " + dir + ": the socket folder ($XDG_RUNTIME_DIR) is owned by "),
                    server.stderr());
        }
        assertFalse(Files.exists(dir.resolve(SocketPath.SOCKET)), "no socket was made");
    }

    @Test
    void theTmpFallbackIsRefusedWhenOthersMayWriteIt() throws Exception {
        Path javaTmp = Files.createDirectory(tmp.resolve("javatmp"));
        Path dir = Files.createDirectory(javaTmp.resolve("bpfmaps-" + SocketPath.uid()));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx-w--w-"));
        // No runtime directory: the folder in java.io.tmpdir is the socket's.
        List<String> launcher = List.of(JarRun.java(), "-Djava.io.tmpdir=" + javaTmp, "-jar", JarRun.jar().toString());
        JarRun r = JarRun.run(Map.of("XDG_RUNTIME_DIR", ""), "", launcher, "map", "show");
        assertRefused(r, dir + ": the socket folder (set XDG_RUNTIME_DIR to use another) is owned by ",
                " with mode 0722; it must be a folder owned by this user");
    }

    @Test
    void aSocketFileOthersMayWriteIsRefused() throws Exception {
        Path socket = tmp.resolve(SocketPath.SOCKET);
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            listener.configureBlocking(false);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            JarRun r = JarRun.run(Map.of("XDG_RUNTIME_DIR", tmp.toString()), "", "map", "show");
            assertRefused(r, socket + ": the instance's socket is owned by ", " with mode 0666; it must be a socket owned "
                    + "by this user");
            assertNull(listener.accept(), "the client did not even connect");
        }
    }

    @Test
    void aRuntimeDirectoryOfAnotherUserIsRefused() throws Exception {
        assumeRootAndNobody();
        Path dir = Files.createDirectory(tmp.resolve("xdg"));
        Files.setPosixFilePermissions(dir, SocketPath.OWNER_ONLY_DIR);
        Files.setOwner(dir, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(NOBODY));
        JarRun r = JarRun.run(Map.of("XDG_RUNTIME_DIR", dir.toString()), "", "map", "show");
        assertRefused(r, dir + ": the socket folder ($XDG_RUNTIME_DIR) is owned by nobody (uid ", ") with mode 0700; "
                + "it must be a folder owned by this user, root (uid 0), and writable by no one else");
    }

    @Test
    void aSocketFileOfAnotherUserIsRefusedBeforeConnecting() throws Exception {
        assumeRootAndNobody();
        Path socket = tmp.resolve(SocketPath.SOCKET);
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            listener.configureBlocking(false);
            Files.setOwner(socket, socket.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(NOBODY));
            JarRun r = JarRun.run(Map.of("XDG_RUNTIME_DIR", tmp.toString()), "", "map", "show");
            assertRefused(r, socket + ": the instance's socket is owned by nobody (uid ", ") with mode 0");
            assertNull(listener.accept(), "the client did not even connect");
        }
    }

    /**
     * The reproduction: another user's listener in a folder that passes every check on
     * paths (root's own, 0700, the socket file handed to root after the bind). Only the peer's
     * credentials tell it: the client refuses before sending, and prints nothing it answered.
     */
    @Test
    void aListenerOfAnotherUserIsToldByItsCredentialsAndSentNothing() throws Exception {
        assumeRootAndNobody();
        Path dir = Files.createDirectory(tmp.resolve("xdg"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        // The listener's class alone, where nobody may read it.
        Path classes = Files.createDirectories(tmp.resolve("cp/org/bpfmaps/launcher"));
        try (var in = ForgedListener.class.getResourceAsStream("ForgedListener.class")) {
            Files.copy(in, classes.resolve("ForgedListener.class"));
        }
        for (Path p : List.of(tmp.resolve("cp"), tmp.resolve("cp/org"), tmp.resolve("cp/org/bpfmaps"), classes)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(classes.resolve("ForgedListener.class"), PosixFilePermissions.fromString("rw-r--r--"));
        Path socket = dir.resolve(SocketPath.SOCKET);
        Path out = tmp.resolve("listener.out");
        Process id = new ProcessBuilder("id", "-g", NOBODY).start();
        String gid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        Process listener = new ProcessBuilder("setpriv", "--reuid=" + NOBODY, "--regid=" + gid, "--clear-groups",
                JarRun.java(), "-cp", tmp.resolve("cp").toString(), ForgedListener.class.getName(), socket.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectErrorStream(true).start();
        try {
            awaitLine(listener, out, "listening");
            // Now every path checks out: the folder is root's and closed, the socket file root's.
            Files.setPosixFilePermissions(dir, SocketPath.OWNER_ONLY_DIR);
            Files.setOwner(socket, Files.getOwner(tmp));
            Files.setPosixFilePermissions(socket, SocketPath.OWNER_ONLY_FILE);

            JarRun r = JarRun.run(Map.of("XDG_RUNTIME_DIR", dir.toString()), "", "map", "show");
            assertRefused(r, socket + ": the instance listening there runs as user nobody, not as this user, root: "
                    + "nothing was sent to it");
            assertFalse(r.out().contains("FORGED"));
            awaitLine(listener, out, "received 0 bytes");
        } finally {
            listener.destroyForcibly().waitFor(RunningServer.DEADLINE_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Polls the listener's output, with a deadline, until it holds {@code line}. */
    private static void awaitLine(Process p, Path out, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RunningServer.DEADLINE_MS);
        while (!Files.readString(out, StandardCharsets.UTF_8).contains(line + "\n")) {
            if (!p.isAlive() && !Files.readString(out, StandardCharsets.UTF_8).contains(line + "\n")) {
                fail("the listener ended: " + Files.readString(out, StandardCharsets.UTF_8));
            }
            if (System.nanoTime() > deadline) {
                fail("no '" + line + "' from the listener within " + RunningServer.DEADLINE_MS + " ms: "
                        + Files.readString(out, StandardCharsets.UTF_8));
            }
            Thread.sleep(20); // the poll interval
        }
    }
}
