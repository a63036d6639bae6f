package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's "hot-load failures are silent", as a user meets them: a jar in the deploy folder that
 * cannot be installed, resolved or started gives one line on the instance's standard error (the
 * file and why, no stack trace) and is listed by {@code providers} until it is fixed or removed.
 */
class DeployProblemsIT {
    private static final String PROBLEMS = "deploy folder problems (each lasts until its jar is fixed or removed):\n";

    @TempDir
    Path tmp;
    private RunningServer server;

    @AfterEach
    void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    static Path queueJar() {
        return JarRun.builtFile("bpfmaps.queue.jar", "built by the reactor");
    }

    /** An instance watching {@code deploy}, a folder of the test's. */
    private RunningServer start(Path deploy) throws Exception {
        server = RunningServer.start(Files.createDirectories(tmp.resolve("run")), "-Dbpfmaps.deploy=" + deploy);
        return server;
    }

    @Test
    void aProviderJarOverwrittenWithRandomBytesIsReportedItsMapsWaitAndComeBackWithTheJar() throws Exception {
        Path deploy = Files.createDirectories(tmp.resolve("deploy"));
        Path jar = deploy.resolve("map.queue.jar");
        Files.copy(queueJar(), jar);
        RunningServer s = start(deploy);
        providersUntil(s, out -> out.contains("org.bpfmaps.map.queue  version"), "map.queue serves");
        ok(s.client("map", "create", "/sys/fs/bpf/jobs", "type", "queue", "key", "0", "value", "8", "entries", "16",
                "name", "jobs"));
        for (int v = 7; v <= 9; v++) {
            ok(s.client("map", "push", "pinned", "/sys/fs/bpf/jobs", "value", Integer.toString(v), "0", "0", "0", "0",
                    "0", "0", "0"));
        }

        replace(jar, random(8192));
        String line = "bpfmaps: " + jar + ": not a bundle: ";
        s.awaitStderr(line);
        String listed = providersUntil(s, out -> out.contains("\tid ") && out.contains(PROBLEMS),
                "the queue detached and the jar listed");
        assertAll(listed,
                () -> assertTrue(listed.contains("  queue  name jobs  from org.bpfmaps.map.queue  elements 3  bytes "),
                        "the queue waits, detached, with its three elements"),
                () -> assertTrue(listed.contains(PROBLEMS + "\t" + jar + ": not a bundle: "), "the jar, with why"),
                () -> assertFalse(listed.contains("org.bpfmaps.map.queue  version"), "the provider is gone"));
        JarRun detached = s.client("map", "pop", "pinned", "/sys/fs/bpf/jobs");
        assertTrue(detached.exitCode() != 0 && detached.err().startsWith("Error: "), detached::toString);

        // the good jar back: the provider returns with the queue's elements, and the problem goes
        replace(jar, Files.readAllBytes(queueJar()));
        String back = providersUntil(s, out -> out.contains("org.bpfmaps.map.queue  version") && !out.contains(PROBLEMS)
                && !out.contains("\tid "), "map.queue back, the queue attached, no problem listed");
        assertTrue(back.contains("  maps 1  detached 0\n"), "the queue is map.queue's again:\n" + back);
        JarRun pop = s.client("map", "pop", "pinned", "/sys/fs/bpf/jobs");
        assertEquals(0, pop.exitCode(), pop::toString);
        assertTrue(pop.out().contains("value: 07 00 00 00 00 00 00 00"), "the first element, kept: " + pop);

        String err = s.stderr();
        assertEquals(List.of(line), linesNaming(err, jar.toString(), line), "one line about the jar, the reason after it:\n" + err);
        assertNoTrace(err);
    }

    @Test
    void jarsThatCannotBeInstalledResolvedOrStartedEachGiveOneLineAndAreListedUntilRemoved()
            throws Exception {
        Path deploy = Files.createDirectories(tmp.resolve("deploy"));
        RunningServer s = start(deploy);
        List<Broken> broken = broken(deploy);
        for (Broken b : broken) {
            replace(b.file(), Files.readAllBytes(b.made()));
        }
        for (Broken b : broken) {
            s.awaitStderr("bpfmaps: " + b.file() + ": " + b.reason());
            assertTrue(s.stderr().lines().anyMatch(l -> l.startsWith("bpfmaps: " + b.file() + ": " + b.reason())
                    && l.contains(b.mentions())), b + ": " + s.stderr());
        }
        String listed = providersUntil(s, out -> broken.stream().allMatch(b -> out.contains("\t" + b.file() + ": " + b.reason())),
                "the broken jars listed");
        assertTrue(listed.contains(PROBLEMS), listed);

        // removed one by one: each leaves the list, the others stay
        for (int i = 0; i < broken.size(); i++) {
            Files.delete(broken.get(i).file());
            Path gone = broken.get(i).file();
            List<Broken> left = broken.subList(i + 1, broken.size());
            providersUntil(s, out -> !out.contains(gone + ": ") && left.stream().allMatch(b -> out.contains(b.file() + ": ")),
                    gone + " no longer listed");
        }
        String none = providersUntil(s, out -> !out.contains(PROBLEMS), "no problem listed");
        assertTrue(none.contains("org.bpfmaps.map.array"), none);

        String err = s.stderr();
        for (Broken b : broken) {
            String line = "bpfmaps: " + b.file() + ": " + b.reason();
            assertEquals(List.of(line), linesNaming(err, b.file().toString(), line), "one line for " + b.file() + ":\n" + err);
        }
        assertNoTrace(err);
    }

    @Test
    void brokenJarsPresentAtStartAreListedByTheFirstCommand() throws Exception {
        List<Broken> broken = broken(tmp.resolve("deploy"));
        List<Path> deployed = new ArrayList<>();
        for (Broken b : broken) {
            deployed.add(b.made());
        }
        JarRun r = JarRun.run(Map.of(), "", null, deployed, "-c", "providers");
        assertEquals(0, r.exitCode(), r::toString);
        for (Broken b : broken) {
            // the run's working directory holds deploy/: the file is named from there
            String named = "deploy/" + b.made().getFileName() + ": " + b.reason();
            assertTrue(r.out().contains("\t" + named), named + " listed:\n" + r);
            assertEquals(1, r.err().lines().filter(l -> l.startsWith("bpfmaps: " + named) && l.contains(b.mentions()))
                    .count(), "one line for " + named + ":\n" + r);
        }
        assertEquals(broken.size(), r.err().lines().count(), "nothing else on stderr:\n" + r);
        assertNoTrace(r.err());
    }

    // ---- the broken jars --------------------------------------------------------------------------

    /**
     * A jar as made, where it goes in a deploy folder, the start of the reason its line gives and
     * a word the reason must hold.
     */
    record Broken(Path made, Path file, String reason, String mentions) {}

    /**
     * Random bytes named x.jar; a bundle importing a package nobody exports; a Bundle-Version of
     * "1.x"; a bundle whose activator cannot be loaded (it resolves, and its start fails).
     */
    private List<Broken> broken(Path deploy) throws IOException {
        Path made = Files.createDirectories(tmp.resolve("jars"));
        Path notABundle = Files.write(made.resolve("x.jar"), random(4096));
        Path unresolvable = bundle(made.resolve("needs-nosuch.jar"), "test.needs.nosuch", "1.0.0",
                "Import-Package", "org.nosuch.pkg");
        Path badVersion = bundle(made.resolve("bad-version.jar"), "test.bad.version", "1.x", null, null);
        Path noActivator = bundle(made.resolve("no-activator.jar"), "test.no.activator", "1.0.0",
                "Bundle-Activator", "org.nosuch.Activator");
        return List.of(
                new Broken(notABundle, deploy.resolve("x.jar"), "not a bundle: ", "zip"),
                new Broken(unresolvable, deploy.resolve("needs-nosuch.jar"),
                        "cannot resolve: missing requirement osgi.wiring.package; ", "osgi.wiring.package=org.nosuch.pkg"),
                new Broken(badVersion, deploy.resolve("bad-version.jar"), "bad Bundle-Version \"1.x\": ", "\"x\""),
                new Broken(noActivator, deploy.resolve("no-activator.jar"), "cannot start: ", "org.nosuch.Activator"));
    }

    private static Path bundle(Path jar, String bsn, String version, String header, String value) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", version);
        if (header != null) {
            a.putValue(header, value);
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.putNextEntry(new JarEntry("readme.txt"));
            j.write("a bundle that must not serve\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            j.closeEntry();
        }
        return jar;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(17).nextBytes(b);
        return b;
    }

    /** Writes beside the file and moves over it, as a deploy tool does: no reader sees half a jar. */
    private void replace(Path file, byte[] content) throws IOException {
        Path part = Files.write(tmp.resolve(file.getFileName() + ".part"), content);
        Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    // ---- observing --------------------------------------------------------------------------------

    private static void ok(JarRun r) {
        assertEquals(0, r.exitCode(), r::toString);
    }

    /** Runs {@code providers} against the instance until its output satisfies {@code done}; bounded. */
    private static String providersUntil(RunningServer s, Predicate<String> done, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RunningServer.DEADLINE_MS);
        while (true) {
            JarRun r = s.client("providers");
            assertEquals(0, r.exitCode(), r::toString);
            if (done.test(r.out())) {
                return r.out();
            }
            if (System.nanoTime() > deadline) {
                fail("not within " + RunningServer.DEADLINE_MS + " ms: " + what + "; providers said:\n" + r.out()
                        + "\nthe instance's stderr:\n" + s.stderr());
            }
            Thread.sleep(50); // the poll interval; each round is a whole client run as well
        }
    }

    /** The lines of {@code err} that name {@code file}, checked to start with {@code expected}. */
    private static List<String> linesNaming(String err, String file, String expected) {
        List<String> out = new ArrayList<>();
        err.lines().filter(l -> l.contains(file)).forEach(l -> out.add(l.startsWith(expected) ? expected : l));
        return out;
    }

    private static void assertNoTrace(String err) {
        assertFalse(err.contains("\tat ") || err.contains("Exception"), "no stack trace:\n" + err);
    }
}
