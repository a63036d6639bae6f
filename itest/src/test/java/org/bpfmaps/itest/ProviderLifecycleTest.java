package org.bpfmaps.itest;

import static org.bpfmaps.itest.Calls.createArray;
import static org.bpfmaps.itest.Calls.info;
import static org.bpfmaps.itest.Calls.lookup;
import static org.bpfmaps.itest.Calls.lookupRet;
import static org.bpfmaps.itest.Calls.objGet;
import static org.bpfmaps.itest.Calls.pin;
import static org.bpfmaps.itest.Calls.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.regex.Pattern;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The provider bundle going away while its maps are in use, and coming back. Each test changes
 * the installed bundles, so each gets a framework (and storage folder) of its own.
 */
class ProviderLifecycleTest {
    /** A pin in the instance's virtual bpffs; nothing here touches the host's /sys/fs/bpf. */
    private static final String PIN = "/sys/fs/bpf/itest_pin";
    private static final long VALUE = 0x0102030405060708L;

    private OsgiFramework osgi;
    private Bpf bpf;

    @BeforeEach
    void start(TestInfo test) throws Exception {
        osgi = OsgiFramework.start(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName());
        bpf = osgi.bpf();
    }

    @AfterEach
    void stop() throws Exception {
        if (osgi != null) {
            osgi.close();
        }
    }

    @Test
    void stoppingTheProviderDetachesItsMapsAndStartingItBringsThemBack() throws Exception {
        int fd = createArray(bpf, "itest");
        assertEquals(0, update(bpf, fd, 3, VALUE));
        assertEquals(0, pin(bpf, fd, PIN));

        Bundle array = osgi.bundle(OsgiFramework.ARRAY);
        array.stop();
        osgi.awaitNoService(OsgiFramework.MAP_PROVIDER);

        assertDetached(fd);

        array.start();
        osgi.awaitService(OsgiFramework.MAP_PROVIDER);
        assertServesNewMaps();
        // The detached map came back to the restarted provider with its element, on its old fd
        // and through its pin.
        assertEquals(VALUE, lookup(bpf, fd, 3));
        int again = objGet(bpf, PIN);
        assertEquals(VALUE, lookup(bpf, again, 3));
        assertEquals(0, bpf.close(again));
        assertEquals(0, bpf.close(fd));

        osgi.assertNoProblems();
    }

    @Test
    void uninstallingTheProviderDetachesItsMapsAndReinstallingBringsThemBack() throws Exception {
        int fd = createArray(bpf, "itest");
        assertEquals(0, update(bpf, fd, 3, VALUE));
        assertEquals(0, pin(bpf, fd, PIN));

        Bundle array = osgi.bundle(OsgiFramework.ARRAY);
        array.stop();
        array.uninstall();
        osgi.refresh(); // drops the old revision for good, as a management agent would
        osgi.awaitNoService(OsgiFramework.MAP_PROVIDER);
        assertNull(osgi.bundle(OsgiFramework.ARRAY));

        assertDetached(fd);

        osgi.install(OsgiFramework.ARRAY).start();
        osgi.awaitService(OsgiFramework.MAP_PROVIDER);
        assertServesNewMaps();
        assertEquals(VALUE, lookup(bpf, fd, 3), "a new bundle revision took the map back, element included");
        assertEquals(0, bpf.close(fd));

        osgi.assertNoProblems();
    }

    /**
     * The SPI promise behind detaching: once the provider bundle is uninstalled and refreshed,
     * nothing (its detached maps included) keeps its class loader alive, so a bundle can be
     * replaced any number of times without leaking.
     */
    @Test
    void uninstalledProviderIsNotKeptAliveByItsDetachedMaps() throws Exception {
        int fd = createArray(bpf, "itest");
        assertEquals(0, pin(bpf, fd, PIN)); // the map outlives the provider through its fd and pin

        ReferenceQueue<ClassLoader> collected = new ReferenceQueue<>();
        WeakReference<ClassLoader> loader = new WeakReference<>(
                osgi.bundle(OsgiFramework.ARRAY).adapt(BundleWiring.class).getClassLoader(), collected);
        osgi.bundle(OsgiFramework.ARRAY).stop();
        osgi.bundle(OsgiFramework.ARRAY).uninstall();
        osgi.refresh();

        assertEquals(Errno.ENODEV.ret(), lookupRet(bpf, fd, 3));
        assertTrue(OsgiFramework.awaitCollected(collected), "the uninstalled map.array class loader is still reachable");
        assertNull(loader.get()); // (also keeps the WeakReference itself reachable until here)
        assertEquals(0, bpf.close(fd));
        osgi.assertNoProblems();
    }

    /**
     * What a user sees with no provider for the array types: creating is refused with a reason,
     * the existing map (open fd and pin) answers ENODEV to element commands, and info, OBJ_GET
     * and close keep working.
     */
    private void assertDetached(int fd) {
        assertRefused(MapType.ARRAY);
        assertRefused(MapType.PERCPU_ARRAY);

        assertEquals(Errno.ENODEV.ret(), lookupRet(bpf, fd, 3));
        assertEquals(Errno.ENODEV.ret(), update(bpf, fd, 3, VALUE));
        assertArrayInfo(info(bpf, fd));

        int fromPin = objGet(bpf, PIN);
        assertEquals(Errno.ENODEV.ret(), lookupRet(bpf, fromPin, 3));
        assertArrayInfo(info(bpf, fromPin));

        assertEquals(0, bpf.close(fromPin));
    }

    private void assertRefused(MapType type) {
        MapCreateAttr a = new MapCreateAttr(type, 4, 8, 16).name("refused");
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_CREATE, a));
        String why = a.errorMessage();
        // The type by its bpftool name as a whole word ("array" must not match "percpu_array").
        boolean namesType = Pattern.compile("\\b" + type.bpftoolName() + "\\b").matcher(why).find();
        assertTrue(namesType && why.contains("no installed provider serves it"),
                () -> "MAP_CREATE " + type + " failed with: " + why);
    }

    private static void assertArrayInfo(MapInfo info) {
        assertEquals(MapType.ARRAY, info.mapType());
        assertEquals("itest", info.name());
    }

    private void assertServesNewMaps() {
        int fd = createArray(bpf, "itest_new");
        assertEquals(0, update(bpf, fd, 3, VALUE));
        assertEquals(VALUE, lookup(bpf, fd, 3));
        assertEquals(0, bpf.close(fd));
    }
}
