package org.bpfmaps.map.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A lookup into the caller's buffer, hit or miss, and an update allocate nothing: measured with
 * the JVM's per-thread allocation counter after the code is compiled.
 */
class AllocationTest {
    private final ArrayFixture f = new ArrayFixture(2);

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void lookupsAndUpdatesDoNotAllocate() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int fd = f.create(MapType.ARRAY, 8, 16, 0);
        MapElemAttr a = new MapElemAttr();
        ByteBuffer key = ArrayFixture.u32(0);
        ByteBuffer value = ByteBuffer.allocateDirect(8);
        for (int round = 0; round < 3; round++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 200_000; i++) {
                key.putInt(0, i & 31);
                int r = f.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a.set(fd, key, value, 0));
                assertEquals((i & 31) < 16 ? 0 : Errno.ENOENT.ret(), r);
                f.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a.set(fd, key, value, 0));
            }
            long bytes = mx.getCurrentThreadAllocatedBytes() - before;
            if (round == 2) {
                // the counter itself and JUnit's assertions may allocate a few objects
                assertTrue(bytes < 4096, "400k operations allocated " + bytes + " bytes");
            }
        }
    }
}
