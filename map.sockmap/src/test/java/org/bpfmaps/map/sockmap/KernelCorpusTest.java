package org.bpfmaps.map.sockmap;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.bpfmaps.conformance.KernelCorpus;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.map.array.ArrayProvider;
import org.junit.jupiter.api.Test;

/**
 * Replays the recorded kernel corpora for SOCKMAP and SOCKHASH with real sockets, made through the
 * core's socket-kind extension point (the java.nio kinds of the core, unix_dgram of sock.native),
 * with the ARRAY family installed beside it as in a distribution. Only the cases that make an
 * AF_XDP socket stay skipped until a part of the project makes that kind.
 */
class KernelCorpusTest {
    private static final Set<MapType> TYPES = EnumSet.of(MapType.SOCKMAP, MapType.SOCKHASH);
    private static final Set<String> NOT_MADE_YET = Set.of("xdp_unbound", "xdp_bound_lo");
    /** Recorded by corpus/record/record-sockmap-extra.py; replayed once it is in the repository. */
    private static final String EXTRA = "sockmap-extra-6.18.json";

    @Test
    void sockmapAndSockhashBehaveAsTheKernel() throws Exception {
        KernelCorpus.replayWithout("kernel-6.18.json", TYPES, NOT_MADE_YET, new SockMapProvider(), new ArrayProvider());
    }

    @Test
    void theExtraSockmapCorpusToo() throws Exception {
        assumeTrue(Files.exists(Path.of("../corpus").resolve(EXTRA)), EXTRA + " is not in the repository yet");
        KernelCorpus.replayWithout(EXTRA, TYPES, NOT_MADE_YET, new SockMapProvider(), new ArrayProvider());
    }
}
