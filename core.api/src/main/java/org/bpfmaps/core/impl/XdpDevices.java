package org.bpfmaps.core.impl;

import static org.bpfmaps.core.api.LinkCreateAttr.BPF_XDP_CPUMAP;
import static org.bpfmaps.core.api.LinkCreateAttr.BPF_XDP_DEVMAP;
import static org.bpfmaps.core.api.LinkCreateAttr.XDP_FLAGS_DRV_MODE;
import static org.bpfmaps.core.api.LinkCreateAttr.XDP_FLAGS_HW_MODE;
import static org.bpfmaps.core.api.LinkCreateAttr.XDP_FLAGS_MODES;
import static org.bpfmaps.core.api.LinkCreateAttr.XDP_FLAGS_REPLACE;
import static org.bpfmaps.core.api.LinkCreateAttr.XDP_FLAGS_SKB_MODE;
import static org.bpfmaps.core.api.LinkCreateAttr.XDP_FLAGS_UPDATE_IF_NOEXIST;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.impl.xdp.DeviceXdp;
import org.bpfmaps.core.xdp.XdpAttachment;

/**
 * The XDP control plane of an instance's devices: which program (link-less) or link runs on each
 * device in each mode, with the rules of {@code dev_xdp_attach} (net/core/dev.c, 6.18) as
 * recorded in corpus/xdp-attach-6.18.json, and the program the RX path runs published to
 * {@link DeviceXdp}. One lock, as the kernel's {@code rtnl_lock}.
 *
 * <p>Modes: every device here has a driver with XDP (the kernel's {@code ndo_bpf}), so no mode
 * flag means native (DRV), as on a veth; generic (SKB) is accepted as well and runs the same
 * program on the same RX path (there is no skb path here to run it later on); native and generic
 * exclude each other (EEXIST), so one program at most runs per device. No device has an offload
 * driver: HW mode is EINVAL when a program would be installed, as a veth's driver answers.
 */
public final class XdpDevices {
    /** The kernel's {@code enum bpf_xdp_mode} order. */
    static final int MODE_SKB = 0;
    static final int MODE_DRV = 1;
    static final int MODE_HW = 2;

    private final DeviceXdp published;
    private final Map<Integer, Dev> devs = new HashMap<>();

    XdpDevices(DeviceXdp published) {
        this.published = published;
    }

    /** One device's {@code xdp_state[mode]}: a link-less program (one reference held) or a link. */
    private static final class Dev {
        final ProgObject[] prog = new ProgObject[3];
        final XdpLink[] link = new XdpLink[3];

        ProgObject current(int mode) {
            return link[mode] != null ? link[mode].prog : prog[mode];
        }
    }

    /** {@code dev_xdp_mode}: the mode of the flags; none given: native, as every device here has a driver with XDP. */
    static int mode(int flags) {
        if ((flags & XDP_FLAGS_HW_MODE) != 0) {
            return MODE_HW;
        }
        if ((flags & XDP_FLAGS_DRV_MODE) != 0) {
            return MODE_DRV;
        }
        return (flags & XDP_FLAGS_SKB_MODE) != 0 ? MODE_SKB : MODE_DRV;
    }

    /**
     * {@code dev_xdp_attach}: a link ({@code link} non-null, {@code newProg} and {@code oldProg}
     * null) or a link-less program ({@code newProg}, null to detach; {@code oldProg} the expected
     * one with {@code XDP_FLAGS_REPLACE}). The caller holds its references on the programs; the
     * device takes one of its own on a link-less program it installs.
     */
    synchronized int attach(int ifindex, XdpLink link, ProgObject newProg, ProgObject oldProg, int flags,
            ErrorSink a) {
        if (Integer.bitCount(flags & XDP_FLAGS_MODES) > 1) {
            return a.fail(Errno.EINVAL, "flags 0x%x: only one XDP mode flag can be set", flags);
        }
        if (oldProg != null && (flags & XDP_FLAGS_REPLACE) == 0) {
            return a.fail(Errno.EINVAL, "an expected program without XDP_FLAGS_REPLACE");
        }
        Dev d = devs.computeIfAbsent(ifindex, i -> new Dev());
        int mode = mode(flags);
        if (d.link[mode] != null) {
            return a.fail(Errno.EBUSY, "device %d: can't replace active BPF XDP link %d", ifindex, d.link[mode].id());
        }
        ProgObject cur = d.current(mode);
        if (link != null && cur != null) {
            return a.fail(Errno.EBUSY, "device %d: can't replace active XDP program (id %d) with BPF link", ifindex,
                    cur.id());
        }
        if ((flags & XDP_FLAGS_REPLACE) != 0 && cur != oldProg) {
            return a.fail(Errno.EEXIST, "device %d: active program (id %d) does not match expected", ifindex,
                    cur == null ? 0 : cur.id());
        }
        if (link != null) {
            newProg = link.prog;
        }
        if (newProg != null) {
            int err = installable(d, ifindex, mode, cur, newProg, flags, a);
            if (err != 0) {
                return err;
            }
        }
        ProgObject old = null;
        if (newProg != cur) {
            if (mode == MODE_HW) {
                return a.fail(Errno.EINVAL, "device %d has no offload driver (XDP_FLAGS_HW_MODE)", ifindex);
            }
            if (link == null && newProg != null && !newProg.retain()) {
                return a.fail(Errno.EBADF, "the program was closed");
            }
            old = d.prog[mode];
            d.prog[mode] = link == null ? newProg : null;
        }
        if (link != null) {
            d.link[mode] = link;
        }
        publish(ifindex, d);
        if (old != null) {
            old.release(); // unpublished first: an RX poll that still runs it holds its own reference
        }
        return 0;
    }

    /** The checks of a program about to run on a device ({@code dev_xdp_attach}, in its order). */
    private int installable(Dev d, int ifindex, int mode, ProgObject cur, ProgObject p, int flags, ErrorSink a) {
        if ((flags & XDP_FLAGS_UPDATE_IF_NOEXIST) != 0 && cur != null) {
            return a.fail(Errno.EBUSY, "device %d: an XDP program (id %d) is already attached", ifindex, cur.id());
        }
        int other = mode == MODE_SKB ? MODE_DRV : MODE_SKB;
        if (mode != MODE_HW && d.current(other) != null) {
            return a.fail(Errno.EEXIST, "device %d: native and generic XDP can't be active at the same time "
                    + "(program id %d runs in the other mode)", ifindex, d.current(other).id());
        }
        if (p.boundIfindex != 0 && p.boundIfindex != ifindex) {
            return a.fail(Errno.EINVAL, "the program is bound to device %d, not %d", p.boundIfindex, ifindex);
        }
        if (p.boundIfindex != 0 && mode == MODE_SKB) {
            return a.fail(Errno.EINVAL, "a device-bound program can't attach in generic mode");
        }
        if (p.expectedAttachType == BPF_XDP_DEVMAP || p.expectedAttachType == BPF_XDP_CPUMAP) {
            return a.fail(Errno.EINVAL, "BPF_XDP_" + (p.expectedAttachType == BPF_XDP_DEVMAP ? "DEVMAP" : "CPUMAP")
                    + " programs can not be attached to a device");
        }
        return 0;
    }

    /**
     * {@code bpf_xdp_link_update}: the link's new program, in the link's mode on its device.
     * ENOLINK once detached; EPERM when {@code expected} is given and is not the link's program;
     * EINVAL for a program of another type or expected attach type. The caller's reference on
     * {@code p} goes to the link (or is dropped when nothing changes or on failure).
     */
    synchronized int update(XdpLink link, ProgObject p, ProgObject expected, ErrorSink a) {
        if (link.ifindex == 0) {
            p.release();
            return a.fail(Errno.ENOLINK, "the link is detached from its device");
        }
        ProgObject old = link.prog;
        if (expected != null && old != expected) {
            p.release();
            return a.fail(Errno.EPERM, "the link runs program %d, not the expected %d", old.id(), expected.id());
        }
        if (old.type != p.type || old.expectedAttachType != p.expectedAttachType) {
            p.release();
            return a.fail(Errno.EINVAL, "the new program's type or expected_attach_type (%d) differs from the "
                    + "link's program's (%d)", p.expectedAttachType, old.expectedAttachType);
        }
        if (old == p) {
            p.release();
            return 0;
        }
        link.prog = p;
        publish(link.ifindex, devs.get(link.ifindex));
        old.release();
        return 0;
    }

    /** {@code bpf_xdp_link_release}: the device no longer runs the link; nothing when already detached. */
    synchronized void detach(XdpLink link) {
        int ifindex = link.ifindex;
        if (ifindex == 0) {
            return;
        }
        Dev d = devs.get(ifindex);
        int mode = mode(link.flags);
        if (d != null && d.link[mode] == link) {
            d.link[mode] = null;
            publish(ifindex, d);
        }
        link.ifindex = 0;
    }

    private void publish(int ifindex, Dev d) {
        ProgObject p = d.current(MODE_DRV);
        published.set(ifindex, p != null ? p : d.current(MODE_SKB));
    }

    /** What runs on a device now (as RTM_GETLINK's IFLA_XDP reports it), with the link's id if a link runs it. */
    public synchronized XdpAttachment state(int ifindex) {
        Dev d = devs.get(ifindex);
        for (int mode : new int[] {MODE_DRV, MODE_SKB}) {
            ProgObject p = d == null ? null : d.current(mode);
            if (p != null) {
                return new XdpAttachment(ifindex, mode == MODE_DRV ? XdpAttachment.ATTACHED_DRV
                        : XdpAttachment.ATTACHED_SKB, p.id(), d.link[mode] == null ? 0 : d.link[mode].id());
            }
        }
        return new XdpAttachment(ifindex, XdpAttachment.ATTACHED_NONE, 0, 0);
    }

    /** Instance close: every link-less program is released and every device runs nothing. */
    synchronized void clear() {
        List<ProgObject> held = new ArrayList<>();
        for (Map.Entry<Integer, Dev> e : devs.entrySet()) {
            for (int m = 0; m < 3; m++) {
                if (e.getValue().prog[m] != null) {
                    held.add(e.getValue().prog[m]);
                    e.getValue().prog[m] = null;
                }
            }
            publish(e.getKey(), e.getValue());
        }
        held.forEach(ProgObject::release);
    }
}
