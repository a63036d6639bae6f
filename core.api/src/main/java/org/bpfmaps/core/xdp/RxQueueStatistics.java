package org.bpfmaps.core.xdp;

/**
 * The counters of one RX queue of a device ({@link RxQueue#statistics()}), as a driver's
 * per-queue ethtool statistics ({@code rx_packets}, {@code rx_xdp_drop}, ...) give them. Every
 * frame offered to the queue is counted in {@code packets} and then in exactly one other counter.
 *
 * @param packets frames offered to the queue ({@code rx_packets})
 * @param bytes their bytes
 * @param pass frames the program passed (or no program ran): handed to the device's pass listener
 * @param drop frames the program dropped (XDP_DROP)
 * @param tx frames the program sent back out (XDP_TX), handed to the device's TX listener
 * @param redirect frames redirected into an XSK socket's RX ring
 * @param aborted frames dropped as XDP_ABORTED: the program returned it, threw, or returned a
 *     verdict that is none of the five ({@code trace_xdp_exception})
 * @param redirectErrors frames the program redirected and that reached no socket
 *     ({@code xdp_do_redirect} failed: no redirect chosen, a socket bound elsewhere, a full RX
 *     ring, a closed socket; the kernel's {@code xdp_redirect_err} tracepoint)
 * @param noBuffer frames dropped before the program because the queue's XSK pool had no free
 *     frame and the FILL ring was empty (the socket's {@code rx_fill_ring_empty_descs} counts it
 *     too)
 * @param oversize frames dropped as longer than the queue's buffer ({@code rx_length_errors})
 * @since 1.1
 */
public record RxQueueStatistics(long packets, long bytes, long pass, long drop, long tx, long redirect,
        long aborted, long redirectErrors, long noBuffer, long oversize) {
}
