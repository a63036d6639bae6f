package org.bpfmaps.map.sockmap;

import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ProgAttachAttr;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.SocketKind;
import org.bpfmaps.core.sock.SocketPrograms;
import org.bpfmaps.core.sock.SocketState;
import org.bpfmaps.core.spi.MapPrograms;
import org.bpfmaps.core.spi.ProgRef;

/**
 * What a socket takes from a map's programs when it is inserted, and loses when it leaves:
 * {@code sock_map_link} and {@code sock_map_del_link} (net/core/sock_map.c) over the socket's record
 * in the core ({@link SocketPrograms}, the kernel's {@code sk_psock}). Called under the map's lock,
 * and each takes the record's monitor (map, then socket: the one lock order).
 *
 * <p>What the map has is read at the insert: a program attached later does not reach sockets
 * already in the map, and one detached later stays on them (recorded on 6.18).
 */
final class SockLink {
    private SockLink() {
    }

    private static ProgRef prog(MapPrograms progs, int type) {
        return progs == null ? null : progs.program(type);
    }

    /**
     * {@code sock_map_redirect_allowed}: only an established TCP socket, or a socket of another
     * kind that is not listening, takes programs; the others are linked without
     * ({@code sock_map_link_no_progs}: a listener never answers EBUSY).
     */
    private static boolean takesPrograms(BpfSocket s) {
        SocketState st = s.state();
        return s.kind() == SocketKind.TCP ? st == SocketState.ESTABLISHED : st != SocketState.LISTEN;
    }

    /**
     * {@code sock_map_link}: links the socket to a map with these programs. EBUSY when the map has
     * a msg verdict or a stream parser and the socket runs one of that kind, or the map has a stream
     * or skb verdict and the socket runs either (a second key of the same map counts); EOPNOTSUPP
     * for a parser with a verdict on a socket that is not TCP ({@code sk_psock_init_strp} is TCP's).
     *
     * @return 0 (the socket holds one more link) or a negated errno with {@code why[0]} set
     */
    static int link(MapPrograms progs, BpfSocket s, String[] why) {
        SocketPrograms ps = s.programs();
        if (!takesPrograms(s)) {
            ps.linked();
            return 0;
        }
        ProgRef msg = prog(progs, ProgAttachAttr.SK_MSG_VERDICT);
        ProgRef parser = prog(progs, ProgAttachAttr.SK_SKB_STREAM_PARSER);
        ProgRef streamVerdict = prog(progs, ProgAttachAttr.SK_SKB_STREAM_VERDICT);
        ProgRef skbVerdict = prog(progs, ProgAttachAttr.SK_SKB_VERDICT);
        synchronized (ps) {
            boolean runsVerdict = ps.get(ProgAttachAttr.SK_SKB_VERDICT) != null
                    || ps.get(ProgAttachAttr.SK_SKB_STREAM_VERDICT) != null;
            if (msg != null && ps.get(ProgAttachAttr.SK_MSG_VERDICT) != null) {
                why[0] = "the socket runs an SK_MSG_VERDICT program already (from this or another map)";
                return Errno.EBUSY.ret();
            }
            if (parser != null && ps.get(ProgAttachAttr.SK_SKB_STREAM_PARSER) != null) {
                why[0] = "the socket runs a stream parser already (from this or another map)";
                return Errno.EBUSY.ret();
            }
            if ((streamVerdict != null || skbVerdict != null) && runsVerdict) {
                why[0] = "the socket runs a stream or skb verdict already (from this or another map)";
                return Errno.EBUSY.ret();
            }
            boolean started = ps.started();
            if (parser != null && streamVerdict != null && !started) {
                if (s.kind() != SocketKind.TCP) {
                    why[0] = "a stream parser with a verdict runs on TCP sockets only, not " + s.kind();
                    return Errno.EOPNOTSUPP.ret();
                }
                ps.set(ProgAttachAttr.SK_SKB_STREAM_VERDICT, streamVerdict);
                ps.set(ProgAttachAttr.SK_SKB_STREAM_PARSER, parser);
                ps.started(true);
            } else if (parser == null && streamVerdict != null && !started) {
                ps.set(ProgAttachAttr.SK_SKB_STREAM_VERDICT, streamVerdict);
                ps.started(true);
            } else if (streamVerdict == null && skbVerdict != null && !started) {
                ps.set(ProgAttachAttr.SK_SKB_VERDICT, skbVerdict);
                ps.started(true);
            }
            if (parser != null && streamVerdict == null && !started) {
                // recorded on 6.18: a parser alone stays on the socket (a second parser map is EBUSY)
                ps.set(ProgAttachAttr.SK_SKB_STREAM_PARSER, parser);
            }
            if (msg != null) {
                ps.set(ProgAttachAttr.SK_MSG_VERDICT, msg);
            }
            ps.linked();
            return 0;
        }
    }

    /**
     * {@code sock_map_unref} / {@code sock_map_del_link}: one element of a map with these programs
     * let go of the socket. A parser or verdict started on the socket stops when the map has one of
     * that kind now (the map's programs now, not what the socket took); an SK_MSG program stays until
     * the socket's last link goes, which drops every program ({@code sk_psock_drop}).
     */
    /**
     * A failed insert after {@link #link} ({@code sk_psock_put} without a link): the socket keeps
     * what it took unless this was its only reference, which drops them all.
     */
    static void unlinkFailed(BpfSocket s) {
        s.programs().unlinked();
    }

    static void unlink(MapPrograms progs, BpfSocket s) {
        SocketPrograms ps = s.programs();
        synchronized (ps) {
            if (ps.started()) {
                boolean strpStop = prog(progs, ProgAttachAttr.SK_SKB_STREAM_PARSER) != null;
                boolean verdictStop = prog(progs, ProgAttachAttr.SK_SKB_STREAM_VERDICT) != null
                        || prog(progs, ProgAttachAttr.SK_SKB_VERDICT) != null;
                if (strpStop) {
                    ps.set(ProgAttachAttr.SK_SKB_STREAM_PARSER, null);
                }
                if (verdictStop) {
                    ps.set(ProgAttachAttr.SK_SKB_STREAM_VERDICT, null);
                    ps.set(ProgAttachAttr.SK_SKB_VERDICT, null);
                }
                if (strpStop || verdictStop) {
                    ps.started(false);
                }
            }
            ps.unlinked();
        }
    }
}
