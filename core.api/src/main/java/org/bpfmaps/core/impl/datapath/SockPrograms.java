package org.bpfmaps.core.impl.datapath;

import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.ProgAttachAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.impl.Instance;
import org.bpfmaps.core.impl.ProgObject;
import org.bpfmaps.core.sock.SocketPrograms;
import org.bpfmaps.core.spi.ObjectHost;
import org.bpfmaps.core.spi.ProgRef;

/**
 * The programs a socket runs on its data path, as the kernel's {@code sk_psock.progs} holds them:
 * the stream parser, the stream (or skb) verdict and the msg verdict, each possibly null. What the
 * attach helper's per-socket record ({@code sock_map_link}) gives the data path; tests give them
 * directly. The holder of this record keeps the programs alive (it holds their references).
 */
public record SockPrograms(ProgObject parser, ProgObject verdict, ProgObject msgVerdict) {
    public static final SockPrograms NONE = new SockPrograms(null, null, null);

    public SockPrograms {
        check(parser, ProgType.SK_SKB, "parser");
        check(verdict, ProgType.SK_SKB, "verdict");
        check(msgVerdict, ProgType.SK_MSG, "msgVerdict");
    }

    private static void check(ProgObject p, ProgType t, String what) {
        if (p != null && p.type() != t) {
            throw new IllegalArgumentException(what + " is a " + p.type().bpftoolName() + " program, not "
                    + t.bpftoolName());
        }
    }

    /** The programs behind prog fds of an instance (fd 0 or less: none), for tests and tools. */
    public static SockPrograms of(Bpf bpf, int parserFd, int verdictFd, int msgVerdictFd) {
        Instance i = (Instance) ObjectHost.of(bpf).orElseThrow(
                () -> new IllegalArgumentException("programs are objects of the core's instances, not of " + bpf));
        return new SockPrograms(prog(i, parserFd), prog(i, verdictFd), prog(i, msgVerdictFd));
    }

    /**
     * What a socket's record of the programs it took from maps ({@code sk_psock.progs}) runs on its
     * data path: the stream parser only with a stream verdict (a parser alone is not started,
     * {@code sock_map_link}), the stream or skb verdict, the msg verdict. Read under the record's
     * monitor by the caller or not: each slot is read once.
     */
    public static SockPrograms of(SocketPrograms ps) {
        ProgObject streamVerdict = obj(ps.get(ProgAttachAttr.SK_SKB_STREAM_VERDICT));
        ProgObject verdict = streamVerdict != null ? streamVerdict : obj(ps.get(ProgAttachAttr.SK_SKB_VERDICT));
        ProgObject parser = streamVerdict != null ? obj(ps.get(ProgAttachAttr.SK_SKB_STREAM_PARSER)) : null;
        ProgObject msg = obj(ps.get(ProgAttachAttr.SK_MSG_VERDICT));
        return parser == null && verdict == null && msg == null ? NONE : new SockPrograms(parser, verdict, msg);
    }

    /** Whether the socket runs no program (its data path passes everything). */
    public boolean none() {
        return parser == null && verdict == null && msgVerdict == null;
    }

    private static ProgObject obj(ProgRef p) {
        return p instanceof ProgObject o ? o : null;
    }

    private static ProgObject prog(Instance i, int fd) {
        if (fd <= 0) {
            return null;
        }
        if (i.table().get(fd) instanceof ProgObject p) {
            return p;
        }
        throw new IllegalArgumentException("fd " + fd + " is no program");
    }
}
