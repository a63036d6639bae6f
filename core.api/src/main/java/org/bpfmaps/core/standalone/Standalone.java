package org.bpfmaps.core.standalone;

import java.lang.System.Logger.Level;
import java.util.ServiceLoader;
import org.bpfmaps.core.impl.StandaloneRuntime;
import org.bpfmaps.core.prog.ProgramProvider;
import org.bpfmaps.core.spi.MapProvider;
import org.bpfmaps.core.spi.ProviderHost;

/**
 * Runtimes for use outside an OSGi framework (tests, tools, embedding in a plain JVM): a provider
 * registry and instances with no framework around them, where providers are added and removed by
 * hand instead of coming and going as services.
 *
 * <p>Each call makes a new, separate registry. Inside an OSGi framework that is rarely what is
 * meant: the framework already has one runtime, registered as the {@code BpfRuntime} and
 * {@code Bpf} services, and a standalone one shares neither its providers, nor its maps, nor its
 * ids. It still works there (a test may want an isolated registry), but when core.api itself was
 * loaded by a framework, each call is logged as a warning ({@link System.Logger}
 * {@code org.bpfmaps.core.standalone}) naming the calling class and its bundle, so that a second
 * registry made by mistake is seen.
 */
public final class Standalone {
    static final String LOGGER = "org.bpfmaps.core.standalone";

    private Standalone() {
    }

    /** A runtime with no provider yet, its default instance made with the default settings. */
    public static ProviderHost create() {
        warnInsideFramework("create()");
        return new StandaloneRuntime();
    }

    /**
     * A runtime with every provider that {@link ServiceLoader} finds on the class path (each
     * provider jar lists its class in {@code META-INF/services/org.bpfmaps.core.spi.MapProvider})
     * and every {@link ProgramProvider} it finds the same way (program code by name):
     * the way to use the project without an OSGi framework.
     */
    public static ProviderHost fromClassPath() {
        warnInsideFramework("fromClassPath()");
        ProviderHost host = new StandaloneRuntime();
        for (MapProvider p : ServiceLoader.load(MapProvider.class, MapProvider.class.getClassLoader())) {
            host.addProvider(p);
        }
        for (ProgramProvider p : ServiceLoader.load(ProgramProvider.class, ProgramProvider.class.getClassLoader())) {
            host.addProgram(p);
        }
        return host;
    }

    private static void warnInsideFramework(String call) {
        if (FrameworkProbe.bundleOf(Standalone.class) == null) {
            return;
        }
        // the first caller outside this class and the deprecated ProviderHost delegates
        Class<?> caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .walk(frames -> frames.map(StackWalker.StackFrame::getDeclaringClass)
                        .filter(c -> c != Standalone.class && c != ProviderHost.class)
                        .findFirst().orElse(Standalone.class));
        String bundle = FrameworkProbe.bundleOf(caller);
        System.getLogger(LOGGER).log(Level.WARNING, "Standalone." + call + " called by " + caller.getName()
                + (bundle != null ? " (bundle " + bundle + ")" : "") + " inside an OSGi framework: this makes "
                + "a separate registry that shares no provider, map or id with the framework's BpfRuntime "
                + "service; take the BpfRuntime or Bpf service instead");
    }
}
