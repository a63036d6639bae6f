package org.bpfmaps.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.Version;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Why a jar in the deploy folder serves nothing: one line on standard error when a jar cannot be
 * installed, resolved or started ({@code bpfmaps: deploy/x.jar: not a bundle: zip END header not
 * found}), and the list of such jars with their reasons, until the file is fixed or removed, in
 * the properties of a service that the shell's {@code providers} command reads
 * ({@value #DIR_PROPERTY}, {@value #PROBLEMS_PROPERTY}: no API of its own).
 *
 * <p>FileInstall says some of this and not the rest. A jar it cannot read as a bundle (random
 * bytes, a plain jar) it skips without a word and retries on every poll; a provider jar
 * overwritten so is uninstalled, silently too. A jar it fails to install or start goes to its
 * log (java.util.logging here) with a stack trace, and a start failure only once for as long as
 * the same set of bundles keeps failing. So two sources, one record:
 * <ul>
 * <li>FileInstall's log records, taken from its java.util.logging logger: the failures it saw,
 *     with the exception that says why (a manifest Felix refuses, an activator that throws);
 * <li>a sweep of the folder after FileInstall's start and then every {@value #SWEEP_MS} ms, as
 *     FileInstall polls: the jars that are not bundles, the bundles left {@code INSTALLED} after
 *     FileInstall asked to start them (the resolver's framework API says which requirement no
 *     bundle provides), and the problems that went away.
 * </ul>
 * A problem is keyed by its file and remembered with the file's size and modification time: a
 * changed file is a new attempt (its old problem goes, the new content is judged afresh), a
 * removed one has no problem, and one whose bundle runs (installed from this very content) is
 * fixed. The same problem is never printed twice.
 */
final class DeployProblems implements AutoCloseable {
    /** Service property: the deploy folder (present on the registration whatever its problems). */
    static final String DIR_PROPERTY = "bpfmaps.deploy.dir";
    /** Service property: one {@code FILE: REASON} line for each jar that serves nothing, by file name. */
    static final String PROBLEMS_PROPERTY = "bpfmaps.deploy.problems";
    /** The sweep's period: FileInstall's poll (DeployFolder). */
    static final long SWEEP_MS = DeployFolder.POLL_MS;

    /** FileInstall's log messages that name a deploy file (DirectoryWatcher, FileInstall 3.7.4). */
    private static final String INSTALL_FAILED = "Failed to install artifact: ";
    private static final String UPDATE_FAILED = "Failed to update artifact ";
    private static final String START_FAILED = "Error while starting bundle: ";

    private final Path dir;
    private final PrintStream log;
    /** FileInstall's logger: held, as java.util.logging keeps loggers only weakly with their handlers. */
    private final Logger fileInstallLog;
    private final Handler handler;
    /** Guarded by this. */
    private final Map<Path, Problem> problems = new TreeMap<>();
    private BundleContext context;
    private ServiceRegistration<?> registration;
    private Thread sweeper;
    private boolean closed;

    /** A file's identity as far as a problem goes: a write changes it. */
    record Stamp(long size, long modified) {
        static Stamp of(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return a.isRegularFile() ? new Stamp(a.size(), a.lastModifiedTime().toMillis()) : null;
            } catch (IOException | SecurityException e) {
                return null; // gone (or unreadable: FileInstall skips it as well)
            }
        }
    }

    private record Problem(Stamp stamp, String reason) {}

    private DeployProblems(Path dir, PrintStream log) {
        this.dir = dir;
        this.log = log;
        this.fileInstallLog = Logger.getLogger("fileinstall");
        this.handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                try {
                    fromFileInstall(String.valueOf(r.getMessage()), r.getThrown());
                } catch (RuntimeException e) { // never into FileInstall's thread
                    log.println("bpfmaps: fileinstall: " + r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * Takes over FileInstall's log (DeployFolder sends it to java.util.logging): from now on its
     * records become problems or one line each, never a stack trace. Before FileInstall starts.
     */
    static DeployProblems listen(Path dir, PrintStream log) {
        DeployProblems p = new DeployProblems(dir, log);
        p.fileInstallLog.setUseParentHandlers(false);
        p.fileInstallLog.addHandler(p.handler);
        return p;
    }

    /** Registers the service that carries the problems; once the framework runs, before FileInstall starts. */
    synchronized void register(BundleContext ctx) {
        context = ctx;
        registration = ctx.registerService(Object.class.getName(), new Object(), properties());
    }

    /**
     * Judges the folder once, now (FileInstall's first pass has run inside its start), so that a
     * script's first command already sees what the folder held; then every {@value #SWEEP_MS} ms.
     */
    void startSweeping() {
        sweep(true);
        Thread t = new Thread("bpfmaps-deploy-problems") {
            @Override
            public void run() {
                while (waitForNextSweep()) {
                    try {
                        sweep(false);
                    } catch (RuntimeException e) { // a framework that is stopping: the next round, or close, ends it
                        Main.trace("deploy sweep: " + e);
                    }
                }
            }
        };
        t.setDaemon(true);
        synchronized (this) {
            sweeper = t;
        }
        t.start();
    }

    private synchronized boolean waitForNextSweep() {
        if (!closed) {
            try {
                wait(SWEEP_MS); // the period of a poll, as FileInstall's own; close() wakes it
            } catch (InterruptedException e) {
                return false;
            }
        }
        return !closed;
    }

    /** Stops the sweep; FileInstall's log goes back to java.util.logging's defaults. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            notifyAll();
            t = sweeper;
        }
        if (t != null) {
            try {
                t.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** After the framework stopped (FileInstall logs while it stops). */
    void releaseLog() {
        fileInstallLog.removeHandler(handler);
        fileInstallLog.setUseParentHandlers(true);
    }

    // ---- the sweep --------------------------------------------------------------------------------

    /**
     * One look at the folder. {@code now}: judge every file at once (at start, when nothing is
     * being written); else only files left alone for a sweep period, so that a jar being copied
     * in is not judged half-written.
     */
    synchronized void sweep(boolean now) {
        if (closed && !now) {
            return;
        }
        List<Path> jars = jars();
        boolean changed = false;
        // a file removed or written since its problem: gone, or a new attempt judged below
        for (Iterator<Map.Entry<Path, Problem>> it = problems.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Path, Problem> e = it.next();
            if (!e.getValue().stamp().equals(Stamp.of(e.getKey()))) {
                it.remove();
                changed = true;
            }
        }
        long settled = System.currentTimeMillis() - SWEEP_MS;
        for (Path jar : jars) {
            Stamp stamp = Stamp.of(jar);
            if (stamp == null || (!now && stamp.modified() > settled)) {
                continue;
            }
            String reason = notABundle(jar);
            Bundle b = reason == null && context != null ? context.getBundle(location(jar)) : null;
            if (b != null && serves(b, stamp)) {
                changed |= problems.remove(jar) != null;
            } else if (b != null && b.getState() == Bundle.INSTALLED && startRequested(b)) {
                // FileInstall asked to start it and it stayed INSTALLED: the resolver refused it.
                // Only a requirement nobody provides is certain here; other refusals reach
                // fromFileInstall with the resolver's own words.
                String missing = missingRequirements(b);
                reason = missing == null ? null : "cannot resolve: " + missing;
            }
            if (reason != null) {
                changed |= report(jar, stamp, reason);
            }
        }
        if (changed) {
            publish();
        }
    }

    /** The folder's jars, as FileInstall's filter (DeployFolder) picks them. */
    private List<Path> jars() {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.jar")) {
            for (Path p : s) {
                out.add(p);
            }
        } catch (IOException | RuntimeException e) {
            // The folder is gone or unreadable: FileInstall waits for it, and so do we.
        }
        return out;
    }

    /** Runs, from this content of the file (an update that failed leaves the old content running). */
    private static boolean serves(Bundle b, Stamp stamp) {
        int s = b.getState();
        return (s == Bundle.ACTIVE || s == Bundle.STARTING) && b.getLastModified() >= stamp.modified();
    }

    /** FileInstall starts its bundles persistently: a persistent start was asked for and recorded. */
    private static boolean startRequested(Bundle b) {
        BundleStartLevel sl = b.adapt(BundleStartLevel.class);
        return sl != null && sl.isPersistentlyStarted();
    }

    /**
     * Why FileInstall will not take the file as a bundle (its BundleTransformer wants a jar with
     * Bundle-SymbolicName and Bundle-Version), or why the install will fail on its version;
     * null when it is a bundle as far as its manifest shows.
     */
    static String notABundle(Path jar) {
        try (JarFile f = new JarFile(jar.toFile())) {
            Manifest m = f.getManifest();
            if (m == null) {
                return "not a bundle: no META-INF/MANIFEST.MF";
            }
            Attributes a = m.getMainAttributes();
            if (a.getValue(Constants.BUNDLE_SYMBOLICNAME) == null) {
                return "not a bundle: no Bundle-SymbolicName in its manifest";
            }
            String v = a.getValue(Constants.BUNDLE_VERSION);
            if (v == null) {
                return "not a bundle: no Bundle-Version in its manifest";
            }
            try {
                Version.parseVersion(v);
            } catch (IllegalArgumentException e) {
                String why = LineRunner.message(e);
                String prefix = "invalid version \"" + v.strip() + "\": ";
                return "bad Bundle-Version \"" + v + "\": " + (why.startsWith(prefix) ? why.substring(prefix.length()) : why);
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "not a bundle: " + LineRunner.message(e);
        }
    }

    /**
     * The mandatory requirements of an unresolved bundle that no installed bundle provides, as
     * {@code NAMESPACE; FILTER}; null when each has a provider (then the resolver refused for
     * another reason, such as a uses conflict).
     */
    private String missingRequirements(Bundle b) {
        BundleRevision rev = b.adapt(BundleRevision.class);
        Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
        if (rev == null || system == null) {
            return null;
        }
        FrameworkWiring wiring = system.adapt(FrameworkWiring.class);
        List<String> missing = new ArrayList<>();
        for (BundleRequirement r : rev.getDeclaredRequirements(null)) {
            Map<String, String> d = r.getDirectives();
            String resolution = d.get(Constants.RESOLUTION_DIRECTIVE);
            String effective = d.get(Constants.EFFECTIVE_DIRECTIVE);
            if (Constants.RESOLUTION_OPTIONAL.equals(resolution) || "dynamic".equals(resolution)
                    || (effective != null && !Constants.EFFECTIVE_RESOLVE.equals(effective))) {
                continue;
            }
            if (wiring.findProviders(r).isEmpty()) {
                missing.add(r.getNamespace() + "; " + d.getOrDefault(Constants.FILTER_DIRECTIVE, "(any)"));
            }
        }
        return missing.isEmpty() ? null : "missing requirement " + String.join(", ", missing);
    }

    // ---- FileInstall's log ------------------------------------------------------------------------

    /** One record of FileInstall's log: a problem of a deploy file, else one line. */
    private synchronized void fromFileInstall(String message, Throwable t) {
        Path file = null;
        String reason = null;
        if (message.startsWith(INSTALL_FAILED)) {
            file = Path.of(message.substring(INSTALL_FAILED.length())); // an InvalidPathException ends in publish
            reason = installReason(file, "cannot install", t);
        } else if (message.startsWith(UPDATE_FAILED)) {
            file = Path.of(message.substring(UPDATE_FAILED.length()));
            reason = installReason(file, "cannot update", t);
        } else if (message.startsWith(START_FAILED) && context != null) {
            String location = message.substring(START_FAILED.length());
            file = fileAt(location);
            reason = startReason(context.getBundle(location), t);
        }
        if (file != null && file.startsWith(dir)) {
            Stamp stamp = Stamp.of(file);
            if (stamp != null && report(file, stamp, reason)) { // gone meanwhile: nothing to fix
                publish();
            }
            return;
        }
        log.println(oneLine("bpfmaps: fileinstall: " + message + (t == null ? "" : ": " + LineRunner.message(t))));
        log.flush();
    }

    /** What the file shows by itself, else what the framework said. */
    private static String installReason(Path file, String what, Throwable t) {
        String own = notABundle(file);
        return own != null ? own : what + ": " + (t == null ? "no reason given" : LineRunner.message(t));
    }

    private String startReason(Bundle b, Throwable t) {
        if (t instanceof BundleException e && e.getType() == BundleException.RESOLVE_ERROR) {
            String missing = b == null ? null : missingRequirements(b);
            if (missing != null) {
                return "cannot resolve: " + missing; // as the sweep says it: one line, not two
            }
            String m = LineRunner.message(t);
            int tail = m.indexOf(" Unresolved requirements:"); // Felix repeats the requirements there
            return "cannot resolve: " + (tail > 0 ? m.substring(0, tail) : m);
        }
        if (t == null) {
            return "cannot start: no reason given";
        }
        String m = LineRunner.message(t);
        return "cannot start: " + m + (t.getCause() != null ? " (" + LineRunner.message(t.getCause()) + ")" : "");
    }

    // ---- the record -------------------------------------------------------------------------------

    /** Records a problem; prints it unless it is the one already recorded. True when the record changed. */
    private boolean report(Path file, Stamp stamp, String reason) {
        Problem p = new Problem(stamp, oneLine(reason));
        if (p.equals(problems.get(file))) {
            return false;
        }
        problems.put(file, p);
        log.println("bpfmaps: " + display(file) + ": " + p.reason());
        log.flush();
        return true;
    }

    /** One line, whatever an exception's message holds. */
    private static String oneLine(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    private void publish() {
        if (registration != null) {
            try {
                registration.setProperties(properties());
            } catch (IllegalStateException e) {
                // unregistered: the framework is stopping
            }
        }
    }

    private Hashtable<String, Object> properties() {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<Path, Problem> e : problems.entrySet()) {
            lines.add(display(e.getKey()) + ": " + e.getValue().reason());
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(DIR_PROPERTY, dir.toString());
        props.put(PROBLEMS_PROPERTY, lines.toArray(new String[0]));
        return props;
    }

    /** The file as the user named it: relative to the working directory when under it. */
    static String display(Path file) {
        Path cwd = Path.of("").toAbsolutePath();
        return file.startsWith(cwd) ? cwd.relativize(file).toString() : file.toString();
    }

    /** FileInstall's location for a file (DirectoryWatcher: the file's URI, normalized). */
    static String location(Path file) {
        return file.toFile().toURI().normalize().toString();
    }

    private Path fileAt(String location) {
        try {
            return Path.of(new java.net.URI(location));
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}
