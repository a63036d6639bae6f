package org.bpfmaps.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.apache.felix.framework.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Apache Felix embedded in the launcher, running the bundles packed in the launcher's own jar
 * (under {@code bundles/}, listed by {@code bundles/index} in -runbundles order).
 *
 * <p>Storage is a fresh temporary folder, cleaned by the framework on init and deleted at
 * {@link #close()}: several shells may run at once, and no state of a previous run is reused.
 * The bundle jars themselves are unpacked once per bpfmaps.jar into {@code ~/.cache/bpfmaps} and
 * installed by reference, which takes a third of the install time off every start.
 */
final class Host implements AutoCloseable {
    static final String INDEX = "/bundles/index";
    /** The shell bundle: when the distribution has it, commands wait for its Gogo commands too. */
    static final String SHELL_BSN = "org.bpfmaps.shell";
    /** Started after the others: see {@link #start}. */
    static final String FILEINSTALL_BSN = "org.apache.felix.fileinstall";
    static final String COMMAND_PROCESSOR = "(objectClass=" + GogoSession.PROCESSOR + ")";
    static final String BPF = "(objectClass=org.bpfmaps.core.api.Bpf)";
    static final String BPF_COMMANDS = "(osgi.command.scope=bpf)";
    /** How long the bundles may take to register their services; far above the ~0.5 s they take. */
    static final long START_TIMEOUT_MS = Long.getLong("bpfmaps.start.timeout.ms", 30_000);
    static final long STOP_TIMEOUT_MS = 10_000;

    private final Framework framework;
    private final Path storage;
    private final Object processor;
    private final PrintStream log;
    /** The deploy folder's jars that serve nothing, and why; null without a deploy folder. */
    private final DeployProblems deployProblems;
    private boolean closed;

    private Host(Framework framework, Path storage, Object processor, PrintStream log, DeployProblems deployProblems) {
        this.framework = framework;
        this.storage = storage;
        this.processor = processor;
        this.log = log;
        this.deployProblems = deployProblems;
    }

    /** One line of the index: a jar under bundles/ and its symbolic name. */
    record Entry(String file, String bsn, String version) {}

    /**
     * Starts the framework, installs and starts the bundles in index order, and returns once Gogo's
     * CommandProcessor, the Bpf service and (with the shell bundle) a {@code bpf} command are
     * registered; {@code log} gets the framework's errors (never standard output).
     */
    static Host start(PrintStream log) throws Exception {
        List<Entry> bundles = index();
        Path storage = newStorage();
        Map<String, Object> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // Felix logs to standard output by default; only command output may go there.
        config.put("felix.log.logger", new ErrLogger(log));
        config.put("felix.log.level", "1");
        // No JVM-wide URL stream handler factory: nothing here needs one, and it costs start-up time.
        config.put("felix.service.urlhandlers", "false");
        Path deploy = DeployFolder.prepare(log);
        DeployFolder.configure(config, deploy);
        // before FileInstall logs anything: its failures become one line each and a listed problem
        DeployProblems problems = deploy == null ? null : DeployProblems.listen(deploy, log);
        @SuppressWarnings({"unchecked", "rawtypes"})
        Framework fw = new FrameworkFactory().newFramework((Map) config);
        Main.trace("framework new");
        Host host = null;
        try {
            fw.init();
            fw.start();
            Main.trace("framework init");
            BundleContext ctx = fw.getBundleContext();
            if (problems != null) {
                problems.register(ctx);
            }
            List<Bundle> installed = new ArrayList<>();
            Path unpacked = unpacked();
            for (Entry e : bundles) {
                installed.add(install(ctx, e, unpacked));
            }
            Main.trace("bundles installed");
            // One resolve for all, then starts in -runbundles order (each start is synchronous:
            // activators, and SCR's registration of the components it finds, have run when it returns).
            // FileInstall last: its start installs and starts what the deploy folder holds (the first
            // scan runs in start), and a bundle there may need at once what the others serve, as an
            // immediate component that creates an ARRAY map at activation needs map.array started.
            fw.adapt(FrameworkWiring.class).resolveBundles(installed);
            Main.trace("bundles resolved");
            List<Bundle> order = new ArrayList<>(installed);
            for (Bundle b : installed) {
                if (FILEINSTALL_BSN.equals(b.getSymbolicName())) {
                    order.remove(b);
                    order.add(b);
                }
            }
            for (Bundle b : order) {
                if ((b.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) == 0) {
                    b.start();
                    if (Main.TRACE) {
                        Main.trace("started " + b.getSymbolicName());
                    }
                }
            }
            Main.trace("bundles started");
            if (problems != null) {
                problems.startSweeping(); // FileInstall's first pass is over: judge what it left
                Main.trace("deploy folder judged");
            }
            List<String> ready = new ArrayList<>(List.of(COMMAND_PROCESSOR, BPF));
            for (Entry e : bundles) {
                if (e.bsn().equals(SHELL_BSN)) {
                    ready.add(BPF_COMMANDS);
                }
            }
            Map<String, ServiceReference<?>> refs = await(ctx, ready, START_TIMEOUT_MS);
            host = new Host(fw, storage, ctx.getService(refs.get(COMMAND_PROCESSOR)), log, problems);
            return host;
        } finally {
            if (host == null) {
                stop(fw, storage, log, problems);
            }
        }
    }

    /**
     * A new Gogo session whose commands read {@code in} and print to {@code out} and {@code err};
     * Gogo cannot close them (see {@link KeptOpen}).
     */
    GogoSession newSession(InputStream in, OutputStream out, OutputStream err) {
        GogoSession s = GogoSession.create(processor, KeptOpen.in(in), KeptOpen.out(out), KeptOpen.out(err));
        // A bare name is looked up in scope bpf first: `help` is the shell's (Gogo's is felix:help).
        s.put("SCOPE", SCOPE);
        return s;
    }

    /** The session's command search path: the shell's scope, then any. */
    static final String SCOPE = "bpf:*";

    /** Stops the framework (bundles stop in reverse order), waits for it, and deletes the storage. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            stop(framework, storage, log, deployProblems);
        }
    }

    private static void stop(Framework fw, Path storage, PrintStream log, DeployProblems problems) {
        if (problems != null) {
            problems.close();
        }
        try {
            fw.stop();
            FrameworkEvent e = fw.waitForStop(STOP_TIMEOUT_MS);
            if (e.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                log.println("bpfmaps: the framework did not stop within " + STOP_TIMEOUT_MS + " ms");
            }
        } catch (BundleException e) {
            log.println("bpfmaps: stopping the framework: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (problems != null) {
                problems.releaseLog();
            }
            deleteTree(storage);
        }
    }

    /**
     * Waits, with one deadline for all, until each filter matches a registered service; a
     * ServiceTracker wakes up on the registration itself, so there is no polling and no sleep.
     */
    static Map<String, ServiceReference<?>> await(BundleContext ctx, List<String> filters, long timeoutMs)
            throws InvalidSyntaxException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Map<String, ServiceReference<?>> out = new HashMap<>();
        for (String filter : filters) {
            // trackAllServices: the launcher cannot see (and does not want) the services' classes.
            ServiceTracker<Object, ServiceReference<?>> t = new ServiceTracker<>(ctx, ctx.createFilter(filter), null) {
                @Override
                public ServiceReference<?> addingService(ServiceReference<Object> ref) {
                    return ref;
                }
            };
            t.open(true);
            try {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                ServiceReference<?> ref = left > 0 ? t.waitForService(left) : t.getService();
                if (ref == null) {
                    throw new IllegalStateException("the bundles did not start: no service " + filter + " within "
                            + timeoutMs + " ms; bundle states: " + states(ctx));
                }
                out.put(filter, ref);
            } finally {
                t.close();
            }
        }
        return out;
    }

    private static String states(BundleContext ctx) {
        StringBuilder sb = new StringBuilder();
        for (Bundle b : ctx.getBundles()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(b.getSymbolicName()).append('=')
                    .append(switch (b.getState()) {
                        case Bundle.ACTIVE -> "active";
                        case Bundle.RESOLVED -> "resolved";
                        case Bundle.INSTALLED -> "installed (unresolved)";
                        case Bundle.STARTING -> "starting";
                        default -> String.valueOf(b.getState());
                    });
        }
        return sb.toString();
    }

    /**
     * Installs one bundle: by reference to its unpacked copy when there is one (the framework then
     * reads the jar in place instead of copying it into its storage on every start), else from
     * the stream inside bpfmaps.jar.
     */
    private static Bundle install(BundleContext ctx, Entry e, Path unpacked) throws IOException, BundleException {
        if (unpacked != null) {
            Path jar = unpacked.resolve(e.file());
            if (Files.isRegularFile(jar) || extract(e, jar)) {
                return ctx.installBundle("reference:" + jar.toUri());
            }
        }
        try (InputStream in = Host.class.getResourceAsStream("/bundles/" + e.file())) {
            if (in == null) {
                throw new IllegalStateException("bpfmaps.jar has no bundles/" + e.file());
            }
            return ctx.installBundle("bpfmaps:bundles/" + e.file(), in);
        }
    }

    /**
     * The per-user folder holding this bpfmaps.jar's bundles unpacked, named after the jar's size
     * and modification time so that a rebuilt jar gets a folder of its own; null when there is no
     * writable home (then bundles install from the jar's streams).
     */
    private static Path unpacked() {
        try {
            Path self = Path.of(Host.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(self)) {
                return null;
            }
            Path dir = Path.of(System.getProperty("user.home"), ".cache", "bpfmaps",
                    "bundles-" + Files.size(self) + "-" + Files.getLastModifiedTime(self).toMillis());
            Files.createDirectories(dir);
            return dir;
        } catch (IOException | RuntimeException | java.net.URISyntaxException e) {
            return null;
        }
    }

    /** Unpacks one bundle; written under a temporary name and moved, so a reader never sees half a jar. */
    private static boolean extract(Entry e, Path jar) {
        try (InputStream in = Host.class.getResourceAsStream("/bundles/" + e.file())) {
            if (in == null) {
                return false;
            }
            Path part = jar.resolveSibling(jar.getFileName() + "." + ProcessHandle.current().pid() + ".part");
            Files.copy(in, part, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.move(part, jar, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException ex) {
            return false;
        }
    }

    /**
     * A new folder in java.io.tmpdir. Not Files.createTempDirectory: its SecureRandom costs tens of
     * milliseconds of class loading and seeding on the way to the first prompt.
     */
    private static Path newStorage() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        for (long n = System.nanoTime(); ; n++) {
            try {
                return Files.createDirectory(tmp.resolve("bpfmaps-felix-" + Long.toString(n, 36)));
            } catch (FileAlreadyExistsException e) {
                // Another run took this name: try the next one.
            }
        }
    }

    /** The bundles of the distribution, from the index that the build wrote (src/build/BundleIndex.java). */
    static List<Entry> index() throws IOException {
        InputStream in = Host.class.getResourceAsStream(INDEX);
        if (in == null) {
            throw new IllegalStateException("no " + INDEX + " in the launcher's jar: run bpfmaps.jar, not the "
                    + "thin dist jar or target/classes");
        }
        List<Entry> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!LineRunner.isCommand(line)) {
                    continue;
                }
                String[] f = line.strip().split(" ");
                if (f.length != 3) {
                    throw new IllegalStateException("bad line in " + INDEX + ": " + line);
                }
                out.add(new Entry(f[0], f[1], f[2]));
            }
        }
        return out;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Best effort: it is a temporary folder.
        }
    }

    /** Felix's own log (errors only) on standard error, one line each, no stack trace. */
    private static final class ErrLogger extends Logger {
        private final PrintStream log;

        ErrLogger(PrintStream log) {
            this.log = log;
        }

        @Override
        protected void doLog(Bundle bundle, ServiceReference sr, int level, String msg, Throwable t) {
            StringBuilder sb = new StringBuilder("bpfmaps: ");
            if (bundle != null) {
                sb.append(bundle.getSymbolicName()).append(": ");
            }
            sb.append(msg);
            if (t != null) {
                sb.append(": ").append(LineRunner.message(t));
            }
            log.println(sb);
        }
    }
}
