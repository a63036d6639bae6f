package org.bpfmaps.core.api;

/**
 * The attr of {@link BpfCmd#LINK_CREATE}: the {@code link_create} struct of {@code union bpf_attr}.
 * The links made here are XDP links ({@link #BPF_XDP}): the program runs on every frame the device
 * {@link #targetIfindex} receives until the link's last reference (fd or pin) goes or
 * {@link BpfCmd#LINK_DETACH} detaches it. On success the command returns the link's fd.
 *
 * <p>The XDP flags ({@code XDP_FLAGS_*} of include/uapi/linux/if_link.h) are also what the
 * link-less attach of {@code org.bpfmaps.core.xdp.XdpAttach} takes.
 */
public final class LinkCreateAttr extends BpfAttr {
    /** {@code BPF_XDP}: the attach type of an XDP program on a device. */
    public static final int BPF_XDP = 37;
    /** {@code BPF_XDP_DEVMAP}: a program's expected attach type for a DEVMAP; such a program attaches to no device. */
    public static final int BPF_XDP_DEVMAP = 33;
    /** {@code BPF_XDP_CPUMAP}: as {@link #BPF_XDP_DEVMAP}, for a CPUMAP. */
    public static final int BPF_XDP_CPUMAP = 35;

    /** Link-less attach only: fail with EBUSY when a program runs on the device already. */
    public static final int XDP_FLAGS_UPDATE_IF_NOEXIST = 1;
    /** Generic mode (the kernel's {@code do_xdp_generic} on the skb path). */
    public static final int XDP_FLAGS_SKB_MODE = 2;
    /** Native (driver) mode: the mode every device here runs; none given means native here. */
    public static final int XDP_FLAGS_DRV_MODE = 4;
    /** Offload to the NIC: no device here has an offload driver (EINVAL). */
    public static final int XDP_FLAGS_HW_MODE = 8;
    /** Link-less attach only: replace the program only if it is the expected one (EEXIST otherwise). */
    public static final int XDP_FLAGS_REPLACE = 16;
    /** The mode flags, of which at most one may be given. */
    public static final int XDP_FLAGS_MODES = XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE | XDP_FLAGS_HW_MODE;
    /** Every XDP flag. */
    public static final int XDP_FLAGS_MASK = XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_MODES | XDP_FLAGS_REPLACE;

    /** {@code prog_fd}: the program. */
    public int progFd;
    /** {@code target_ifindex} (the union's {@code target_fd}): the device. */
    public int targetIfindex;
    /** {@code attach_type}: {@link #BPF_XDP}. */
    public int attachType;
    /** {@code flags}: for XDP, at most one of the mode flags ({@link #XDP_FLAGS_MODES}). */
    public int flags;

    public LinkCreateAttr() {
    }

    /** An XDP link of {@code progFd} on the device {@code ifindex} with these mode flags. */
    public static LinkCreateAttr xdp(int progFd, int ifindex, int flags) {
        LinkCreateAttr a = new LinkCreateAttr();
        a.progFd = progFd;
        a.targetIfindex = ifindex;
        a.attachType = BPF_XDP;
        a.flags = flags;
        return a;
    }
}
