package org.bpfmaps.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.bpfmaps.core.api.BpfRuntime;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code org.bpfmaps.core.standalone.Standalone} called by code inside a framework: it still makes
 * a runtime, a separate one that shares no provider with the framework's BpfRuntime service, and
 * says so with a warning that names the caller (System.Logger, here java.util.logging).
 */
class StandaloneInFrameworkTest {
    private static OsgiFramework osgi;

    @BeforeAll
    static void start() throws Exception {
        osgi = OsgiFramework.start(StandaloneInFrameworkTest.class.getSimpleName());
    }

    @AfterAll
    static void stop() throws Exception {
        if (osgi != null) {
            osgi.close();
        }
    }

    @Test
    void aStandaloneRuntimeMadeInsideAFrameworkIsSeparateAndSaysSo() throws Exception {
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
        Object host;
        try {
            // the class as the framework loaded it, from the core.api bundle (its package is not
            // shared from the test class path)
            Class<?> standalone = osgi.bundle(OsgiFramework.CORE).loadClass("org.bpfmaps.core.standalone.Standalone");
            host = standalone.getMethod("create").invoke(null);
        } finally {
            log.removeHandler(h);
        }
        assertEquals(1, records.size(), () -> "records: " + records);
        LogRecord r = records.get(0);
        assertEquals(Level.WARNING, r.getLevel());
        assertTrue(r.getMessage().startsWith("Standalone.create() called by " + getClass().getName()
                + " inside an OSGi framework: this makes a separate registry"), r.getMessage());

        // BpfRuntime comes from the test class path through the system bundle: the same interface
        BpfRuntime separate = (BpfRuntime) host;
        assertTrue(osgi.runtime().mapTypes().contains(MapType.ARRAY), "the framework's runtime serves ARRAY");
        assertEquals(Set.of(), separate.mapTypes(), "the standalone one has none of the framework's providers");
        osgi.assertNoProblems();
    }
}
