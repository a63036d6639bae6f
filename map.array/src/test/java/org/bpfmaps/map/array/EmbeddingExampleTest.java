package org.bpfmaps.map.array;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapSpec;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.UpdateFlag;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.junit.jupiter.api.Test;

/** The README's plain-JVM and raw-face snippets, compiled and run by the build ({@link ReadmeSnippetsTest} checks they match). */
class EmbeddingExampleTest {
    @Test
    void readmeSnippet() {
        // README: plain JVM
        ProviderHost runtime = Standalone.fromClassPath();   // finds map.array through ServiceLoader
        try (BpfInstance bpf = runtime.newInstance(BpfSettings.defaults());
                BpfMap counters = BpfMap.create(bpf, MapSpec.of(MapType.ARRAY, 4, 8, 256).withName("counters"))) {
            counters.updateLong(80, 1, UpdateFlag.ANY);
            long hits = counters.lookupLong(80, 0);            // 1; a missing key gives the default
            // README end
            assertEquals(1, hits);
        }
    }

    @Test
    void readmeRawSnippet() {
        ProviderHost runtime = Standalone.fromClassPath();
        try (BpfInstance bpf = runtime.newInstance(BpfSettings.defaults())) {
            ByteBuffer key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, 3);
            ByteBuffer value = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            // README: raw face
            MapCreateAttr create = new MapCreateAttr(MapType.ARRAY, 4, 8, 16).name("counters");
            int fd = bpf.bpf(BpfCmd.MAP_CREATE, create);          // an fd, or a negated errno
            if (fd < 0) {
                System.err.println(Errno.nameOf(fd) + ": " + create.errorMessage());
            }
            MapElemAttr elem = new MapElemAttr().set(fd, key, value, BpfFlags.ANY);
            bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, elem);                 // 0: value holds the element
            // README end
            assertEquals(3, fd);
            assertEquals(0, value.getLong(0));
        }
    }
}
