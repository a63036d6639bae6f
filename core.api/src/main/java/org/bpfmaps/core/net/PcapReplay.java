package org.bpfmaps.core.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.xdp.NetDevices;

/**
 * Replays a capture into a device's RX queues: each record's frame is handed to a {@link
 * FrameSink} on the queue RSS picks for it ({@link Toeplitz#queueOf}), in file order, as fast as
 * the sink takes them (timestamps are not waited for). The frame buffer is the reader's, valid
 * during the sink call only.
 */
public final class PcapReplay {
    private PcapReplay() {
    }

    /**
     * Delivers every record of {@code reader} from where it stands to its end.
     *
     * @param queues the device's RX queue count, 1 to {@link NetDevices#MAX_QUEUES}
     * @return the frames delivered
     * @throws PcapFormatException at a malformed record, after every frame before it was delivered
     * @throws BpfException EINVAL for a queue count out of range
     */
    public static long replay(PcapReader reader, int queues, Toeplitz rss, FrameSink sink) throws IOException {
        if (queues < 1 || queues > NetDevices.MAX_QUEUES) {
            throw new BpfException(Errno.EINVAL, "queues " + queues + ": from 1 to " + NetDevices.MAX_QUEUES);
        }
        Objects.requireNonNull(rss, "rss");
        Objects.requireNonNull(sink, "sink");
        long n = 0;
        while (reader.next()) {
            ByteBuffer f = reader.frame();
            sink.frame(rss.queueOf(f, queues), f);
            n++;
        }
        return n;
    }
}
