package org.bpfmaps.core.impl;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.prog.XdpAction;
import org.bpfmaps.core.prog.XdpContext;
import org.bpfmaps.core.xdp.XdpSocket;

/**
 * The context of an XDP run ({@code struct xdp_buff} behind {@code xdp_md}): the frame where the
 * RX queue received it, its bounds, and the XSK socket {@code bpf_redirect_map} chose (the
 * kernel's per-CPU {@code bpf_redirect_info}), which the queue reads after a verdict of
 * XDP_REDIRECT. One per RX queue and program, reused for every frame: nothing is allocated per run.
 */
public final class XdpRun extends RunContext implements XdpContext {
    /** {@code sizeof(struct xdp_frame)} on x86-64: what {@code bpf_xdp_adjust_head} keeps after the buffer's hard start. */
    public static final int XDP_FRAME_SIZE = 40;
    /** ETH_HLEN: the bytes adjust_head leaves at least before the end. */
    static final int ETH_HLEN = 14;
    /** The flags' bits that are the action of a failed lookup (XDP_ABORTED to XDP_TX); XSKMAP has no other flag. */
    static final long ACTION_MASK = 3;

    private ByteBuffer frame;
    private int hardStart;
    private int data;
    private int dataEnd;
    private int ifindex;
    private int queue;
    private XdpSocket target;

    /** A context for runs of {@code prog} on an RX queue standing for {@code cpu}. */
    public XdpRun(ProgObject prog, int cpu) {
        super(prog, cpu);
        xskMaps = new MapObject[prog.mapCount()];
        for (int i = 0; i < xskMaps.length; i++) {
            MapObject m = prog.mapObject(i);
            xskMaps[i] = m != null && m.def().type() == MapType.XSKMAP ? m : null;
        }
    }

    /**
     * The program's XSKMAPs by the index its context reaches them by (null for a map of another
     * type): resolved once per program and queue, since a program's maps never change, so that a
     * redirect costs the slot's read only.
     */
    private final MapObject[] xskMaps;

    /**
     * Sets the next run's frame: {@code frame}'s bytes from {@code data} to {@code dataEnd}
     * (absolute offsets), the buffer starting at {@code hardStart} ({@code data_hard_start}),
     * and clears the last run's redirect.
     */
    public XdpRun set(ByteBuffer frame, int hardStart, int data, int dataEnd, int ifindex, int queue) {
        this.frame = frame;
        this.hardStart = hardStart;
        this.data = data;
        this.dataEnd = dataEnd;
        this.ifindex = ifindex;
        this.queue = queue;
        this.target = null;
        return this;
    }

    /** The socket the last successful {@link #redirectMap} of this run chose, or null. */
    public XdpSocket target() {
        return target;
    }

    @Override
    public ByteBuffer frame() {
        return frame;
    }

    @Override
    public int data() {
        return data;
    }

    @Override
    public int dataEnd() {
        return dataEnd;
    }

    @Override
    public int ingressIfindex() {
        return ifindex;
    }

    @Override
    public int rxQueueIndex() {
        return queue;
    }

    /**
     * {@code bpf_xdp_adjust_head} (net/core/filter.c): the new start may not be before
     * {@code data_hard_start + sizeof(struct xdp_frame) + metalen} (no metadata here) nor past
     * {@code data_end - ETH_HLEN}; else -EINVAL and the frame is unchanged.
     */
    @Override
    public int adjustHead(int delta) {
        long d = (long) data + delta;
        if (d < hardStart + XDP_FRAME_SIZE || d > dataEnd - ETH_HLEN) {
            return Errno.EINVAL.ret();
        }
        data = (int) d;
        return 0;
    }

    /**
     * {@code bpf_xdp_redirect_map} for an XSKMAP ({@code __bpf_xdp_redirect_map}, net/core/filter.c,
     * with {@code __xsk_map_lookup_elem}): a flag bit above the action bits is XDP_ABORTED; a map
     * that is no XSKMAP (the verifier would have refused the program) too; an index out of range,
     * an empty slot or a detached map (its provider being updated: taken as empty, the RX path
     * never waits) clears the redirect and returns the flags' action; else the socket is chosen
     * and XDP_REDIRECT returned.
     */
    @Override
    public int redirectMap(int map, int key, long flags) {
        if ((flags & ~ACTION_MASK) != 0) {
            return XdpAction.XDP_ABORTED;
        }
        MapObject m = map >= 0 && map < xskMaps.length ? xskMaps[map] : null;
        if (m == null) {
            return XdpAction.XDP_ABORTED;
        }
        XdpSocket s = m.xskAt(key);
        target = s;
        return s == null ? (int) (flags & ACTION_MASK) : XdpAction.XDP_REDIRECT;
    }
}
