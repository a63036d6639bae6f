package org.bpfmaps.map.sockmap;

import java.util.EnumSet;
import java.util.Set;
import org.bpfmaps.conformance.KernelCorpus;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.map.array.ArrayProvider;
import org.junit.jupiter.api.Test;

/**
 * Replays the recorded kernel corpus for SOCKMAP and SOCKHASH with real sockets, made through the
 * core's socket-kind extension point (the java.nio kinds of the core, unix_dgram of sock.native),
 * with the ARRAY family installed beside it as in a distribution. Only the cases that make an
 * AF_XDP socket stay skipped until a part of the project makes that kind.
 */
class KernelCorpusTest {
    @Test
    void sockmapAndSockhashBehaveAsTheKernel() throws Exception {
        KernelCorpus.replayWithout("kernel-6.18.json", EnumSet.of(MapType.SOCKMAP, MapType.SOCKHASH),
                Set.of("xdp_unbound", "xdp_bound_lo"), new SockMapProvider(), new ArrayProvider());
    }
}
