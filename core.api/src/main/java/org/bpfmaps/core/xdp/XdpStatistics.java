package org.bpfmaps.core.xdp;

/**
 * A socket's counters as getsockopt(XDP_STATISTICS) gives them ({@code struct xdp_statistics},
 * filled by {@code xsk_getsockopt}, net/xdp/xsk.c).
 *
 * @param rxDropped packets dropped for a reason other than an invalid descriptor: no frame in the
 *     FILL ring, a packet longer than a frame
 * @param rxInvalidDescs the RX ring's invalid descriptors (the device writes RX descriptors from
 *     frames it checked, so as in the kernel this stays 0; a bad FILL address is counted on the
 *     FILL ring, {@link XdpRing#invalidDescs()}, which XDP_STATISTICS does not report)
 * @param txInvalidDescs TX descriptors dropped as invalid (outside the UMEM, crossing a frame,
 *     length 0, unknown options)
 * @param rxRingFull packets dropped because the RX ring was full
 * @param rxFillRingEmptyDescs times the device wanted a frame and the FILL ring was empty
 * @param txRingEmptyDescs times the device looked for a packet to send and the TX ring was empty
 */
public record XdpStatistics(long rxDropped, long rxInvalidDescs, long txInvalidDescs, long rxRingFull,
        long rxFillRingEmptyDescs, long txRingEmptyDescs) {
}
