package org.bpfmaps.core.spi;

import org.bpfmaps.core.api.BpfRuntime;

/**
 * A runtime outside an OSGi framework (tests, tools, embedding in a plain JVM), where providers are
 * added and removed by hand instead of coming and going as services. Removing a provider detaches
 * its maps exactly as a stopped bundle does.
 */
public interface ProviderHost extends BpfRuntime {
    /** Adds a provider with a service ranking and a bundle version, which rank it among others. */
    void addProvider(MapProvider provider, int ranking, String version);

    default void addProvider(MapProvider provider) {
        addProvider(provider, 0, "0.0.0");
    }

    /** Removes a provider; its maps in every instance become detached (ENODEV). */
    void removeProvider(MapProvider provider);

    /** A runtime with no provider yet, its default instance made with the default settings. */
    static ProviderHost standalone() {
        return new org.bpfmaps.core.impl.StandaloneRuntime();
    }

    /**
     * A runtime with every provider that {@link java.util.ServiceLoader} finds on the class path
     * (each provider jar lists its class in {@code META-INF/services/org.bpfmaps.core.spi.MapProvider}):
     * the way to use the project without an OSGi framework.
     */
    static ProviderHost fromClassPath() {
        ProviderHost host = standalone();
        for (MapProvider p : java.util.ServiceLoader.load(MapProvider.class, MapProvider.class.getClassLoader())) {
            host.addProvider(p);
        }
        return host;
    }
}
