package org.bpfmaps.map.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.MapDef;
import org.junit.jupiter.api.Test;

/**
 * The bitset sizes of bloom_map_alloc, and memlock as bloom_map_mem_usage and
 * queue_stack_map_mem_usage give it. The small sizes are also in the recorded corpus (fdinfo);
 * the overflowing ones would make the kernel allocate 512 MiB, so they are checked here only.
 */
class BloomGeometryTest {
    @Test
    void smallFiltersHaveAtLeast64Bits() {
        assertEquals(new BloomGeometry(1, 63, 8), BloomGeometry.of(1, 1));
        assertEquals(new BloomGeometry(5, 63, 8), BloomGeometry.of(9, 0), "9 * 5 / 5 * 7 = 63 bits");
        assertEquals(new BloomGeometry(5, 127, 16), BloomGeometry.of(10, 0), "70 bits round up to 128");
    }

    @Test
    void bitsAreMaxEntriesTimesKTimesSevenFifthsRoundedToAPowerOfTwo() {
        assertEquals(new BloomGeometry(5, 1023, 128), BloomGeometry.of(100, 5));
        assertEquals(new BloomGeometry(15, 32767, 4096), BloomGeometry.of(1000, 15));
        assertEquals(new BloomGeometry(5, (1 << 20) - 1, 1 << 17), BloomGeometry.of(100_000, 0x15),
                "only the low 4 bits of map_extra count");
    }

    @Test
    void overflowGivesTwoToThe32Bits() {
        long max = 0xffff_ffffL;
        assertEquals(new BloomGeometry(5, max, 1L << 29), BloomGeometry.of(max, 0), "max_entries * k overflows");
        // 2^31 / 5 * 7 bits would pass 2^31
        assertEquals(new BloomGeometry(1, max, 1L << 29), BloomGeometry.of(1L << 31, 1));
        // 306783378 * 1 / 5 * 7 = 429496725 bits: below 2^31, rounded up to 2^29
        assertEquals(new BloomGeometry(1, (1L << 29) - 1, 1L << 26), BloomGeometry.of(306_783_378, 1));
    }

    @Test
    void memlockIsTheKernelsMemUsage() {
        QueueProvider p = new QueueProvider();
        assertEquals(312 + 9 * 4, p.memoryUsage(def(MapType.QUEUE, 4, 8, 0)));
        assertEquals(312 + (0xffff_ffffL + 1) * 4096, p.memoryUsage(def(MapType.STACK, 4096, -1, 0)));
        assertEquals(312 + 128, p.memoryUsage(def(MapType.BLOOM_FILTER, 4, 100, 0)));
        assertEquals(312 + (1L << 29), p.memoryUsage(def(MapType.BLOOM_FILTER, 4, -1, 0)));
    }

    private static MapDef def(MapType type, int valueSize, int maxEntries, long extra) {
        return new MapDef(type, 0, valueSize, maxEntries, 0, -1, extra, "", 1, valueSize);
    }
}
