package org.bpfmaps.map.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapState;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.junit.jupiter.api.Test;

/**
 * The state a map hands over when its provider leaves: a queue's or stack's elements oldest
 * first, a bloom filter's bit words and seed. The provider that returns answers every later op as
 * the original would, on the same fd.
 */
class ExportTest {
    private final QueueProvider provider = new QueueProvider();

    private static MapDef def(MapType type, int maxEntries, int flags) {
        return new MapDef(type, 0, 8, maxEntries, flags, -1, 0, "", 1, 8);
    }

    private static ByteBuffer u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, v);
    }

    private static List<Long> drain(MapOps m) {
        List<Long> out = new ArrayList<>();
        ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        while (m.lookupAndDeleteElem(null, v, 0) == 0) {
            out.add(v.getLong(0));
        }
        return out;
    }

    @Test
    void queueAndStackElementsComeBackInOrderAcrossTheRingsEnd() {
        for (MapType type : new MapType[] {MapType.QUEUE, MapType.STACK}) {
            MapOps m = provider.alloc(def(type, 4, 0));
            for (long v = 1; v <= 7; v++) {
                m.updateElem(null, u64(v), BpfFlags.EXIST); // 1..3 are overwritten; the ring has wrapped
            }
            MapState state = m.exportState(def(type, 4, 0));
            assertEquals(4, state.elementCount());
            assertEquals(Errno.ENODEV.ret(), m.updateElem(null, u64(8), 0), "retired: a push would be lost");
            assertEquals(Errno.ENODEV.ret(), m.lookupAndDeleteElem(null, u64(0), 0), "retired: a pop would duplicate");

            MapOps copy = provider.restore(def(type, 4, 0), state, (e, why, a, b) -> -e.code());
            assertNotNull(copy);
            assertEquals(type == MapType.QUEUE ? List.of(4L, 5L, 6L, 7L) : List.of(7L, 6L, 5L, 4L), drain(copy),
                    type + ": the restored map pops as the original would have");
        }
    }

    @Test
    void aQueueOnItsFdSurvivesItsProvider() {
        ProviderHost host = Standalone.create();
        host.addProvider(provider, 0, "1.0.0");
        try (BpfInstance bpf = host.newInstance(BpfSettings.defaults())) {
            int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.QUEUE, 0, 8, 16));
            for (long v = 10; v < 13; v++) {
                assertEquals(0, bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, null, u64(v), 0)));
            }
            host.removeProvider(provider);
            assertEquals(3, host.detachedMaps().get(0).elements());
            host.addProvider(new QueueProvider(), 0, "1.0.1");
            ByteBuffer v = u64(0);
            for (long want = 10; want < 13; want++) {
                assertEquals(0, bpf.bpf(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, new MapElemAttr().set(fd, null, v, 0)));
                assertEquals(want, v.getLong(0));
            }
        }
    }

    @Test
    void bloomFilterKeepsItsBitsAndSeed() {
        MapDef d = def(MapType.BLOOM_FILTER, 1000, 0);
        MapOps m = provider.alloc(d);
        for (long v = 0; v < 500; v++) {
            m.updateElem(null, u64(v * 7919), BpfFlags.ANY);
        }
        MapState state = m.exportState(d);
        assertEquals(-1, state.elementCount(), "a filter cannot count its members");
        MapOps copy = provider.restore(d, state, (e, why, a, b) -> -e.code());
        for (long v = 0; v < 20_000; v++) {
            assertEquals(m.lookupElem(null, u64(v), 0), copy.lookupElem(null, u64(v), 0), "value " + v);
        }
        m.updateElem(null, u64(-5), BpfFlags.ANY);
        assertEquals(0, copy.lookupElem(null, u64(-5), 0), "an add still in flight on the old ops is not lost");
    }

    @Test
    void aBloomStateOfAnotherShapeIsRefused() {
        MapDef small = def(MapType.BLOOM_FILTER, 100, 0);
        MapState state = provider.alloc(small).exportState(small);
        String[] why = new String[1];
        assertNull(provider.restore(def(MapType.BLOOM_FILTER, 100_000, 0), state, (e, w, a, b) -> {
            why[0] = w;
            return -e.code();
        }));
        assertTrue(why[0].contains("does not fit"), why[0]);
    }
}
