package org.bpfmaps.core.prog;

/**
 * The verdicts of XDP programs ({@code enum xdp_action} in include/uapi/linux/bpf.h). A value the
 * device does not know is taken as {@link #XDP_ABORTED}, as {@code bpf_warn_invalid_xdp_action}
 * followed by the drop of the drivers does.
 */
public final class XdpAction {
    private XdpAction() {
    }

    /** The program failed: the frame is dropped and counted as an exception. */
    public static final int XDP_ABORTED = 0;
    /** The frame is dropped. */
    public static final int XDP_DROP = 1;
    /** The frame goes on to the network stack (the listener the application registered). */
    public static final int XDP_PASS = 2;
    /** The frame goes back out of the device it came in on. */
    public static final int XDP_TX = 3;
    /** The frame goes where the last {@code bpf_redirect_map} of the run chose (an XSK socket). */
    public static final int XDP_REDIRECT = 4;

    /** Whether {@code action} is one of the five. */
    public static boolean known(int action) {
        return action >= XDP_ABORTED && action <= XDP_REDIRECT;
    }
}
