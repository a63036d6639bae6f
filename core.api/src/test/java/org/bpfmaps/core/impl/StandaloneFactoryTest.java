package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.junit.jupiter.api.Test;

/**
 * {@link Standalone}, the runtime for use outside OSGi: each call a registry of its own, and
 * nothing logged when no framework loaded the core (the in-framework warning is itest's
 * StandaloneInFrameworkTest).
 */
class StandaloneFactoryTest {
    @Test
    void eachCallMakesASeparateRegistry() {
        ProviderHost a = Standalone.create();
        ProviderHost b = Standalone.create();
        a.addProvider(new TinyArrayProvider());
        assertEquals(Set.of(MapType.ARRAY), a.mapTypes());
        assertEquals(Set.of(), b.mapTypes());
        assertTrue(a.defaultInstance().bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 4)) >= 3);
        MapCreateAttr none = new MapCreateAttr(MapType.ARRAY, 4, 8, 4);
        assertEquals(-Errno.EINVAL.code(), b.defaultInstance().bpf(BpfCmd.MAP_CREATE, none), "b has no provider");
        assertEquals(List.of(), b.providers());
    }

    @Test
    void fromClassPathAddsWhatServiceLoaderFindsHereNothing() {
        // core.api's tests have no provider jar on the class path; the map modules' ClassPathTest
        // checks that each provider is found.
        assertEquals(Set.of(), Standalone.fromClassPath().mapTypes());
    }

    @Test
    @SuppressWarnings("deprecation")
    void theDeprecatedNamesMakeTheSameRuntime() {
        ProviderHost old = ProviderHost.standalone();
        assertTrue(old instanceof StandaloneRuntime, old.getClass().getName());
        assertEquals(Set.of(), old.mapTypes());
        assertTrue(ProviderHost.fromClassPath() instanceof StandaloneRuntime);
    }

    @Test
    void outsideAFrameworkNothingIsLogged() {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger("org.bpfmaps.core.standalone");
        log.addHandler(h);
        try {
            Standalone.create();
            Standalone.fromClassPath();
        } finally {
            log.removeHandler(h);
        }
        assertEquals(List.of(), records);
    }
}
