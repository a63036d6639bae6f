package org.bpfmaps.map.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.MapSpec;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.UpdateFlag;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.junit.jupiter.api.Test;

/** Without a framework, the hash family is found through java.util.ServiceLoader, beside ARRAY. */
class ClassPathTest {
    @Test
    void serviceLoaderFindsTheHashProvider() {
        ProviderHost runtime = Standalone.fromClassPath();
        for (MapType t : new MapType[] {MapType.HASH, MapType.PERCPU_HASH, MapType.LRU_HASH,
            MapType.LRU_PERCPU_HASH, MapType.ARRAY}) {
            assertTrue(runtime.mapTypes().contains(t), t + " is served");
        }
        try (BpfInstance bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(4));
                BpfMap flows = BpfMap.create(bpf, MapSpec.of(MapType.HASH, 4, 8, 1024).withName("flows"));
                BpfMap pcpu = BpfMap.create(bpf, MapSpec.of(MapType.PERCPU_HASH, 4, 8, 16))) {
            flows.updateLong(443, 7, UpdateFlag.NOEXIST);
            assertEquals(7, flows.lookupLong(443, 0));
            assertEquals(-1, flows.lookupLong(80, -1));
            pcpu.updatePerCpu(1, new long[] {1, 2, 3, 4}, UpdateFlag.ANY);
            long[] out = new long[4];
            assertTrue(pcpu.lookupPerCpu(1, out));
            assertEquals(10, out[0] + out[1] + out[2] + out[3]);
            assertFalse(pcpu.lookupPerCpu(2, out));
        }
    }
}
