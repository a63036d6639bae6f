package org.bpfmaps.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The shell and the conformance bundle in Gogo's runtime: the shell needs nothing of the
 * conformance bundle, and {@code help} and Tab offer {@code conformance}, with the usage its
 * service carries, exactly while the conformance bundle serves it.
 */
class CommandBundlesTest {
    static final String GOGO = "org.apache.felix.gogo.runtime";
    static final String SHELL = "org.bpfmaps.shell";
    static final String CONFORMANCE = "org.bpfmaps.conformance";
    /** What the conformance bundle needs besides the core: its JSON library. */
    static final List<String> JSON = List.of("com.fasterxml.jackson.core.jackson-core",
            "com.fasterxml.jackson.jr.jackson-jr-objects");
    static final String CONFORMANCE_COMMAND = "(&(osgi.command.scope=bpf)(osgi.command.function=conformance))";
    static final String SUMMARY = "Replays a kernel-recorded corpus in isolated instances and counts what agrees";

    @Test
    void theShellImportsNothingOfTheConformanceBundle() throws Exception {
        try (OsgiFramework o = OsgiFramework.start("command-bundles-manifest", List.of(GOGO, SHELL), Map.of())) {
            Bundle shell = o.bundle(SHELL);
            String imports = shell.getHeaders().get(Constants.IMPORT_PACKAGE);
            assertTrue(imports.contains("org.bpfmaps.core.api"), imports);
            assertFalse(imports.contains("org.bpfmaps.conformance"), "Import-Package: " + imports);
            assertNull(shell.getHeaders().get(Constants.DYNAMICIMPORT_PACKAGE));
            assertNull(shell.getHeaders().get(Constants.REQUIRE_BUNDLE));
            assertNull(o.bundle(CONFORMANCE), "not installed");
            assertEquals(Bundle.ACTIVE, shell.getState(), "the shell runs without the conformance bundle");
            for (BundleWire w : shell.adapt(BundleWiring.class).getRequiredWires(null)) {
                assertFalse(w.getProvider().getBundle().getSymbolicName().startsWith(CONFORMANCE), w.toString());
            }
            o.assertNoProblems();
        }
    }

    @Test
    void helpAndTabOfferConformanceWhileItsBundleServesIt() throws Exception {
        Path corpus = Path.of("..", "corpus", "kernel-6.18.json").toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isRegularFile(corpus), corpus + " is there");
        try (OsgiFramework o = OsgiFramework.start("command-bundles-help", List.of(GOGO, SHELL), Map.of())) {
            o.awaitService("(&(osgi.command.scope=bpf)(osgi.command.function=help))");
            try (Gogo g = new Gogo(o)) {
                assertAbsent(g);

                List<Bundle> added = new ArrayList<>();
                for (String bsn : List.of(JSON.get(0), JSON.get(1), CONFORMANCE)) {
                    added.add(o.install(bsn));
                }
                for (Bundle b : added) {
                    b.start();
                }
                o.awaitService(CONFORMANCE_COMMAND);

                Gogo.Run help = g.run("help");
                assertTrue(help.out().matches("(?s).*\n {8}bpf:conformance +" + SUMMARY + "\n.*"), help.toString());
                Gogo.Run usage = g.run("help conformance");
                assertEquals(0, usage.exit(), usage.toString());
                assertTrue(usage.out().startsWith("DESCRIPTION\n        bpf:conformance\n")
                        && usage.out().contains("\nSYNTAX\n        conformance FILE [TYPE...]\n")
                        && usage.out().contains("(bpftool's names: array | percpu_array).\n"),
                        "the usage with the types served now (the ARRAY family's):\n" + usage);
                Gogo.Run dashDash = g.run("conformance --help");
                assertEquals(new Gogo.Run(0, usage.out(), "", null), dashDash, "conformance --help is help conformance");
                assertEquals(List.of("complete", "conformance"), g.run("complete 'help co'").value());
                assertEquals(List.of("percpu_array"), g.run("complete 'conformance corpus.json per'").value());

                Gogo.Run run = g.run("conformance " + corpus + " array");
                assertEquals(0, run.exit(), run.toString());
                assertTrue(run.out().matches("[1-9]\\d* passed, 0 failed, 0 skipped\n"), run.toString());
                Gogo.Run bad = g.run("conformance " + corpus + " nosuch");
                assertEquals(new Gogo.Run(255, "", "Error: unrecognized map type: nosuch\n", null), bad);

                o.bundle(CONFORMANCE).stop();
                o.awaitNoService(CONFORMANCE_COMMAND);
                assertAbsent(g);
            }
            o.assertNoProblems();
        }
    }

    /** Without the conformance bundle: no conformance in help's list, usage or completion. */
    private static void assertAbsent(Gogo g) throws Exception {
        Gogo.Run help = g.run("help");
        assertEquals(0, help.exit(), help.toString());
        assertTrue(help.out().contains("bpf:providers"), help.toString());
        assertFalse(help.out().contains("conformance"), help.toString());
        assertEquals(new Gogo.Run(255, "", "Error: no command 'conformance'; help lists them all\n", null),
                g.run("help conformance"));
        assertEquals(List.of("complete"), g.run("complete 'help co'").value());
    }

    /**
     * A Gogo session of the framework's CommandProcessor, reached reflectively: Gogo's API package
     * lives only inside the framework. Every line is run as the distribution runs it, with the
     * search path {@code bpf:*}, and gives its output and the exit code it left in {@code bpf.exit}.
     */
    static final class Gogo implements AutoCloseable {
        record Run(Object exit, String out, String err, Object value) {
        }

        private final OsgiFramework framework;
        private final ServiceReference<?> ref;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final Object session;
        private final Method execute;
        private final Method get;
        private final Method put;
        private final Method close;

        Gogo(OsgiFramework framework) throws Exception {
            this.framework = framework;
            ref = framework.awaitService("(objectClass=org.apache.felix.service.command.CommandProcessor)");
            Object processor = framework.context().getService(ref);
            Bundle gogo = ref.getBundle();
            Class<?> processorType = gogo.loadClass("org.apache.felix.service.command.CommandProcessor");
            Class<?> sessionType = gogo.loadClass("org.apache.felix.service.command.CommandSession");
            session = processorType.getMethod("createSession", InputStream.class, OutputStream.class, OutputStream.class)
                    .invoke(processor, new ByteArrayInputStream(new byte[0]), out, err);
            execute = sessionType.getMethod("execute", CharSequence.class);
            get = sessionType.getMethod("get", String.class);
            put = sessionType.getMethod("put", String.class, Object.class);
            close = sessionType.getMethod("close");
            put.invoke(session, "SCOPE", "bpf:*");
        }

        Run run(String line) throws Exception {
            out.reset();
            err.reset();
            put.invoke(session, "bpf.exit", "unset"); // Gogo keeps no null variable
            Object value;
            try {
                value = execute.invoke(session, line);
            } catch (InvocationTargetException e) {
                throw new AssertionError(line + " threw", e.getCause());
            }
            return new Run(get.invoke(session, "bpf.exit"), out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8), value);
        }

        @Override
        public void close() throws Exception {
            close.invoke(session);
            framework.context().ungetService(ref);
        }
    }
}
