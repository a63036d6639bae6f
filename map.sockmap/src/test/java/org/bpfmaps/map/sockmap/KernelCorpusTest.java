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
 * core's socket-kind extension point (the java.nio kinds of the core, unix_dgram of sock.native,
 * xdp_unbound of map.xsk, a test dependency only), with the ARRAY family installed beside it as in
 * a distribution. None is skipped (KernelCorpus.replay asserts it).
 */
class KernelCorpusTest {
    private static final Set<MapType> TYPES = EnumSet.of(MapType.SOCKMAP, MapType.SOCKHASH);
    /** Recorded by corpus/record/record-sockmap-extra.py; replayed once it is in the repository. */
    private static final String EXTRA = "sockmap-extra-6.18.json";

    @Test
    void sockmapAndSockhashBehaveAsTheKernel() throws Exception {
        KernelCorpus.replay("kernel-6.18.json", TYPES, new SockMapProvider(), new ArrayProvider());
    }

    @Test
    void theExtraSockmapCorpusToo() throws Exception {
        assumeTrue(Files.exists(Path.of("../corpus").resolve(EXTRA)), EXTRA + " is not in the repository yet");
        KernelCorpus.replay(EXTRA, TYPES, new SockMapProvider(), new ArrayProvider());
    }
}
