package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The examples bundle as the README has a user try it: dropped into the deploy folder of
 * bpfmaps.jar, its Gogo commands run through the shell, one command a line in one process. Gogo
 * gets and ungets the command's service around each call, so this is the path on which the
 * component's maps must outlive a call (itest's ExampleAppTest holds the service throughout).
 */
class DeployedExampleIT {
    static Path examplesJar() {
        return JarRun.builtFile("bpfmaps.examples.jar", "built by the reactor");
    }

    @Test
    void countersShowWhatSimulateCountedInTheSameInstance() throws Exception {
        // one worker per possible CPU at most (the child JVM sees the processors this one sees)
        int threads = Math.min(2, Runtime.getRuntime().availableProcessors());
        int packets = 1000;
        JarRun r = JarRun.run(Map.of(), "", null, List.of(examplesJar()), "-c", """
                example:simulate %d %d
                example:counters
                map show
                providers
                """.formatted(threads, packets));
        assertAll(r::toString,
                () -> assertEquals(0, r.exitCode(), "every line succeeded"),
                () -> assertEquals("", r.err(), "no error, and none from the component's activation at start"),
                () -> assertTrue(r.out().startsWith(threads * packets + " packets counted\n" + expected(threads, packets)),
                        "example:counters prints what example:simulate counted, in the same maps"),
                () -> assertTrue(Pattern.compile("(?m)^\\d+: array  name port_packets  flags 0x400$").matcher(r.out()).find(),
                        "map show lists the ARRAY"),
                () -> assertTrue(Pattern.compile("(?m)^\\d+: percpu_array  name port_bytes  flags 0x0$").matcher(r.out()).find(),
                        "map show lists the PERCPU_ARRAY"),
                () -> assertTrue(r.out().contains("\ttypes array percpu_array  maps 2  detached 0\n"),
                        "providers counts the example's two maps"));
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
        StringBuilder sb = new StringBuilder();
        for (int p = 0; p < 16; p++) {
            sb.append("port ").append(p).append(": ").append(n[p]).append(" packets, ").append(bytes[p])
                    .append(" bytes\n");
        }
        return sb.toString();
    }
}
