package org.bpfmaps.core.xdp;

/**
 * The XDP program running on a device, as RTM_GETLINK's {@code IFLA_XDP} reports it (bpftool's
 * {@code net show}): the mode, the program's id and, when a BPF link runs it, the link's id.
 *
 * @param ifindex the device
 * @param attached {@link #ATTACHED_NONE}, {@link #ATTACHED_DRV} or {@link #ATTACHED_SKB}
 *     ({@code XDP_ATTACHED_*} of include/uapi/linux/if_link.h)
 * @param progId the program's id, or 0
 * @param linkId the id of the link that runs it, or 0 for a link-less program (or none)
 */
public record XdpAttachment(int ifindex, int attached, int progId, int linkId) {
    /** {@code XDP_ATTACHED_NONE}. */
    public static final int ATTACHED_NONE = 0;
    /** {@code XDP_ATTACHED_DRV}: native mode. */
    public static final int ATTACHED_DRV = 1;
    /** {@code XDP_ATTACHED_SKB}: generic mode. */
    public static final int ATTACHED_SKB = 2;

    /** The word bpftool's {@code net show} prints for the mode: driver, generic, or none. */
    public String modeName() {
        return switch (attached) {
            case ATTACHED_DRV -> "driver";
            case ATTACHED_SKB -> "generic";
            default -> "none";
        };
    }
}
