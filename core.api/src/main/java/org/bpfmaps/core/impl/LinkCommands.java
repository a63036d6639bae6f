package org.bpfmaps.core.impl;

import static org.bpfmaps.core.api.LinkCreateAttr.XDP_FLAGS_MASK;
import static org.bpfmaps.core.api.LinkCreateAttr.XDP_FLAGS_MODES;
import static org.bpfmaps.core.api.LinkCreateAttr.XDP_FLAGS_REPLACE;

import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.LinkCreateAttr;
import org.bpfmaps.core.api.LinkDetachAttr;
import org.bpfmaps.core.api.LinkUpdateAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.xdp.NetDevices;

/**
 * LINK_CREATE, LINK_UPDATE and LINK_DETACH ({@code link_create}, {@code link_update},
 * {@code link_detach} in kernel/bpf/syscall.c) for the links made here, XDP links, and the
 * link-less attach bpftool's {@code net attach xdp} makes over netlink ({@code dev_change_xdp_fd}
 * in net/core/dev.c), each with the kernel's checks in its order, as recorded on 6.18
 * (corpus/xdp-attach-6.18.json). The device rules are {@link XdpDevices}'.
 */
public final class LinkCommands {
    private LinkCommands() {
    }

    static int create(Instance in, LinkCreateAttr a) {
        int[] err = new int[1];
        ProgObject p = prog(in, a.progFd, "prog_fd", a, err);
        if (p == null) {
            return err[0];
        }
        // attach_type_to_prog_type: BPF_XDP is the one attach type of XDP programs on devices
        if (a.attachType != LinkCreateAttr.BPF_XDP || p.type != ProgType.XDP) {
            p.release();
            return a.fail(Errno.EINVAL, "attach_type %d with a " + p.type.bpftoolName() + " program: links here are "
                    + "XDP links (attach_type BPF_XDP, 37, and an XDP program)", Integer.toUnsignedLong(a.attachType));
        }
        // bpf_xdp_link_attach
        if ((a.flags & ~XDP_FLAGS_MODES) != 0) {
            p.release();
            return a.fail(Errno.EINVAL, "flags 0x%x: an XDP link takes only the mode flags (0x%x)", a.flags,
                    XDP_FLAGS_MODES);
        }
        if (NetDevices.of(in).byIndex(a.targetIfindex) == null) {
            p.release();
            return a.fail(Errno.EINVAL, "target_ifindex %d: no such device", Integer.toUnsignedLong(a.targetIfindex));
        }
        XdpLink link = new XdpLink(in.xdpDevices(), p, a.targetIfindex, a.flags);
        // bpf_link_prime takes the id before the device is tried: a refused link has used one up
        if (in.table.publish(link) < 0) {
            link.ifindex = 0;
            link.release();
            return a.fail(Errno.ENOSPC, "no link id is free");
        }
        int r = in.xdpDevices().attach(a.targetIfindex, link, null, null, a.flags, a);
        if (r != 0) {
            link.ifindex = 0;
            link.release();
            return r;
        }
        return ObjCommands.install(in, link, 0, a);
    }

    static int update(Instance in, LinkUpdateAttr a) {
        if (a.tail != 0) {
            return a.fail(Errno.EINVAL, "the attr has non-zero bytes past LINK_UPDATE's last field (offset 16)");
        }
        if ((a.flags & ~LinkUpdateAttr.BPF_F_REPLACE) != 0) {
            return a.fail(Errno.EINVAL, "flags 0x%x: LINK_UPDATE takes only BPF_F_REPLACE (0x4)", a.flags);
        }
        int[] err = new int[1];
        XdpLink link = link(in, a.linkFd, a, err);
        if (link == null) {
            return err[0];
        }
        try {
            ProgObject p = prog(in, a.newProgFd, "new_prog_fd", a, err);
            if (p == null) {
                return err[0];
            }
            ProgObject old = null;
            if ((a.flags & LinkUpdateAttr.BPF_F_REPLACE) != 0) {
                old = prog(in, a.oldProgFd, "old_prog_fd", a, err);
                if (old == null) {
                    p.release();
                    return err[0];
                }
            } else if (a.oldProgFd != 0) {
                p.release();
                return a.fail(Errno.EINVAL, "old_prog_fd %d without BPF_F_REPLACE", a.oldProgFd);
            }
            try {
                return in.xdpDevices().update(link, p, old, a);
            } finally {
                if (old != null) {
                    old.release();
                }
            }
        } finally {
            link.release();
        }
    }

    static int detach(Instance in, LinkDetachAttr a) {
        if (a.tail != 0) {
            return a.fail(Errno.EINVAL, "the attr has non-zero bytes past LINK_DETACH's last field (offset 4)");
        }
        int[] err = new int[1];
        XdpLink link = link(in, a.linkFd, a, err);
        if (link == null) {
            return err[0];
        }
        in.xdpDevices().detach(link);
        link.release();
        return 0;
    }

    /**
     * The link-less attach of {@code progFd} (-1: detach) to a device ({@code do_setlink}'s IFLA_XDP
     * then {@code dev_change_xdp_fd}); {@code expectedFd} is read only with XDP_FLAGS_REPLACE, where
     * {@code hasExpected} false (no IFLA_XDP_EXPECTED_FD in the request) is EINVAL.
     */
    public static int netlinkAttach(Instance in, int ifindex, int progFd, int flags, int expectedFd,
            boolean hasExpected, ErrorSink a) {
        if (NetDevices.of(in).byIndex(ifindex) == null) {
            return a.fail(Errno.ENODEV, "ifindex %d: no such device", Integer.toUnsignedLong(ifindex));
        }
        if ((flags & ~XDP_FLAGS_MASK) != 0) {
            return a.fail(Errno.EINVAL, "flags 0x%x: XDP flags are 0x%x", flags, XDP_FLAGS_MASK);
        }
        if (Integer.bitCount(flags & XDP_FLAGS_MODES) > 1) {
            return a.fail(Errno.EINVAL, "flags 0x%x: only one XDP mode flag can be set", flags);
        }
        boolean replace = (flags & XDP_FLAGS_REPLACE) != 0;
        if (replace && !hasExpected) {
            return a.fail(Errno.EINVAL, "XDP_FLAGS_REPLACE without an expected fd");
        }
        int[] err = new int[1];
        boolean skb = XdpDevices.mode(flags) == XdpDevices.MODE_SKB;
        ProgObject p = null;
        if (progFd >= 0 && (p = xdpProg(in, progFd, skb, a, err)) == null) {
            return err[0];
        }
        ProgObject expected = null;
        if (replace && expectedFd >= 0 && (expected = xdpProg(in, expectedFd, skb, a, err)) == null) {
            if (p != null) {
                p.release();
            }
            return err[0];
        }
        try {
            return in.xdpDevices().attach(ifindex, null, p, expected, flags, a);
        } finally {
            if (p != null) {
                p.release();
            }
            if (expected != null) {
                expected.release();
            }
        }
    }

    /** {@code bpf_prog_get_type_dev(fd, BPF_PROG_TYPE_XDP, attach_drv)}: a reference, or null with the errno. */
    private static ProgObject xdpProg(Instance in, int fd, boolean skb, ErrorSink a, int[] err) {
        ProgObject p = prog(in, fd, "fd", a, err);
        if (p == null) {
            return null;
        }
        if (p.type != ProgType.XDP) {
            p.release();
            err[0] = a.fail(Errno.EINVAL, "fd %d is a " + p.type.bpftoolName() + " program, not an xdp program", fd);
            return null;
        }
        if (skb && p.boundIfindex != 0) {
            p.release();
            err[0] = a.fail(Errno.EINVAL, "fd %d: a device-bound program can't attach in generic mode", fd);
            return null;
        }
        return p;
    }

    /** {@code bpf_prog_get}: a reference on the program behind an fd; EBADF not open, EINVAL another kind. */
    private static ProgObject prog(Instance in, int fd, String field, ErrorSink a, int[] err) {
        BpfObject o = in.table.get(fd);
        if (o == null || !o.retain()) {
            err[0] = a.fail(Errno.EBADF, field + " %d is not an open fd", fd);
            return null;
        }
        if (!(o instanceof ProgObject p)) {
            o.release();
            err[0] = a.fail(Errno.EINVAL, field + " %d is a " + o.kind().name() + ", not a program", fd);
            return null;
        }
        return p;
    }

    /** {@code bpf_link_get_from_fd}: a reference on the link behind an fd; EBADF not open, EINVAL another kind. */
    private static XdpLink link(Instance in, int fd, ErrorSink a, int[] err) {
        BpfObject o = in.table.get(fd);
        if (o == null || !o.retain()) {
            err[0] = a.fail(Errno.EBADF, "link_fd %d is not an open fd", fd);
            return null;
        }
        if (!(o instanceof XdpLink l)) {
            o.release();
            err[0] = a.fail(Errno.EINVAL, "link_fd %d is a " + o.kind().name() + ", not a link", fd);
            return null;
        }
        return l;
    }
}
