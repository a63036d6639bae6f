package org.bpfmaps.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.bpfmaps.core.spi.MapTypeTraits;
import org.junit.jupiter.api.Test;

class MapTypeTest {
    /** The types {@code bpf_map_value_size()} in kernel/bpf/syscall.c sizes per CPU. */
    @Test
    void perCpuTypesAreTheKernelsFour() {
        Set<MapType> perCpu = EnumSet.noneOf(MapType.class);
        for (MapType t : MapType.values()) {
            if (t.perCpu()) {
                perCpu.add(t);
            }
        }
        assertEquals(EnumSet.of(MapType.PERCPU_HASH, MapType.PERCPU_ARRAY, MapType.LRU_PERCPU_HASH,
                MapType.PERCPU_CGROUP_STORAGE), perCpu);
    }

    @Test
    void traitsTakePerCpuFromTheType() {
        assertTrue(MapTypeTraits.of(MapType.PERCPU_ARRAY).build().perCpu(), "without calling perCpu()");
        assertFalse(MapTypeTraits.of(MapType.ARRAY).build().perCpu());
        assertTrue(MapTypeTraits.of(MapType.LRU_PERCPU_HASH).perCpuLimitLast().build().perCpuLimitLast());
    }

    @Test
    @SuppressWarnings("deprecation")
    void aBuilderCannotMakeAPerCpuTypeOfAnotherType() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MapTypeTraits.of(MapType.ARRAY).perCpu());
        assertTrue(e.getMessage().contains("ARRAY") && e.getMessage().contains("MapType.perCpu()"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MapTypeTraits.of(MapType.HASH).perCpuLimitLast());
        MapTypeTraits.of(MapType.PERCPU_ARRAY).perCpu(); // agrees: accepted
    }
}
