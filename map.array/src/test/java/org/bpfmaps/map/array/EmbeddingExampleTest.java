package org.bpfmaps.map.array;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.MapSpec;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.UpdateFlag;
import org.bpfmaps.core.spi.ProviderHost;
import org.junit.jupiter.api.Test;

/** The README's plain-JVM snippet, compiled and run by the build. */
class EmbeddingExampleTest {
    @Test
    void readmeSnippet() {
        // README: plain JVM
        ProviderHost runtime = ProviderHost.fromClassPath();   // finds map.array through ServiceLoader
        try (BpfInstance bpf = runtime.newInstance(BpfSettings.defaults());
                BpfMap counters = BpfMap.create(bpf, MapSpec.of(MapType.ARRAY, 4, 8, 256).withName("counters"))) {
            counters.updateLong(80, 1, UpdateFlag.ANY);
            long hits = counters.lookupLong(80, 0);            // 1; a missing key gives the default
            // README end
            assertEquals(1, hits);
        }
    }
}
