package org.bpfmaps.map.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.junit.jupiter.api.Test;

/** Without a framework, the keyless maps are found through java.util.ServiceLoader. */
class ClassPathTest {
    @Test
    void serviceLoaderFindsTheQueueProvider() {
        ProviderHost runtime = Standalone.fromClassPath();
        assertTrue(runtime.mapTypes().contains(MapType.QUEUE));
        assertTrue(runtime.mapTypes().contains(MapType.STACK));
        assertTrue(runtime.mapTypes().contains(MapType.BLOOM_FILTER));
        try (BpfInstance bpf = runtime.newInstance(BpfSettings.defaults())) {
            int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.QUEUE, 0, 8, 2));
            assertTrue(fd >= 3);
            assertEquals(0, bpf.bpf(BpfCmd.MAP_UPDATE_ELEM,
                    new MapElemAttr().set(fd, null, QueueFixture.u64(5), BpfFlags.ANY)));
        }
    }
}
