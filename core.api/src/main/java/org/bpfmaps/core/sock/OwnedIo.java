package org.bpfmaps.core.sock;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import org.bpfmaps.core.impl.Instance;
import org.bpfmaps.core.impl.datapath.DataPath;
import org.bpfmaps.core.impl.datapath.SockPrograms;

/**
 * Where a socket's programs meet the core's data path: a connected TCP channel that takes a
 * program from a map is owned by its instance's {@link DataPath} from then on (as
 * {@code sock_map_link} starts the socket's psock: its receive path is the psock's), and each
 * change of what it runs reaches the path. Called under the socket's {@link SocketPrograms} monitor
 * (so one socket's changes come in order) and possibly a map's lock: it only registers the channel
 * with the path's selector and swaps the programs, never waits.
 *
 * <p>When the programs go (the last element holding the socket deleted, its maps closed) the path
 * keeps the socket: the kernel drops the psock and the socket is plain TCP again, which here is
 * the data path running no program (everything passes to the application's channel, writes go out),
 * so that the application's one channel stays valid and no queued byte is lost. Taking programs
 * again (a new insert) runs them on the same owned socket.
 */
final class OwnedIo {
    private OwnedIo() {
    }

    static void changed(SocketObject s, SocketPrograms ps, boolean closed) {
        if (s == null || !(s.host instanceof Instance i)) {
            return;
        }
        if (closed) {
            DataPath dp = i.dataPath(false);
            if (dp != null) {
                dp.closed(s);
            }
            return;
        }
        SockPrograms progs = SockPrograms.of(ps);
        DataPath dp = i.dataPath(false);
        if (dp != null && dp.reprogram(s, progs)) {
            return;
        }
        if (progs.none() || s.kind() != SocketKind.TCP || !(s.channel() instanceof SocketChannel ch)
                || !ch.isConnected() || !ch.isOpen()) {
            return; // nothing to run, or no channel the path can own (a native socket keeps its own I/O)
        }
        dp = i.dataPath(true);
        if (dp == null) {
            return; // the instance is closing
        }
        try {
            dp.own(s, progs);
        } catch (IOException | IllegalArgumentException e) {
            // closed meanwhile (the channel cannot be registered): it leaves its maps at its close
        }
    }

    static SockChannel channel(SocketObject s) {
        if (!(s.host instanceof Instance i)) {
            return null;
        }
        DataPath dp = i.dataPath(false);
        return dp == null ? null : dp.channel(s);
    }
}
