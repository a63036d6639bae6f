package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code java -jar bpfmaps.jar ARGS} as a separate process, as a user runs it, with standard
 * input from a string and standard output and error collected in files (no pipe can fill up).
 * Each run gets a home folder of its own, so that no test reads or writes the user's history;
 * it is also the run's working directory, where {@link #leftInWorkDir} finds what the run created.
 */
record JarRun(int exitCode, String out, String err, List<String> leftInTmp, List<String> leftInWorkDir) {
    /**
     * The harness's own files in a run's working directory, and the jar's own: its deploy folder,
     * and the bundle cache in the home folder (which is the working directory here).
     */
    private static final List<String> HARNESS = List.of("stdin", "stdout", "stderr", "tmp", "deploy", ".cache");

    /** Far above the ~1-2 s a run takes; a hung run fails the test instead of the build. */
    static final long TIMEOUT_S = 60;

    static Path jar() {
        return builtFile("bpfmaps.jar", "built in the package phase");
    }

    /** The file the system property {@code name} names, which the pom sets and the build made. */
    static Path builtFile(String name, String madeBy) {
        String p = System.getProperty(name);
        assertTrue(p != null, "the system property " + name + " is set by the pom (run through Failsafe)");
        Path file = Path.of(p);
        assertTrue(Files.isRegularFile(file), file + " exists (" + madeBy + ")");
        return file;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The command line that starts the jar with its own home folder (for the history) and
     * temporary folder (where the framework's storage must be gone after the run), then ARGS.
     */
    static List<String> command(Path home, String... args) throws IOException {
        Path tmp = Files.createDirectories(home.resolve("tmp"));
        List<String> cmd = new ArrayList<>(List.of(java(), "-Duser.home=" + home, "-Djava.io.tmpdir=" + tmp,
                "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static JarRun run(String stdin, String... args) throws IOException, InterruptedException {
        return run(Map.of(), stdin, args);
    }

    /**
     * With {@code env} added to the environment. Unless {@code env} says otherwise, the runtime
     * directory (where an instance's socket is) is the run's own folder: no test reaches an
     * instance it did not start.
     */
    static JarRun run(Map<String, String> env, String stdin, String... args) throws IOException, InterruptedException {
        return run(env, stdin, null, args);
    }

    /** With {@code launcher} (such as the wrapper script) in place of {@code java -jar bpfmaps.jar}. */
    static JarRun run(Map<String, String> env, String stdin, List<String> launcher, String... args)
            throws IOException, InterruptedException {
        return run(env, stdin, launcher, List.of(), args);
    }

    /**
     * With {@code deployed} copied into the run's deploy folder ({@code deploy/} in its working
     * directory) before the start, as a user drops bundles there.
     */
    static JarRun run(Map<String, String> env, String stdin, List<String> launcher, List<Path> deployed,
            String... args) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("bpfmaps-it-");
        if (!deployed.isEmpty()) {
            Path deploy = Files.createDirectories(dir.resolve("deploy"));
            for (Path jar : deployed) {
                Files.copy(jar, deploy.resolve(jar.getFileName()));
            }
        }
        Path in = Files.writeString(dir.resolve("stdin"), stdin, StandardCharsets.UTF_8);
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        List<String> cmd = command(dir, args);
        if (launcher != null) {
            cmd = new ArrayList<>(launcher);
            cmd.addAll(List.of(args));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("XDG_RUNTIME_DIR", dir.toString());
        pb.environment().putAll(env);
        Process p = pb
                .directory(dir.toFile())
                .redirectInput(in.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("bpfmaps.jar did not exit within " + TIMEOUT_S + " s; stderr so far:\n"
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        List<String> left = List.of();
        if (Files.isDirectory(dir.resolve("tmp"))) {
            try (Stream<Path> s = Files.list(dir.resolve("tmp"))) {
                left = s.map(f -> f.getFileName().toString()).toList();
            }
        }
        List<String> created;
        try (Stream<Path> s = Files.list(dir)) {
            created = s.map(f -> f.getFileName().toString()).filter(f -> !HARNESS.contains(f)).sorted().toList();
        }
        JarRun r = new JarRun(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8), left, created);
        deleteTree(dir);
        return r;
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Override
    public String toString() {
        return "exit code " + exitCode + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
    }
}
