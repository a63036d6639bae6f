package org.bpfmaps.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bpfmaps.core.api.Bpf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * The examples bundle in a framework with only core.api and map.array: its DS component counts
 * packets from several threads into an ARRAY and a PERCPU_ARRAY, and its Gogo command prints
 * exactly the counts the traffic implies.
 */
class ExampleAppTest {
    private static final String EXAMPLES = "org.bpfmaps.examples";
    private static OsgiFramework osgi;

    @BeforeAll
    static void start() throws Exception {
        osgi = OsgiFramework.start(ExampleAppTest.class.getSimpleName());
        Bundle b = osgi.install(EXAMPLES);
        b.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (osgi != null) {
            osgi.close();
        }
    }

    @Test
    void countsFromSeveralThreadsAreExact() throws Exception {
        ServiceReference<?> ref = osgi.awaitService("(osgi.command.scope=example)");
        Object counters = osgi.context().getService(ref);
        int threads = 2;
        int packets = 5000;
        // the service's class is the bundle's own, so the test calls the Gogo functions reflectively
        Object summary = counters.getClass().getMethod("simulate", int.class, int.class)
                .invoke(counters, threads, packets);
        assertEquals(threads * packets + " packets counted", summary);
        String printed = (String) counters.getClass().getMethod("counters").invoke(counters);
        assertEquals(expected(threads, packets), printed);
        osgi.assertNoProblems();
    }

    /**
     * The component is immediate: its maps exist while its bundle is active, whether or not anyone
     * holds its service (Gogo holds it only during a command), and end when the bundle stops.
     */
    @Test
    void theMapsLiveAsLongAsTheBundleIsActive() throws Exception {
        Bundle b = osgi.bundle(EXAMPLES);
        Bpf bpf = osgi.bpf();
        Set<String> ours = Set.of("port_bytes", "port_packets");
        assertEquals(ours, Calls.mapNames(bpf), "made at activation, before any command");
        b.stop();
        assertEquals(Set.of(), Calls.mapNames(bpf), "deactivate closed both maps");
        b.start();
        assertEquals(ours, Calls.mapNames(bpf), "a fresh pair with the next activation");
        osgi.assertNoProblems();
    }

    /** What simulate(threads, packets) must leave: packet i goes to port i % 16 with 64 + i % 100 bytes. */
    private static String expected(int threads, int packets) {
        long[] n = new long[16];
        long[] bytes = new long[16];
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < packets; i++) {
                n[i % 16]++;
                bytes[i % 16] += 64 + i % 100;
            }
        }
        List<String> lines = new ArrayList<>();
        for (int p = 0; p < 16; p++) {
            lines.add("port " + p + ": " + n[p] + " packets, " + bytes[p] + " bytes\n");
        }
        return String.join("", lines);
    }
}
