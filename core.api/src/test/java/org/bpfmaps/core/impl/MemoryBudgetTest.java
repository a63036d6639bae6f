package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapFootprint;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapProvider;
import org.bpfmaps.core.spi.MapTypeTraits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The two budgets (issue 17): a map is charged its provider's footprint, heap and direct, plus the
 * core's bookkeeping on the heap; either budget that does not fit is ENOMEM naming it and its
 * limit, and charges nothing; memlock stays the kernel's figure; a provider that states only
 * {@code memoryUsage} is charged that on the heap; the defaults come from what the JVM can give.
 */
class MemoryBudgetTest {
    private Instance bpf;

    @AfterEach
    void close() {
        if (bpf != null) {
            bpf.close();
        }
    }

    /** The tiny ARRAY, whose footprint is {@code heap} and {@code direct} bytes per entry. */
    private static class Split implements MapProvider {
        private final TinyArrayProvider inner = new TinyArrayProvider();
        private final long heap;
        private final long direct;

        Split(long heap, long direct) {
            this.heap = heap;
            this.direct = direct;
        }

        @Override
        public List<MapTypeTraits> types() {
            return inner.types();
        }

        @Override
        public long memoryUsage(MapDef def) {
            return 1000;
        }

        @Override
        public MapFootprint footprint(MapDef def) {
            long n = Integer.toUnsignedLong(def.maxEntries());
            return new MapFootprint(heap * n, direct * n);
        }

        @Override
        public MapOps alloc(MapDef def) {
            return inner.alloc(def);
        }
    }

    private void start(MapProvider p, BpfSettings s) {
        StandaloneRuntime runtime = new StandaloneRuntime();
        runtime.addProvider(p, 0, "1.0.0");
        bpf = (Instance) runtime.newInstance(s);
    }

    private static BpfSettings budgets(long heap, long direct) {
        return BpfSettings.defaults().withMemoryBudget(heap).withDirectMemoryBudget(direct);
    }

    @Test
    void aMapIsChargedItsFootprintAndTheCoresBookkeeping() {
        start(new Split(100, 10), budgets(1 << 20, 1 << 20));
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 4));
        assertTrue(fd >= 3);
        assertEquals(400 + 400 / 64 + MapObject.BOOKKEEPING_BYTES, bpf.heapMemoryUsed(),
                "the provider's figure, 1/64 for the collector's waste, and the bookkeeping");
        assertEquals(40, bpf.directMemoryUsed());
        assertEquals(1000, bpf.fdinfo(fd).memlock(), "memlock is the provider's memoryUsage, as the kernel counts");
        assertEquals(0, bpf.close(fd));
        assertEquals(0, bpf.heapMemoryUsed());
        assertEquals(0, bpf.directMemoryUsed());
    }

    @Test
    void aMapOverTheDirectBudgetIsEnomemNamingItAndChargesNothing() {
        start(new Split(1, 1000), budgets(1 << 20, 5000));
        assertTrue(bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 4)) >= 3);
        long heap = bpf.heapMemoryUsed();
        MapCreateAttr a = new MapCreateAttr(MapType.ARRAY, 4, 8, 2);
        assertEquals(Errno.ENOMEM.ret(), bpf.bpf(BpfCmd.MAP_CREATE, a));
        assertEquals("the map needs 2000 direct bytes; the instance's direct budget (bpfmaps.direct.memory.budget) "
                + "is 5000 bytes, 1000 of them left", a.errorMessage());
        assertEquals(heap, bpf.heapMemoryUsed(), "the heap charge was given back");
        assertEquals(4000, bpf.directMemoryUsed());
        assertTrue(bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 1)) >= 3, "what fits is made");
    }

    @Test
    void aMapOverTheHeapBudgetIsEnomemNamingIt() {
        start(new Split(1000, 0), budgets(10_000, 1 << 20));
        MapCreateAttr a = new MapCreateAttr(MapType.ARRAY, 4, 8, 10);
        assertEquals(Errno.ENOMEM.ret(), bpf.bpf(BpfCmd.MAP_CREATE, a));
        assertEquals("the map needs " + (10_000 + 10_000 / 64 + MapObject.BOOKKEEPING_BYTES)
                + " heap bytes; the instance's heap budget (bpfmaps.memory.budget) is 10000 bytes, 10000 of them left",
                a.errorMessage());
        assertEquals(0, bpf.memoryUsed());
    }

    @Test
    void theBookkeepingAloneRunsTheHeapBudgetOut() {
        // maps whose provider says they take nothing still cost the core's objects
        start(new Split(0, 0), budgets(10 * MapObject.BOOKKEEPING_BYTES, 0));
        for (int i = 0; i < 10; i++) {
            assertTrue(bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 1)) >= 3);
        }
        assertEquals(Errno.ENOMEM.ret(), bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 1)));
    }

    @Test
    void aProviderThatStatesOnlyMemoryUsageIsChargedItOnTheHeap() {
        start(new TinyArrayProvider(), budgets(1 << 20, 0));
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 4));
        assertTrue(fd >= 3, "no direct budget is needed");
        assertEquals(32 + MapObject.BOOKKEEPING_BYTES, bpf.heapMemoryUsed());
        assertEquals(32, bpf.fdinfo(fd).memlock());
    }

    @Test
    void aFootprintThatThrowsIsEnomemSayingSo() {
        start(new Split(0, 0) {
            @Override
            public MapFootprint footprint(MapDef def) {
                throw new ArithmeticException("long overflow");
            }
        }, budgets(1 << 20, 1 << 20));
        MapCreateAttr a = new MapCreateAttr(MapType.ARRAY, 4, 8, 4);
        assertEquals(Errno.ENOMEM.ret(), bpf.bpf(BpfCmd.MAP_CREATE, a));
        assertTrue(a.errorMessage().contains("could not say what the map takes"), a.errorMessage());
        assertEquals(0, bpf.memoryUsed());
    }

    /** A reason is a format pattern formatted when asked for: a '%' in the exception must not break it. */
    @Test
    void aProviderExceptionWithAPercentSignStillExplainsTheRefusal() {
        start(new Split(0, 0) {
            @Override
            public MapFootprint footprint(MapDef def) {
                throw new IllegalStateException("100% of %d used");
            }
        }, budgets(1 << 20, 1 << 20));
        MapCreateAttr a = new MapCreateAttr(MapType.ARRAY, 4, 8, 4);
        assertEquals(Errno.ENOMEM.ret(), bpf.bpf(BpfCmd.MAP_CREATE, a));
        assertTrue(a.errorMessage().endsWith("java.lang.IllegalStateException: 100% of %d used"), a.errorMessage());
    }

    @Test
    void theDefaultsComeFromWhatTheJvmCanGive() {
        BpfSettings d = BpfSettings.defaults();
        long max = Runtime.getRuntime().maxMemory();
        assertTrue(d.memoryBudget() > 0 && d.memoryBudget() <= max / 2, "at most half the heap: " + d);
        boolean limitSet = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(arg -> arg.startsWith("-XX:MaxDirectMemorySize"));
        assertTrue(d.directMemoryBudget() > 0, d.toString());
        if (!limitSet) {
            assertTrue(d.directMemoryBudget() <= max / 4 * 3, "the JDK's direct limit is the max heap: " + d);
        }
    }

    @Test
    void thePropertiesSetEachBudget() {
        BpfSettings both = BpfSettings.from(Map.of(BpfSettings.MEMORY_BUDGET, "64m"));
        assertEquals(64L << 20, both.memoryBudget());
        assertEquals(64L << 20, both.directMemoryBudget(), "the memory budget sets both, as before there were two");
        BpfSettings split = BpfSettings.from(Map.of(BpfSettings.MEMORY_BUDGET, "64m",
                BpfSettings.DIRECT_MEMORY_BUDGET, "1g"));
        assertEquals(64L << 20, split.memoryBudget());
        assertEquals(1L << 30, split.directMemoryBudget());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BpfSettings.from(Map.of(BpfSettings.DIRECT_MEMORY_BUDGET, "-1")));
        assertTrue(e.getMessage().contains(BpfSettings.DIRECT_MEMORY_BUDGET), e.getMessage());
        BpfSettings old = new BpfSettings(2, 1000, 1, 16);
        assertEquals(1000, old.directMemoryBudget(), "the four-value constructor sets both budgets");
    }
}
