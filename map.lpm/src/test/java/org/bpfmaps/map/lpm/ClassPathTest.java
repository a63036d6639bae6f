package org.bpfmaps.map.lpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.MapSpec;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.UpdateFlag;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.junit.jupiter.api.Test;

/** Without a framework, LPM_TRIE is found through java.util.ServiceLoader, beside ARRAY. */
class ClassPathTest {
    @Test
    void serviceLoaderFindsTheLpmProvider() {
        ProviderHost runtime = Standalone.fromClassPath();
        assertTrue(runtime.mapTypes().contains(MapType.LPM_TRIE));
        assertTrue(runtime.mapTypes().contains(MapType.ARRAY));
        try (BpfInstance bpf = runtime.newInstance(BpfSettings.defaults());
                BpfMap routes = BpfMap.create(bpf, MapSpec.of(MapType.LPM_TRIE, 8, 8, 1024)
                        .withFlags(BpfFlags.F_NO_PREALLOC).withName("routes"))) {
            routes.update(LpmFixture.key("10.0.0.0", 8), LpmFixture.u64(1), UpdateFlag.NOEXIST);
            routes.update(LpmFixture.key("10.1.0.0", 16), LpmFixture.u64(2), UpdateFlag.NOEXIST);
            ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            assertTrue(routes.lookup(LpmFixture.key("10.1.2.3", 32), v));
            assertEquals(2, v.getLong(0));
            assertTrue(routes.lookup(LpmFixture.key("10.2.2.3", 32), v));
            assertEquals(1, v.getLong(0));
            assertFalse(routes.lookup(LpmFixture.key("11.0.0.1", 32), v));
        }
    }
}
