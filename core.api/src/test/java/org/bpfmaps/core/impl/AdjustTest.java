package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapProvider;
import org.bpfmaps.core.spi.MapTypeTraits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code MapProvider.adjust}: a provider may change max_entries after its check, as the kernel's
 * LRU hash with BPF_F_NO_COMMON_LRU rounds it; the memory charge, the allocation, info and fdinfo
 * all see the adjusted definition. Any other change is a provider bug and refused with EINVAL.
 */
class AdjustTest {
    private Instance bpf;

    @AfterEach
    void close() {
        if (bpf != null) {
            bpf.close();
        }
    }

    /** The tiny ARRAY, with an adjustment, recording the definitions it was handed. */
    private static final class Adjusting implements MapProvider {
        private final TinyArrayProvider inner = new TinyArrayProvider();
        private final UnaryOperator<MapDef> adjustment;
        final List<MapDef> charged = new ArrayList<>();
        final List<MapDef> allocated = new ArrayList<>();

        Adjusting(UnaryOperator<MapDef> adjustment) {
            this.adjustment = adjustment;
        }

        @Override
        public List<MapTypeTraits> types() {
            return inner.types();
        }

        @Override
        public int allocCheck(MapDef def, ErrorSink err) {
            return inner.allocCheck(def, err);
        }

        @Override
        public MapDef adjust(MapDef def) {
            return adjustment.apply(def);
        }

        @Override
        public long memoryUsage(MapDef def) {
            charged.add(def);
            return inner.memoryUsage(def);
        }

        @Override
        public MapOps alloc(MapDef def) {
            allocated.add(def);
            return inner.alloc(def);
        }
    }

    /** Creates an ARRAY of {@code maxEntries} in a runtime of its own that has only {@code p}. */
    private int create(Adjusting p, int maxEntries) {
        if (bpf != null) {
            bpf.close();
        }
        StandaloneRuntime runtime = new StandaloneRuntime();
        runtime.addProvider(p, 0, "1.0.0");
        bpf = (Instance) runtime.newInstance(BpfSettings.defaults().withPossibleCpus(2).withMemoryBudget(1 << 20));
        MapCreateAttr a = new MapCreateAttr(MapType.ARRAY, 4, 8, maxEntries);
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, a);
        if (fd < 0) {
            assertTrue(a.errorMessage() != null && !a.errorMessage().isEmpty(), "a failure says why");
        }
        return fd;
    }

    @Test
    void anAdjustedMaxEntriesIsWhatTheMapIsMadeWithAndReports() {
        Adjusting p = new Adjusting(d -> d.withMaxEntries((d.maxEntries() + 3) & ~3));
        int fd = create(p, 5);
        assertTrue(fd >= 3, "create: " + Errno.nameOf(fd));
        assertEquals(8, p.charged.get(0).maxEntries(), "memoryUsage sees the adjusted definition");
        assertEquals(8, p.allocated.get(0).maxEntries(), "alloc sees the adjusted definition");
        InfoAttr i = new InfoAttr(fd);
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, i));
        assertEquals(8, MapInfo.read(i.info, i.infoLen).maxEntries(), "info reports it");
        assertEquals(8, bpf.fdinfo(fd).maxEntries(), "fdinfo reports it");
        assertEquals(8 * 8, bpf.fdinfo(fd).memlock(), "the charge is for the adjusted map");
    }

    @Test
    void theDefaultChangesNothing() {
        Adjusting p = new Adjusting(UnaryOperator.identity());
        int fd = create(p, 5);
        assertTrue(fd >= 3, "create: " + Errno.nameOf(fd));
        assertEquals(5, bpf.fdinfo(fd).maxEntries());
    }

    @Test
    void changingAnythingElseIsRefused() {
        Adjusting p = new Adjusting(d -> new MapDef(d.type(), 8, d.valueSize(), d.maxEntries(), d.mapFlags(),
                d.numaNode(), d.mapExtra(), d.name(), d.possibleCpus(), d.valueBufSize()));
        assertEquals(Errno.EINVAL.ret(), create(p, 5));
        assertEquals(List.of(), p.allocated, "nothing was allocated");
    }

    @Test
    void nullOrAnExceptionIsRefused() {
        assertEquals(Errno.EINVAL.ret(), create(new Adjusting(d -> null), 5));
        assertEquals(Errno.EINVAL.ret(), create(new Adjusting(d -> {
            throw new IllegalStateException("boom");
        }), 5));
    }
}
