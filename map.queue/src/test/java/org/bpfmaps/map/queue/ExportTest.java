package org.bpfmaps.map.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.MapDef;
import org.junit.jupiter.api.Test;

/**
 * The state a map hands over when its provider is replaced: a queue's or stack's elements oldest
 * first, a bloom filter's seed and bitmap. A map restored from them answers as the original.
 */
class ExportTest {
    private final QueueProvider provider = new QueueProvider();

    private static MapDef def(MapType type, int maxEntries, int flags) {
        return new MapDef(type, 0, 8, maxEntries, flags, -1, 0, "", 1, 8);
    }

    private static ByteBuffer u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, v);
    }

    private static long drain(QueueStackMap m, List<Long> into) {
        ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        while (m.lookupAndDeleteElem(null, v, 0) == 0) {
            into.add(v.getLong(0));
        }
        return into.size();
    }

    @Test
    void queueElementsComeOldestFirstAcrossTheRingsEnd() {
        for (MapType type : new MapType[] {MapType.QUEUE, MapType.STACK}) {
            QueueStackMap m = (QueueStackMap) provider.alloc(def(type, 4, 0));
            for (long v = 1; v <= 7; v++) {
                m.updateElem(null, u64(v), BpfFlags.EXIST); // 1..3 are overwritten; the ring has wrapped
            }
            List<byte[]> state = m.elements();
            assertEquals(4, state.size());
            assertEquals(4, m.size());
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(u64(4 + i).array(), state.get(i), type + " element " + i);
            }
            QueueStackMap copy = (QueueStackMap) provider.alloc(def(type, 4, 0));
            copy.restore(state);
            List<Long> a = new ArrayList<>();
            List<Long> b = new ArrayList<>();
            drain(m, a);
            drain(copy, b);
            assertEquals(a, b, type + ": the restored map pops as the original");
            assertEquals(type == MapType.QUEUE ? List.of(4L, 5L, 6L, 7L) : List.of(7L, 6L, 5L, 4L), a);
        }
    }

    @Test
    void restoreRefusesWhatDoesNotFit() {
        QueueStackMap m = (QueueStackMap) provider.alloc(def(MapType.QUEUE, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> m.restore(List.of(new byte[8], new byte[8], new byte[8])));
        QueueStackMap n = (QueueStackMap) provider.alloc(def(MapType.QUEUE, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> n.restore(List.of(new byte[7])));
        n.updateElem(null, u64(1), 0);
        assertThrows(IllegalStateException.class, () -> n.restore(List.of(new byte[8])));
    }

    @Test
    void bloomFilterStateIsItsSeedAndBitmap() {
        MapDef d = def(MapType.BLOOM_FILTER, 1000, 0);
        BloomFilterMap m = (BloomFilterMap) provider.alloc(d);
        for (long v = 0; v < 500; v++) {
            m.updateElem(null, u64(v * 7919), BpfFlags.ANY);
        }
        byte[] bitmap = m.bitmap();
        assertEquals(BloomGeometry.of(1000, 0).bytes(), bitmap.length);
        BloomFilterMap copy = new BloomFilterMap(d, m.seed());
        copy.restore(bitmap);
        assertArrayEquals(bitmap, copy.bitmap());
        for (long v = 0; v < 20_000; v++) {
            assertEquals(m.lookupElem(null, u64(v), 0), copy.lookupElem(null, u64(v), 0), "value " + v);
        }
        assertEquals(Errno.ENOENT.ret(), new BloomFilterMap(d, m.seed()).lookupElem(null, u64(0), 0));
    }
}
