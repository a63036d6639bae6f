package org.bpfmaps.itest;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.apache.felix.framework.Logger;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfRuntime;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A real Felix framework in this JVM with the project's bundles installed from their jars on the
 * test class path, and everything it logs at WARNING or ERROR (or with a throwable) kept for
 * {@link #assertNoProblems()}.
 *
 * <p>Only {@code org.bpfmaps.core.api} is shared from the class path (through the system bundle),
 * so that tests call the framework's {@link Bpf} service with the same API classes the bundles
 * use. Everything else, SPI included, lives only inside the framework.
 */
final class OsgiFramework implements AutoCloseable {
    /** How long anything asynchronous (DS activation, service registration, log delivery) may take. */
    static final long TIMEOUT_MS = 10_000;

    static final String LOG = "org.apache.felix.log";
    static final String SCR = "org.apache.felix.scr";
    static final String CORE = "org.bpfmaps.core.api";
    /** The package of program code ({@code ProgramProvider}, {@code SkSkbProgram}), in core.api's jar. */
    static final String PROG = "org.bpfmaps.core.prog";
    static final String ARRAY = "org.bpfmaps.map.array";
    static final String FILEINSTALL = "org.apache.felix.fileinstall";
    /** Filter of the MapProvider service, whose SPI class the tests deliberately cannot see. */
    static final String MAP_PROVIDER = "(objectClass=org.bpfmaps.core.spi.MapProvider)";

    /** In start order: the log first, so that its listener sees everything the others log. */
    static final List<String> BUNDLES = List.of(LOG, "org.osgi.util.function", "org.osgi.util.promise",
            "org.osgi.service.component", SCR, CORE, ARRAY);

    private final Map<String, Path> jars;
    private List<String> bundles = BUNDLES;
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final List<String> flushMarkersSeen = new ArrayList<>();
    private Framework framework;
    private Object logService;
    private Method logMethod;
    private int flushCount;

    private OsgiFramework(Map<String, Path> jars) {
        this.jars = jars;
    }

    /**
     * Starts a framework in a fresh storage folder {@code target/felix/<name>}, installs and
     * starts {@link #BUNDLES}, and waits until Bpf, BpfRuntime and the MapProvider are registered.
     */
    static OsgiFramework start(String name) throws Exception {
        return start(name, List.of(), Map.of());
    }

    /**
     * As {@link #start(String)}, with more bundles started after {@link #BUNDLES} (from their jars
     * on the test class path) and more framework properties.
     */
    static OsgiFramework start(String name, List<String> more, Map<String, String> properties) throws Exception {
        return start(name, more, properties, List.of(CORE));
    }

    /**
     * As {@link #start(String, List, Map)}, sharing these packages of core.api's jar from the class
     * path (each at the version the jar exports it) instead of {@code org.bpfmaps.core.api} alone:
     * a test that loads a program by name shares {@link #PROG} too: {@code ProgLoadAttr}'s
     * {@code code} field names {@code ProgramCode}, so the core reading the class path's attr
     * must see the class path's copy of that package, or the JVM's loader constraints fail the
     * core's PROG_LOAD as soon as anything in this JVM has loaded the class path's copy (the
     * bundles contributing code then import it from the system bundle as well).
     */
    static OsgiFramework start(String name, List<String> more, Map<String, String> properties, List<String> shared)
            throws Exception {
        OsgiFramework o = new OsgiFramework(bundleJarsOnClassPath());
        o.bundles = new ArrayList<>(BUNDLES);
        o.bundles.addAll(more);
        Map<String, Object> config = new HashMap<>(properties);
        config.put(Constants.FRAMEWORK_STORAGE, targetDir().resolve("felix").resolve(name).toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        List<String> extra = new ArrayList<>();
        for (String pkg : shared) {
            extra.add(pkg + ";version=" + o.exportedVersion(pkg));
        }
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, String.join(",", extra));
        // No JVM-wide URL handler factory: several frameworks run one after another in this JVM.
        config.put("felix.service.urlhandlers", "false");
        config.put("felix.log.logger", o.new FrameworkLog());
        config.put("felix.log.level", "2");
        @SuppressWarnings({"unchecked", "rawtypes"})
        Framework fw = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi FrameworkFactory on the class path"))
                .newFramework((Map) config);
        o.framework = fw;
        fw.init();
        fw.getBundleContext().addFrameworkListener(o::frameworkEvent);
        fw.start();
        try {
            o.installAndStart();
            o.awaitService("(objectClass=" + Bpf.class.getName() + ")");
            o.awaitService("(objectClass=" + BpfRuntime.class.getName() + ")");
            o.awaitService(MAP_PROVIDER);
        } catch (Exception | Error e) {
            try {
                o.close();
            } catch (Exception | Error suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return o;
    }

    private void installAndStart() throws BundleException {
        BundleContext ctx = context();
        List<Bundle> installed = new ArrayList<>();
        for (String bsn : bundles) {
            installed.add(ctx.installBundle(location(bsn)));
        }
        // The log bundle first, and the listener on it before the others start, so that nothing
        // SCR or the bundles log during their start is missed.
        installed.get(0).start();
        attachLogReader(installed.get(0));
        for (Bundle b : installed.subList(1, installed.size())) {
            b.start();
        }
    }

    BundleContext context() {
        return framework.getBundleContext();
    }

    /** The installed bundle with this symbolic name, or null. */
    Bundle bundle(String bsn) {
        for (Bundle b : context().getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    /**
     * FileInstall's settings for a deploy folder, as the distribution's launcher sets them: polled
     * every 250 ms, messages to java.util.logging rather than standard output.
     */
    static Map<String, String> fileInstall(Path deploy) {
        return Map.of("felix.fileinstall.dir", deploy.toAbsolutePath().toString(), "felix.fileinstall.poll", "250",
                "felix.fileinstall.noInitialDelay", "true", "felix.fileinstall.filter", ".*\\.jar",
                "felix.fileinstall.log.default", "jul", "felix.fileinstall.log.level", "2");
    }

    /** The jar on the test class path with this Bundle-SymbolicName. */
    Path jar(String bsn) {
        Path jar = jars.get(bsn);
        if (jar == null) {
            throw new IllegalStateException("no jar with Bundle-SymbolicName " + bsn + " on the test class path");
        }
        return jar;
    }

    /** Installs a bundle again from its jar on the class path (after an uninstall). */
    Bundle install(String bsn) throws BundleException {
        return context().installBundle(location(bsn));
    }

    private String location(String bsn) {
        Path jar = jars.get(bsn);
        if (jar == null) {
            throw new IllegalStateException("no jar with Bundle-SymbolicName " + bsn + " on the test class path "
                    + "(a reactor module is on it as target/classes before `package`: run `mvn verify`)");
        }
        return jar.toUri().toString();
    }

    /** The framework's Bpf service (the default instance), as registered by core.api. */
    Bpf bpf() {
        return service(Bpf.class);
    }

    /** The framework's BpfRuntime service. */
    BpfRuntime runtime() {
        return service(BpfRuntime.class);
    }

    <T> T service(Class<T> type) {
        ServiceReference<?> ref = awaitService("(objectClass=" + type.getName() + ")");
        return type.cast(context().getService(ref));
    }

    /**
     * Waits until a service matching the filter is registered, and returns its reference (without
     * getting the service, so a delayed component is not activated by looking).
     */
    ServiceReference<?> awaitService(String filter) {
        ServiceTracker<Object, ServiceReference<?>> t;
        try {
            t = new ServiceTracker<>(context(), context().createFilter(filter), null) {
                @Override
                public ServiceReference<?> addingService(ServiceReference<Object> ref) {
                    return ref;
                }
            };
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
        t.open(true);
        try {
            ServiceReference<?> ref = t.waitForService(TIMEOUT_MS);
            if (ref == null) {
                throw new AssertionError("no service " + filter + " within " + TIMEOUT_MS + " ms");
            }
            return ref;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + filter, e);
        } finally {
            t.close();
        }
    }

    /**
     * Waits until the core serves (or no longer serves) a map type. A provider's service event
     * reaches a test's tracker and the core's DS reference in no set order, so a test that is
     * about to create a map waits on the core's own view.
     */
    void awaitMapType(org.bpfmaps.core.api.MapType type, boolean served) {
        BpfRuntime runtime = runtime();
        await(() -> runtime.mapTypes().contains(type) == served,
                "map type " + type + (served ? " served" : " no longer served"));
    }

    /**
     * Polls until the condition holds, failing after {@link #TIMEOUT_MS}: for state that raises
     * no event a test could wait on (the core's listings, a thread's progress).
     */
    static void await(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + TIMEOUT_MS + " ms: " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    /**
     * Asks for collections until the reference is enqueued (true) or {@link #TIMEOUT_MS} passes:
     * whether an uninstalled and refreshed bundle's class loader can be collected.
     */
    static boolean awaitCollected(java.lang.ref.ReferenceQueue<?> queue) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            System.gc();
            if (queue.remove(100) != null) {
                return true;
            }
        }
        return false;
    }

    /** Waits until no service matches the filter. */
    void awaitNoService(String filter) {
        // Ids of matching services still registered, and of those seen going (ids are never
        // reused), so that an UNREGISTERING event that races the snapshot below is not undone by it.
        Set<Object> live = new HashSet<>();
        Set<Object> gone = new HashSet<>();
        Object lock = new Object();
        ServiceListener l = e -> {
            Object id = e.getServiceReference().getProperty(Constants.SERVICE_ID);
            synchronized (lock) {
                if (e.getType() == ServiceEvent.UNREGISTERING) {
                    gone.add(id);
                    live.remove(id);
                } else if (e.getType() == ServiceEvent.MODIFIED_ENDMATCH) {
                    live.remove(id);
                } else {
                    live.add(id);
                }
                lock.notifyAll();
            }
        };
        try {
            context().addServiceListener(l, filter);
            ServiceReference<?>[] refs = context().getAllServiceReferences(null, filter);
            synchronized (lock) {
                for (ServiceReference<?> r : refs == null ? new ServiceReference<?>[0] : refs) {
                    Object id = r.getProperty(Constants.SERVICE_ID);
                    if (!gone.contains(id)) {
                        live.add(id);
                    }
                }
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
                while (!live.isEmpty()) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        throw new AssertionError("services " + filter + " still registered after " + TIMEOUT_MS
                                + " ms");
                    }
                    lock.wait(left);
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + filter + " to go", e);
        } finally {
            context().removeServiceListener(l);
        }
    }

    /**
     * Refreshes the framework (dropping what uninstalled bundles left) and waits for the
     * PACKAGES_REFRESHED event; framework events are delivered in order, so every earlier
     * FrameworkEvent has reached {@link #frameworkEvent} by then.
     */
    void refresh() {
        CountDownLatch done = new CountDownLatch(1);
        framework.adapt(FrameworkWiring.class).refreshBundles(null, e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                done.countDown();
            } else {
                frameworkEvent(e);
            }
        });
        await(done, "PACKAGES_REFRESHED");
    }

    /** The warnings, errors and throwables logged so far, once pending log deliveries have arrived. */
    List<String> problems() {
        refresh();
        flushLogReader();
        return List.copyOf(problems);
    }

    /** Fails, listing each with its stack trace, if anything was logged as a problem so far. */
    void assertNoProblems() {
        List<String> p = problems();
        if (!p.isEmpty()) {
            throw new AssertionError(p.size() + " problem(s) in the framework log:\n" + String.join("\n", p));
        }
    }

    /** Stops the framework; fails if it does not stop in time or logged a problem while stopping. */
    @Override
    public void close() throws Exception {
        int before = problems.size();
        framework.stop();
        FrameworkEvent e = framework.waitForStop(TIMEOUT_MS);
        if (e.getType() != FrameworkEvent.STOPPED) {
            throw new AssertionError("the framework did not stop cleanly: event type " + e.getType(), e.getThrowable());
        }
        if (problems.size() > before) {
            throw new AssertionError("problems while stopping the framework:\n"
                    + String.join("\n", problems.subList(before, problems.size())));
        }
    }

    // ---- collecting problems -------------------------------------------------------------------

    private void problem(String source, String level, Bundle bundle, String message, Throwable t) {
        StringBuilder sb = new StringBuilder("[").append(source).append(' ').append(level).append("] ");
        if (bundle != null) {
            sb.append(bundle.getSymbolicName()).append(": ");
        }
        sb.append(message);
        if (t != null) {
            StringWriter w = new StringWriter();
            t.printStackTrace(new PrintWriter(w));
            sb.append('\n').append(w);
        }
        problems.add(sb.toString());
    }

    /** FrameworkEvent.ERROR and WARNING, as delivered to framework listeners. */
    private void frameworkEvent(FrameworkEvent e) {
        if (e.getType() == FrameworkEvent.ERROR || e.getType() == FrameworkEvent.WARNING) {
            problem("framework event", e.getType() == FrameworkEvent.ERROR ? "ERROR" : "WARNING", e.getBundle(),
                    String.valueOf(e.getThrowable()), e.getThrowable());
        }
    }

    /**
     * Felix's own log ({@code felix.log.logger}), which would otherwise print to stdout. Felix
     * calls it only up to {@code felix.log.level} 2: ERROR (1) and WARNING (2).
     */
    private final class FrameworkLog extends Logger {
        @Override
        protected void doLog(Bundle bundle, ServiceReference sr, int level, String msg, Throwable t) {
            problem("felix", level == LOG_ERROR ? "ERROR" : "WARNING", bundle, msg, t);
        }
    }

    /**
     * Adds a LogListener to the log bundle's LogReaderService. The log API package lives only in
     * that bundle, so the listener is a proxy of the bundle's own LogListener interface and entries
     * are read reflectively.
     */
    private void attachLogReader(Bundle logBundle) {
        try {
            BundleContext ctx = context();
            ServiceReference<?> readerRef = awaitService("(objectClass=org.osgi.service.log.LogReaderService)");
            ServiceReference<?> logRef = awaitService("(objectClass=org.osgi.service.log.LogService)");
            Object reader = ctx.getService(readerRef);
            logService = ctx.getService(logRef);
            Class<?> listenerType = logBundle.loadClass("org.osgi.service.log.LogListener");
            logMethod = logService.getClass().getMethod("log", int.class, String.class);
            logMethod.setAccessible(true);
            InvocationHandler h = (proxy, m, args) -> switch (m.getName()) {
                case "logged" -> {
                    logged(args[0]);
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                case "toString" -> "itest log listener";
                default -> null;
            };
            Object listener = Proxy.newProxyInstance(listenerType.getClassLoader(), new Class<?>[] {listenerType}, h);
            Method add = reader.getClass().getMethod("addLogListener", listenerType);
            add.setAccessible(true);
            add.invoke(reader, listener);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot listen to the log bundle's LogReaderService", e);
        }
    }

    private static final String FLUSH = "itest log flush marker ";

    private void logged(Object entry) throws ReflectiveOperationException {
        String message = String.valueOf(call(entry, "getMessage"));
        if (message.startsWith(FLUSH)) {
            synchronized (flushMarkersSeen) {
                flushMarkersSeen.add(message);
                flushMarkersSeen.notifyAll();
            }
            return;
        }
        String level = String.valueOf(call(entry, "getLogLevel"));
        Throwable t = (Throwable) call(entry, "getException");
        if (level.equals("ERROR") || level.equals("WARN") || t != null) {
            problem("log service", level, (Bundle) call(entry, "getBundle"), message, t);
        }
    }

    private static Object call(Object target, String method) throws ReflectiveOperationException {
        Method m = target.getClass().getMethod(method);
        m.setAccessible(true);
        return m.invoke(target);
    }

    /**
     * Log listeners are called asynchronously, in order: logging a marker and waiting for it
     * guarantees that everything logged before has been seen.
     */
    private void flushLogReader() {
        if (logService == null || bundle(LOG) == null || bundle(LOG).getState() != Bundle.ACTIVE) {
            return;
        }
        String marker = FLUSH + (++flushCount);
        try {
            logMethod.invoke(logService, 2 /* LOG_WARNING: passes the default WARN threshold */, marker);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot log through the log bundle's LogService", e);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        synchronized (flushMarkersSeen) {
            while (!flushMarkersSeen.contains(marker)) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("the log listener did not receive " + marker + " within " + TIMEOUT_MS
                            + " ms");
                }
                try {
                    flushMarkersSeen.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }

    private static void await(CountDownLatch latch, String what) {
        try {
            if (!latch.await(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("no " + what + " within " + TIMEOUT_MS + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ---- finding the bundles -------------------------------------------------------------------

    /**
     * The version core.api's jar exports a package at (the API package, ...), so that the system
     * bundle offers the class path's copy at exactly that version and every bundle wires to it.
     */
    private String exportedVersion(String pkg) throws IOException {
        Path core = jars.get(CORE);
        if (core == null) {
            throw new IllegalStateException("core.api is not on the test class path");
        }
        try (JarFile jar = new JarFile(core.toFile())) {
            String exports = jar.getManifest().getMainAttributes().getValue(Constants.EXPORT_PACKAGE);
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile(java.util.regex.Pattern.quote(pkg) + ";version=\"?([0-9.]+)").matcher(exports);
            if (!m.find()) {
                throw new IllegalStateException("core.api exports no versioned " + pkg + ": " + exports);
            }
            return m.group(1);
        }
    }

    /** Jars on the test class path by Bundle-SymbolicName (Maven puts every dependency there). */
    private static Map<String, Path> bundleJarsOnClassPath() throws IOException {
        Map<String, Path> out = new HashMap<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (!entry.endsWith(".jar") || !Files.isRegularFile(p)) {
                continue;
            }
            try (JarFile jar = new JarFile(p.toFile())) {
                if (jar.getManifest() == null) {
                    continue;
                }
                String bsn = jar.getManifest().getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
                if (bsn != null) {
                    out.putIfAbsent(bsn.split(";")[0].trim(), p);
                }
            }
        }
        return out;
    }

    /** This module's target folder (the parent of target/test-classes). */
    static Path targetDir() {
        try {
            return Path.of(OsgiFramework.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
