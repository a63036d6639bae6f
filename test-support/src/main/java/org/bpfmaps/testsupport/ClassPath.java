package org.bpfmaps.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ServiceLoader;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.MapProvider;
import org.bpfmaps.core.spi.MapTypeTraits;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;

/**
 * The plain-classpath check: without an OSGi framework a provider is found through
 * {@link ServiceLoader} (its jar's {@code META-INF/services/org.bpfmaps.core.spi.MapProvider}).
 */
public final class ClassPath {
    private ClassPath() {
    }

    /**
     * The runtime built from the class path, after asserting that ServiceLoader finds a provider of
     * {@code provider}'s class, that the runtime serves every type that provider declares, and each
     * of {@code besides} (another family's types, present as in a distribution).
     */
    public static ProviderHost runtimeServing(MapProvider provider, MapType... besides) {
        Class<?> cls = provider.getClass();
        assertTrue(ServiceLoader.load(MapProvider.class, MapProvider.class.getClassLoader()).stream()
                .anyMatch(p -> p.type() == cls), () -> "ServiceLoader does not list " + cls.getName());
        ProviderHost runtime = Standalone.fromClassPath();
        for (MapTypeTraits t : provider.types()) {
            assertTrue(runtime.mapTypes().contains(t.type()), () -> t.type() + " is served");
        }
        for (MapType t : besides) {
            assertTrue(runtime.mapTypes().contains(t), () -> t + " is served");
        }
        return runtime;
    }
}
