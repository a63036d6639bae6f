package org.bpfmaps.core.xdp;

import java.util.Objects;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.LinkCreateAttr;
import org.bpfmaps.core.impl.Instance;
import org.bpfmaps.core.impl.LinkCommands;
import org.bpfmaps.core.spi.ObjectHost;

/**
 * Link-less XDP attach, what bpftool's {@code net attach xdp} / {@code net detach xdp} and libbpf's
 * {@code bpf_xdp_attach} do over netlink (RTM_SETLINK with IFLA_XDP: the program's fd, the
 * {@code XDP_FLAGS_*} of {@link LinkCreateAttr}, an expected fd), with the kernel's rules
 * ({@code dev_xdp_attach} in net/core/dev.c, recorded on 6.18 in corpus/xdp-attach-6.18.json):
 * <ul>
 * <li>a device runs one program per mode; attaching again replaces it, unless
 * {@code XDP_FLAGS_UPDATE_IF_NOEXIST} (EBUSY) or {@code XDP_FLAGS_REPLACE} with another program
 * expected (EEXIST);</li>
 * <li>native and generic exclude each other (EEXIST); a mode a BPF link holds refuses link-less
 * attach and detach (EBUSY), and a link refuses a mode a link-less program holds (EBUSY);</li>
 * <li>a program of another type, made for a DEVMAP or CPUMAP, or bound to another device is EINVAL;
 * HW mode is EINVAL (no offload driver here).</li>
 * </ul>
 * The device holds a reference on a link-less program: closing the program's fds leaves it
 * running until it is detached or replaced.
 *
 * <p>Modes here: every device, {@code lo} included, has a driver with XDP, so no mode flag means
 * native ({@code XDP_FLAGS_DRV_MODE}), the zero-copy mode the RX path emulates. The kernel's
 * {@code lo} has no native XDP (EOPNOTSUPP, and no mode flag means generic there): that is the
 * one difference. Generic mode ({@code XDP_FLAGS_SKB_MODE}) is accepted and shown as generic; the
 * program runs on the same RX path at the same place (there is no skb path here to run it later).
 */
public final class XdpAttach {
    /** {@code expectedFd} of {@link #attach}: the request carries no IFLA_XDP_EXPECTED_FD. */
    public static final int NO_EXPECTED_FD = Integer.MIN_VALUE;

    private XdpAttach() {
    }

    /**
     * Attaches {@code progFd} to the device, or detaches ({@code progFd} -1) the program of the
     * flags' mode.
     *
     * @param flags {@code XDP_FLAGS_*}: at most one mode flag, UPDATE_IF_NOEXIST, REPLACE
     * @param expectedFd with {@code XDP_FLAGS_REPLACE}: the program expected on the device now (-1:
     *     none); {@link #NO_EXPECTED_FD} for none given (EINVAL with REPLACE); ignored without REPLACE,
     *     as the kernel ignores the attribute
     * @return 0, or a negated errno: ENODEV (no such device), EBADF, EINVAL, EBUSY, EEXIST, with the
     *     reason in {@code err}
     * @throws IllegalArgumentException for a {@link Bpf} that is not one of the core's instances
     */
    public static int attach(Bpf bpf, int ifindex, int progFd, int flags, int expectedFd, ErrorSink err) {
        return LinkCommands.netlinkAttach(instance(bpf), ifindex, progFd, flags, expectedFd,
                expectedFd != NO_EXPECTED_FD, Objects.requireNonNull(err, "err"));
    }

    /** {@code net detach xdp}: {@link #attach} of fd -1 in the flags' mode (none: native). */
    public static int detach(Bpf bpf, int ifindex, int flags, ErrorSink err) {
        return attach(bpf, ifindex, -1, flags, NO_EXPECTED_FD, err);
    }

    /** What runs on the device now (bpftool's {@code net show}); null for no such device. */
    public static XdpAttachment query(Bpf bpf, int ifindex) {
        Instance in = instance(bpf);
        return NetDevices.of(bpf).byIndex(ifindex) == null ? null : in.xdpDevices().state(ifindex);
    }

    private static Instance instance(Bpf bpf) {
        ObjectHost h = ObjectHost.of(Objects.requireNonNull(bpf, "bpf")).orElse(null);
        if (h instanceof Instance in) {
            return in;
        }
        throw new IllegalArgumentException("devices belong to the core's instances, not to " + bpf);
    }
}
