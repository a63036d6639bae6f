package org.bpfmaps.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfRuntime;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/** The bundles as a user installs them: all resolve, start, and register their services. */
class BundlesActiveTest {
    private static OsgiFramework osgi;

    @BeforeAll
    static void start() throws Exception {
        osgi = OsgiFramework.start(BundlesActiveTest.class.getSimpleName());
    }

    @AfterAll
    static void stop() throws Exception {
        if (osgi != null) {
            osgi.close();
        }
    }

    @Test
    void everyBundleIsActive() {
        List<String> notActive = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        for (Bundle b : osgi.context().getBundles()) {
            names.add(b.getSymbolicName());
            if (b.getState() != Bundle.ACTIVE) {
                notActive.add(b.getSymbolicName() + " is in state " + b.getState());
            }
        }
        assertEquals(List.of(), notActive);
        assertTrue(names.containsAll(OsgiFramework.BUNDLES), () -> "installed: " + names);
        osgi.assertNoProblems();
    }

    @Test
    void mapProviderIsRegisteredForTheArrayTypes() {
        ServiceReference<?> ref = osgi.awaitService(OsgiFramework.MAP_PROVIDER);
        assertEquals(OsgiFramework.ARRAY, ref.getBundle().getSymbolicName());
        Object types = ref.getProperty("bpf.map.types");
        assertTrue(types instanceof String[], () -> "bpf.map.types is " + types);
        assertTrue(List.of((String[]) types).containsAll(List.of("array", "percpu_array")),
                () -> "bpf.map.types = " + List.of((String[]) types));
        // And the core has bound it: the runtime offers the provider's types.
        assertTrue(osgi.runtime().mapTypes().containsAll(Set.of(MapType.ARRAY, MapType.PERCPU_ARRAY)),
                () -> "BpfRuntime.mapTypes() = " + osgi.runtime().mapTypes());
    }

    @Test
    void bpfAndRuntimeAreRegisteredByCore() {
        for (Class<?> type : List.of(Bpf.class, BpfRuntime.class)) {
            ServiceReference<?> ref = osgi.awaitService("(objectClass=" + type.getName() + ")");
            assertEquals(OsgiFramework.CORE, ref.getBundle().getSymbolicName(), type.getName());
        }
        Bpf bpf = osgi.bpf();
        assertNotNull(bpf);
        // The object comes from the core bundle, not from the copy of core.api on the class path...
        assertNotSame(Bpf.class.getClassLoader(), bpf.getClass().getClassLoader());
        // The Bpf service is the runtime's default instance, not a second one.
        assertSame(osgi.runtime().defaultInstance(), bpf);
    }

    /** Both bundles are wired to the API package the system bundle shares from the class path. */
    @Test
    void bundlesUseTheSharedApiPackage() throws ClassNotFoundException {
        Bundle core = osgi.bundle(OsgiFramework.CORE);
        Bundle array = osgi.bundle(OsgiFramework.ARRAY);
        assertSame(Bpf.class, core.loadClass(Bpf.class.getName()));
        assertSame(Bpf.class, array.loadClass(Bpf.class.getName()));
    }
}
