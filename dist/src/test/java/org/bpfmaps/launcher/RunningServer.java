package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar bpfmaps.jar --server} as a separate process, with a runtime directory of its
 * own (so its socket is the test's alone) and its standard error in a file.
 */
final class RunningServer implements AutoCloseable {
    static final long DEADLINE_MS = 60_000;

    final Path runtimeDir;
    final Path socket;
    final Path stderr;
    private final Path home;
    private final Process process;

    private RunningServer(Path home, Path runtimeDir, Process process) {
        this.home = home;
        this.runtimeDir = runtimeDir;
        this.socket = runtimeDir.resolve(SocketPath.SOCKET);
        this.stderr = home.resolve("server.err");
        this.process = process;
    }

    /** Starts a server in {@code runtimeDir} with these JVM options, and waits until it accepts connections. */
    static RunningServer start(Path runtimeDir, String... jvmOptions) throws Exception {
        RunningServer s = spawn(runtimeDir, jvmOptions);
        s.awaitListening();
        return s;
    }

    static RunningServer spawn(Path runtimeDir, String... jvmOptions) throws IOException {
        Path home = Files.createTempDirectory("bpfmaps-server-");
        Path tmp = Files.createDirectories(home.resolve("tmp"));
        List<String> cmd = new ArrayList<>(List.of(JarRun.java(), "-Duser.home=" + home, "-Djava.io.tmpdir=" + tmp));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-jar", JarRun.jar().toString(), "--server"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(home.resolve("server.out").toFile())
                .redirectError(home.resolve("server.err").toFile());
        pb.environment().put("XDG_RUNTIME_DIR", runtimeDir.toString());
        return new RunningServer(home, runtimeDir, pb.start());
    }

    /** The names in the server's working directory (also its home), sorted. */
    List<String> workDirFiles() throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(home)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    Map<String, String> env() {
        return Map.of("XDG_RUNTIME_DIR", runtimeDir.toString());
    }

    /** Runs one command through the jar as a client of this server. */
    JarRun client(String... args) throws Exception {
        return JarRun.run(env(), "", args);
    }

    String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    /** What the server printed on its standard output. */
    String stdout() throws IOException {
        return Files.readString(home.resolve("server.out"), StandardCharsets.UTF_8);
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Polls, with a deadline, until a connection to the socket is accepted. */
    void awaitListening() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (true) {
            if (!process.isAlive()) {
                fail("the server exited with " + process.exitValue() + ": " + stderr());
            }
            if (Files.exists(socket)) {
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    return;
                } catch (IOException e) {
                    // Not yet (or a stale file): poll again.
                }
            }
            if (System.nanoTime() > deadline) {
                fail("the server did not listen within " + DEADLINE_MS + " ms: " + stderr());
            }
            Thread.sleep(20); // the poll interval
        }
    }

    /** Waits, with a deadline, for a server that ends by itself; its exit code. */
    int awaitExit() throws Exception {
        if (!process.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS)) {
            fail("the server did not exit by itself: " + stderr());
        }
        return process.exitValue();
    }

    /** Polls the server's standard error, with a deadline, until it holds {@code text}. */
    void awaitStderr(String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (!stderr().contains(text)) {
            if (System.nanoTime() > deadline) {
                fail("no '" + text + "' on the server's stderr within " + DEADLINE_MS + " ms: " + stderr());
            }
            Thread.sleep(20); // the poll interval
        }
    }

    /** SIGTERM, as a service manager stops it; returns its exit code. */
    int stop() throws Exception {
        process.destroy();
        if (!process.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            fail("the server did not stop on SIGTERM");
        }
        return process.exitValue();
    }

    /** SIGKILL: nothing is cleaned up, as after a crash. */
    void kill() throws Exception {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            kill();
        }
        JarRun.deleteTree(home);
    }
}
