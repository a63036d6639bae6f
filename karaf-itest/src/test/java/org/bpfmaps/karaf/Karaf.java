package org.bpfmaps.karaf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A stock Apache Karaf unpacked from its distribution archive and run as a separate process:
 * configured to read Maven artifacts from one local repository only (no remote repository: this
 * machine reaches no other host), listening on free loopback ports, with the {@code karaf} user
 * of its {@code etc/users.properties} enabled for {@code bin/client}. {@link #close()} stops it
 * ({@code bin/stop}, then a kill when it does not go in time).
 */
final class Karaf implements AutoCloseable {
    static final String USER = "karaf";
    static final String PASSWORD = "karaf";

    private final Path home;
    private final int sshPort;
    private final Map<String, String> env;
    private Process process;

    private Karaf(Path home, int sshPort) {
        this.home = home;
        this.sshPort = sshPort;
        // Karaf's scripts find Java through JAVA_HOME: the JVM running this test.
        this.env = Map.of("JAVA_HOME", System.getProperty("java.home"));
    }

    /** Unpacks {@code archive} (a tar.gz) into a fresh {@code into} and configures it. */
    static Karaf unpack(Path archive, Path into, Path localRepository) throws IOException, InterruptedException {
        deleteTree(into);
        Files.createDirectories(into);
        // tar keeps the scripts' executable bits
        Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", into.toString())
                .redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!tar.waitFor(120, TimeUnit.SECONDS) || tar.exitValue() != 0) {
            tar.destroyForcibly();
            throw new IOException("tar xzf " + archive + " failed: " + out);
        }
        Path home;
        try (Stream<Path> s = Files.list(into)) {
            home = s.filter(p -> p.getFileName().toString().startsWith("apache-karaf")).findFirst()
                    .orElseThrow(() -> new IOException("no apache-karaf* folder in " + archive));
        }
        Karaf karaf = new Karaf(home, freePort());
        karaf.configure(localRepository);
        return karaf;
    }

    private void configure(Path localRepository) throws IOException {
        Path etc = home.resolve("etc");
        Path mvn = etc.resolve("org.ops4j.pax.url.mvn.cfg");
        // No remote repository (the stock list names Maven Central and two snapshot
        // repositories); artifacts come from the local repository, and Karaf's own from system/.
        setProperty(mvn, "org.ops4j.pax.url.mvn.repositories", "");
        setProperty(mvn, "org.ops4j.pax.url.mvn.localRepository", localRepository.toString());
        setProperty(mvn, "org.ops4j.pax.url.mvn.useFallbackRepositories", "false");
        // The karaf user (password karaf) and its admin group ship commented out.
        Path users = etc.resolve("users.properties");
        String u = Files.readString(users);
        u = Pattern.compile("^#\\s*(karaf\\s*=)", Pattern.MULTILINE).matcher(u).replaceFirst("$1");
        u = Pattern.compile("^#\\s*(_g_\\\\:admingroup\\s*=)", Pattern.MULTILINE).matcher(u).replaceFirst("$1");
        Files.writeString(users, u);
        // Loopback only, on ports no other Karaf of this machine holds.
        Path shell = etc.resolve("org.apache.karaf.shell.cfg");
        setProperty(shell, "sshHost", "127.0.0.1");
        setProperty(shell, "sshPort", Integer.toString(sshPort));
        Path management = etc.resolve("org.apache.karaf.management.cfg");
        setProperty(management, "rmiRegistryPort", Integer.toString(freePort()));
        setProperty(management, "rmiServerPort", Integer.toString(freePort()));
    }

    Path home() {
        return home;
    }

    /**
     * Starts {@code bin/karaf server} and waits, at most {@code deadline}, until Karaf has
     * installed its boot features (its {@code BootFinished} service) and answers on its shell.
     */
    void start(Duration deadline) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("console.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        process = pb.start();
        // A test JVM that dies leaves no Karaf behind.
        Process p = process;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> kill(p)));
        long end = System.nanoTime() + deadline.toNanos();
        String last = "";
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Karaf exited with " + process.exitValue() + ":\n" + consoleLog());
            }
            // A client is a JVM of its own, which slows a booting Karaf on a small machine: the
            // first one only once the SSH port takes connections.
            if (!listening()) {
                Thread.sleep(200);
                continue;
            }
            last = client(Duration.ofSeconds(30), "service:list org.apache.karaf.features.BootFinished");
            if (last.contains("[org.apache.karaf.features.BootFinished]")) {
                return;
            }
            // the shell is not up yet ("Failed to get the session"): poll again shortly
            Thread.sleep(250);
        }
        throw new IllegalStateException("Karaf not ready within " + deadline + "; last answer: " + last
                + "\n" + consoleLog());
    }

    /**
     * Runs {@code commands} in one {@code bin/client -b} session (one a line on its standard
     * input) and returns what it printed. Karaf's client shows a command's standard output only:
     * a command whose error line matters is written with {@code 2>&1}.
     */
    String client(Duration timeout, String... commands) throws IOException, InterruptedException {
        Path out = Files.createTempFile(home, "client", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/client").toString(),
                    "-h", "127.0.0.1", "-a", Integer.toString(sshPort), "-u", USER, "-p", PASSWORD, "-b")
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            pb.environment().putAll(env);
            Process c = pb.start();
            c.getOutputStream().write((String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8));
            c.getOutputStream().close();
            if (!c.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                kill(c);
                throw new IllegalStateException("bin/client did not finish within " + timeout + " running "
                        + List.of(commands) + "; it printed:\n" + Files.readString(out));
            }
            // the client colours errors and grep matches: plain text for the assertions
            return Files.readString(out).replaceAll("\u001B\\[[0-9;]*m", "");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Polls {@code commands} until their output satisfies {@code done}, at most {@code deadline}. */
    String clientUntil(Duration deadline, Predicate<String> done, String... commands)
            throws IOException, InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        String last;
        do {
            last = client(Duration.ofSeconds(60), commands);
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < end);
        return last;
    }

    String consoleLog() {
        List<String> parts = new ArrayList<>();
        for (Path log : List.of(home.resolve("console.log"), home.resolve("data/log/karaf.log"))) {
            try {
                List<String> lines = Files.readAllLines(log);
                parts.add("--- " + log + " (last lines)\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            } catch (IOException | UncheckedIOException e) {
                parts.add("--- " + log + ": " + e);
            }
        }
        return String.join("\n", parts);
    }

    /** {@code bin/stop}, then waits for the process; kills it (and its JVM) when it lingers. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/stop").toString())
                    .directory(home.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().putAll(env);
            Process stop = pb.start();
            if (!stop.waitFor(30, TimeUnit.SECONDS)) {
                kill(stop);
            }
            if (process.waitFor(60, TimeUnit.SECONDS)) {
                return;
            }
        } finally {
            kill(process);
        }
    }

    /** Kills a process and everything it started (bin/karaf runs Karaf's JVM as its child). */
    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /**
     * Sets {@code key} in a Java properties file, replacing its line and any continuation lines
     * after it (a value ending in a backslash goes on), or appending it.
     */
    static void setProperty(Path file, String key, String value) throws IOException {
        List<String> in = Files.readAllLines(file);
        List<String> out = new ArrayList<>();
        Pattern line = Pattern.compile("^\\s*" + Pattern.quote(key) + "\\s*[=:].*");
        boolean set = false;
        for (int i = 0; i < in.size(); i++) {
            if (line.matcher(in.get(i)).matches()) {
                while (in.get(i).endsWith("\\") && i + 1 < in.size()) {
                    i++;
                }
                if (!set) {
                    out.add(key + " = " + value);
                    set = true;
                }
            } else {
                out.add(in.get(i));
            }
        }
        if (!set) {
            out.add(key + " = " + value);
        }
        Files.write(file, out);
    }

    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), sshPort), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}
