package org.bpfmaps.map.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** Without a framework, the ARRAY family is found through java.util.ServiceLoader. */
class ClassPathTest {
    @Test
    void serviceLoaderFindsTheArrayProvider() {
        ProviderHost runtime = Standalone.fromClassPath();
        assertTrue(runtime.mapTypes().contains(MapType.ARRAY));
        assertTrue(runtime.mapTypes().contains(MapType.PERCPU_ARRAY));
        try (BpfInstance bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(4));
                BpfMap pcpu = BpfMap.create(bpf, MapSpec.of(MapType.PERCPU_ARRAY, 4, 8, 2))) {
            pcpu.updatePerCpu(1, new long[] {1, 2, 3, 4}, UpdateFlag.ANY);
            long[] out = new long[4];
            assertTrue(pcpu.lookupPerCpu(1, out));
            assertEquals(10, out[0] + out[1] + out[2] + out[3]);
            assertEquals(4, pcpu.possibleCpus());
        }
    }
}
