package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ProviderInfo;
import org.junit.jupiter.api.Test;

/**
 * {@code BpfRuntime.providers()}: what the shell's {@code providers} command lists. Maps are
 * counted in every open instance; a map whose provider went away counts as detached for a later
 * registration of the same origin (a bundle updated or restarted), and for no one before that.
 */
class ProvidersInfoTest {
    private static final String ORIGIN = TinyArrayProvider.class.getName();
    private static final BpfSettings SETTINGS = BpfSettings.defaults().withMemoryBudget(1 << 20);

    private static int array(BpfInstance bpf) {
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 4));
        assertTrue(fd >= 3, "create failed: " + fd);
        return fd;
    }

    @Test
    void liveMapsAreCountedInEveryOpenInstance() {
        StandaloneRuntime runtime = new StandaloneRuntime();
        runtime.addProvider(new TinyArrayProvider(), 0, "1.2.3");
        try (BpfInstance a = runtime.newInstance(SETTINGS); BpfInstance b = runtime.newInstance(SETTINGS)) {
            array(a);
            array(a);
            array(b);
            assertEquals(List.of(new ProviderInfo(ORIGIN, "1.2.3", Set.of(MapType.ARRAY), 3, 0)),
                    runtime.providers());
        }
        assertEquals(0, runtime.providers().get(0).liveMaps(), "closed instances free their maps");
    }

    @Test
    void detachedMapsBelongToTheNextRegistrationOfTheirOriginUntilItTakesThemBack() {
        StandaloneRuntime runtime = new StandaloneRuntime();
        TinyArrayProvider first = new TinyArrayProvider();
        runtime.addProvider(first, 0, "1.0.0");
        try (BpfInstance a = runtime.newInstance(SETTINGS)) {
            int fd = array(a);
            array(a);
            runtime.removeProvider(first);
            assertEquals(List.of(), runtime.providers(), "an uninstalled provider is not listed");
            assertEquals(2, runtime.detachedMaps().size());

            TinyArrayProvider refusing = new TinyArrayProvider();
            refusing.refuseWith = "no";
            runtime.addProvider(refusing, 0, "1.1.0");
            assertEquals(List.of(new ProviderInfo(ORIGIN, "1.1.0", Set.of(MapType.ARRAY), 0, 2)),
                    runtime.providers());
            array(a);
            assertEquals(0, a.close(fd));
            ProviderInfo now = runtime.providers().get(0);
            assertEquals(1, now.liveMaps());
            assertEquals(1, now.detachedMaps(), "a freed detached map is no longer counted");

            runtime.removeProvider(refusing);
            runtime.addProvider(new TinyArrayProvider(), 0, "1.2.0");
            assertEquals(List.of(new ProviderInfo(ORIGIN, "1.2.0", Set.of(MapType.ARRAY), 2, 0)),
                    runtime.providers(), "both maps taken back");
        }
    }

    @Test
    void theDefaultInstanceCountsToo() {
        StandaloneRuntime runtime = new StandaloneRuntime();
        runtime.addProvider(new TinyArrayProvider());
        array((BpfInstance) runtime.defaultInstance());
        assertEquals(1, runtime.providers().get(0).liveMaps());
    }
}
