package org.bpfmaps.core.spi;

import org.bpfmaps.core.api.BpfRuntime;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A runtime outside an OSGi framework (tests, tools, embedding in a plain JVM), where providers are
 * added and removed by hand instead of coming and going as services. Removing a provider detaches
 * its maps exactly as a stopped bundle does. Made by {@link org.bpfmaps.core.standalone.Standalone};
 * implemented only by the core.
 */
@ProviderType
public interface ProviderHost extends BpfRuntime {
    /** Adds a provider with a service ranking and a bundle version, which rank it among others. */
    void addProvider(MapProvider provider, int ranking, String version);

    default void addProvider(MapProvider provider) {
        addProvider(provider, 0, "0.0.0");
    }

    /** Removes a provider; its maps in every instance become detached (ENODEV). */
    void removeProvider(MapProvider provider);

    /**
     * Adds program code under its name, as a bundle's {@link org.bpfmaps.core.prog.ProgramProvider}
     * service does: PROG_LOAD by that name loads it, and programs of that name that lost their
     * code run it again.
     *
     * @since 2.4
     */
    void addProgram(org.bpfmaps.core.prog.ProgramProvider program);

    /**
     * Removes program code: the programs running it keep their fds, ids and pins and run as no
     * program until code of the same name comes back.
     *
     * @since 2.4
     */
    void removeProgram(org.bpfmaps.core.prog.ProgramProvider program);

    /**
     * A runtime with no provider yet.
     *
     * @deprecated use {@link org.bpfmaps.core.standalone.Standalone#create()}, whose name says that it
     *     is for use outside an OSGi framework
     */
    @Deprecated(since = "2.0.0")
    static ProviderHost standalone() {
        return org.bpfmaps.core.standalone.Standalone.create();
    }

    /**
     * A runtime with every provider that {@link java.util.ServiceLoader} finds on the class path.
     *
     * @deprecated use {@link org.bpfmaps.core.standalone.Standalone#fromClassPath()}
     */
    @Deprecated(since = "2.0.0")
    static ProviderHost fromClassPath() {
        return org.bpfmaps.core.standalone.Standalone.fromClassPath();
    }
}
