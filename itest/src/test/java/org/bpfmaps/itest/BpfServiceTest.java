package org.bpfmaps.itest;

import static org.bpfmaps.itest.Calls.createArray;
import static org.bpfmaps.itest.Calls.info;
import static org.bpfmaps.itest.Calls.lookup;
import static org.bpfmaps.itest.Calls.update;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Bpf service from the framework's registry, used the way a C program uses bpf(2). */
class BpfServiceTest {
    private static OsgiFramework osgi;

    @BeforeAll
    static void start() throws Exception {
        osgi = OsgiFramework.start(BpfServiceTest.class.getSimpleName());
    }

    @AfterAll
    static void stop() throws Exception {
        if (osgi != null) {
            osgi.close();
        }
    }

    @Test
    void arrayMapRoundTrip() {
        Bpf bpf = osgi.bpf();
        int fd = createArray(bpf, "itest");

        assertEquals(0, update(bpf, fd, 3, 0x1122334455667788L));
        assertEquals(0x1122334455667788L, lookup(bpf, fd, 3));
        // An array is preallocated and zeroed: an entry never written reads as 0.
        assertEquals(0L, lookup(bpf, fd, 2));

        MapInfo info = info(bpf, fd);
        assertEquals(MapType.ARRAY, info.mapType());
        assertEquals("itest", info.name());
        assertEquals(4, info.keySize());
        assertEquals(8, info.valueSize());
        assertEquals(16, info.maxEntries());

        assertEquals(0, bpf.close(fd));
        osgi.assertNoProblems();
    }
}
