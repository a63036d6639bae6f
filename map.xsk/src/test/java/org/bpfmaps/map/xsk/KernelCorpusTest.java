package org.bpfmaps.map.xsk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import org.bpfmaps.conformance.KernelCorpus;
import org.bpfmaps.conformance.Report;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.Test;

/**
 * Replays the recorded kernel corpus for XSKMAP with real sockets made through the core's
 * socket-kind extension point: this bundle's {@code xdp_unbound} and {@code xdp_bound_lo} (found on
 * the class path through META-INF/services), the core's {@code tcp_established}, {@code pipe},
 * {@code badfd}. None is skipped.
 */
class KernelCorpusTest {
    @Test
    void xskmapBehavesAsTheKernel() throws Exception {
        Report r = KernelCorpus.replay("kernel-6.18.json", EnumSet.of(MapType.XSKMAP), new XskMapProvider());
        assertEquals(21, r.passed(), "the 21 XSKMAP cases recorded on 6.18");
    }

    /**
     * The rows of the shared README that kernel-6.18.json has no case for, recorded by
     * corpus/record/record-xskmap-extra.py: a close emptying slots, the update's check order,
     * fds above S32_MAX, the same socket with each flag, memlock before and after elements.
     */
    @Test
    void theExtraXskmapCorpusToo() throws Exception {
        Report r = KernelCorpus.replay("xskmap-extra-6.18.json", EnumSet.of(MapType.XSKMAP), new XskMapProvider());
        assertEquals(3, r.passed());
    }
}
