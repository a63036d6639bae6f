package org.bpfmaps.map.array;

import static org.bpfmaps.testsupport.Allocation.assertNoAllocation;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
        int fd = f.create(MapType.ARRAY, 8, 16, 0);
        MapElemAttr a = new MapElemAttr();
        ByteBuffer key = ArrayFixture.u32(0);
        ByteBuffer value = ByteBuffer.allocateDirect(8);
        assertNoAllocation("ARRAY lookup/update", () -> {
            for (int i = 0; i < 200_000; i++) {
                key.putInt(0, i & 31);
                int r = f.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a.set(fd, key, value, 0));
                assertEquals((i & 31) < 16 ? 0 : Errno.ENOENT.ret(), r);
                f.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a.set(fd, key, value, 0));
            }
        });
    }
}
