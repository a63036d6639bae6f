package org.bpfmaps.core.prog;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The context of an XDP program ({@code struct xdp_md}): one frame received on a device's RX queue.
 *
 * <p>The frame is where it was received, in zero-copy mode the UMEM frame of the XSK socket bound
 * to the queue: {@link #frame()} is a view of that memory, and the packet is its bytes from
 * {@link #data()} (inclusive) to {@link #dataEnd()} (exclusive), absolute offsets into the view as
 * {@code xdp_md.data} and {@code data_end} are pointers into the kernel's buffer. The program reads
 * and writes them in place; nothing is copied and nothing is allocated per run. The bytes before
 * {@code data()} are headroom {@link #adjustHead} may take.
 */
@ProviderType
public interface XdpContext extends ProgContext {
    /**
     * The memory of the frame, writable, valid during the run only. Its position and limit are not
     * the packet's bounds: use absolute offsets between {@link #data()} and {@link #dataEnd()}.
     */
    ByteBuffer frame();

    /** {@code xdp_md.data}: the offset in {@link #frame()} of the packet's first byte. */
    int data();

    /** {@code xdp_md.data_end}: the offset in {@link #frame()} just past the packet's last byte. */
    int dataEnd();

    /** {@code xdp_md.ingress_ifindex}: the device the frame came in on. */
    int ingressIfindex();

    /** {@code xdp_md.rx_queue_index}: the RX queue it came in on. */
    int rxQueueIndex();

    /**
     * {@code bpf_xdp_adjust_head}: moves {@link #data()} by {@code delta} bytes (negative grows the
     * packet into the headroom, positive shrinks it from the front).
     *
     * @return 0, or -EINVAL when the new start would be before the usable headroom (the kernel keeps
     *     {@code sizeof(struct xdp_frame)} and the metadata at the buffer's start) or leave fewer than
     *     an Ethernet header's 14 bytes (ETH_HLEN) before the end; the frame is then unchanged
     */
    int adjustHead(int delta);

    /**
     * {@code bpf_redirect_map} for an XSKMAP at index {@code map} of the program's maps: chooses the
     * XSK socket at {@code key} and returns {@link XdpAction#XDP_REDIRECT}; when the slot is empty or
     * the key out of range returns the action in the low two bits of {@code flags}; any other flag
     * bit returns {@link XdpAction#XDP_ABORTED} (XSKMAP's flag mask is 0). The program returns what
     * this returns to redirect.
     */
    int redirectMap(int map, int key, long flags);
}
