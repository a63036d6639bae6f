package org.bpfmaps.core.xdp;

/**
 * The four rings of an AF_XDP socket and its UMEM ({@code include/uapi/linux/if_xdp.h}): which
 * side produces into each, and what its entries are.
 */
public enum RingType {
    /** XDP_UMEM_FILL_RING: the application hands free frames (u64 addresses) to the device for receiving. */
    FILL(true, XdpRing.ADDR_SIZE),
    /** XDP_UMEM_COMPLETION_RING: the device gives back the addresses of frames it has sent. */
    COMPLETION(false, XdpRing.ADDR_SIZE),
    /** XDP_RX_RING: the device hands received packets (descriptors) to the application. */
    RX(false, XdpRing.DESC_SIZE),
    /** XDP_TX_RING: the application hands packets (descriptors) to the device to send. */
    TX(true, XdpRing.DESC_SIZE);

    private final boolean applicationProduces;
    private final int entrySize;

    RingType(boolean applicationProduces, int entrySize) {
        this.applicationProduces = applicationProduces;
        this.entrySize = entrySize;
    }

    /** Whether the application is the producer (FILL, TX) or the consumer (RX, COMPLETION). */
    public boolean applicationProduces() {
        return applicationProduces;
    }

    /** Bytes per entry: 8 for an address (FILL, COMPLETION), 16 for a {@code struct xdp_desc} (RX, TX). */
    public int entrySize() {
        return entrySize;
    }
}
