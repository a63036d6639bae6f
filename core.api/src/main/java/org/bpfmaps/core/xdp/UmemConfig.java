package org.bpfmaps.core.xdp;

/**
 * What XDP_UMEM_REG asks for ({@code struct xdp_umem_reg}, include/uapi/linux/if_xdp.h): the
 * region's length, the chunk (frame) size, the headroom the device leaves before each packet, the
 * flags ({@link #UNALIGNED_CHUNK_FLAG}, {@link #TX_SW_CSUM}, {@link #TX_METADATA_LEN}) and the TX
 * metadata length. The region itself is the core's (off-heap); there is no address to give.
 *
 * @param len bytes of the region (the kernel's u64 {@code len})
 * @param chunkSize bytes per frame
 * @param headroom bytes the device leaves free at the start of each received frame
 * @param flags the {@code XDP_UMEM_*} flags
 * @param txMetadataLen bytes of TX metadata before each TX packet, with {@link #TX_METADATA_LEN}
 */
public record UmemConfig(long len, int chunkSize, int headroom, int flags, int txMetadataLen) {
    /** XDP_UMEM_UNALIGNED_CHUNK_FLAG: frames anywhere, of any chunk size (not implemented here: EOPNOTSUPP). */
    public static final int UNALIGNED_CHUNK_FLAG = 1;
    /** XDP_UMEM_TX_SW_CSUM: the kernel computes TX checksums asked for in the metadata. */
    public static final int TX_SW_CSUM = 1 << 1;
    /** XDP_UMEM_TX_METADATA_LEN: {@link #txMetadataLen} is taken. */
    public static final int TX_METADATA_LEN = 1 << 2;
    /** The flags the kernel knows (XDP_UMEM_FLAGS_VALID, net/xdp/xdp_umem.c). */
    public static final int FLAGS_VALID = UNALIGNED_CHUNK_FLAG | TX_SW_CSUM | TX_METADATA_LEN;

    /** {@code frames} frames of {@code chunkSize} bytes, no headroom, no flags. */
    public static UmemConfig of(int frames, int chunkSize) {
        return new UmemConfig((long) frames * chunkSize, chunkSize, 0, 0, 0);
    }

    /** The same with another headroom. */
    public UmemConfig withHeadroom(int headroom) {
        return new UmemConfig(len, chunkSize, headroom, flags, txMetadataLen);
    }
}
