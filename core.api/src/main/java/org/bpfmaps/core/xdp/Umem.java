package org.bpfmaps.core.xdp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;

/**
 * A UMEM: one off-heap region cut into frames of one chunk size, registered on an XSK socket
 * (XDP_UMEM_REG) and shared by every socket bound with XDP_SHARED_UMEM to it. Addresses in the
 * rings are offsets into the region. Frames are written by the device (received packets) and the
 * application (packets to send); the core never writes outside the region: every address from a
 * ring is checked against it first ({@link #fillAddr}, {@link #validTxDesc}).
 */
public final class Umem {
    /** XDP_UMEM_MIN_CHUNK_SIZE (net/xdp/xdp_umem.c). */
    public static final int MIN_CHUNK_SIZE = 2048;
    /** PAGE_SIZE on x86-64: the largest chunk. */
    public static final int PAGE_SIZE = 4096;
    /** XDP_PACKET_HEADROOM (include/linux/bpf.h): what the kernel keeps before each packet for XDP. */
    public static final int XDP_PACKET_HEADROOM = 256;
    /**
     * What 6.18 keeps at the end of a chunk besides the headroom: SKB_DATA_ALIGN(sizeof(struct
     * skb_shared_info)) (320 on x86-64) plus 128, so that a frame can be turned into an skb.
     * Measured: chunk 2048 takes headroom up to 1344, chunk 4096 up to 3392 (2048 - 256 - 448).
     */
    public static final int TAILROOM = 320 + 128;

    private final ByteBuffer area;
    private final long size;
    private final int chunkSize;
    private final int headroom;
    private final int flags;
    private final int txMetadataLen;

    private Umem(UmemConfig c) {
        this.size = c.len();
        this.chunkSize = c.chunkSize();
        this.headroom = c.headroom();
        this.flags = c.flags();
        this.txMetadataLen = (c.flags() & UmemConfig.TX_METADATA_LEN) != 0 ? c.txMetadataLen() : 0;
        this.area = XdpRing.alignedDirect((int) c.len()); // frames start on cache lines, as the kernel's pages
    }

    /**
     * Registers a region as {@code xdp_umem_reg} (net/xdp/xdp_umem.c, 6.18) checks it, in its order;
     * every failure is EINVAL:
     * chunk size under 2048 or over the page size; a flag outside XDP_UMEM_FLAGS_VALID; an aligned
     * chunk size that is no power of two; a length that holds no chunk; an aligned length that is
     * no multiple of the chunk size; a headroom over {@code chunk_size - XDP_PACKET_HEADROOM -
     * SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) - 128}; with XDP_UMEM_TX_METADATA_LEN, a
     * metadata length of 256 or more or not a multiple of 8. (The page alignment of the address
     * cannot fail: the region is the core's.) A region over 2 GiB - 1 is ENOMEM here, the kernel's
     * answer when it cannot pin the pages. The unaligned mode passes the kernel's checks and is then
     * refused with EOPNOTSUPP: not implemented.
     *
     * @return the UMEM, or null after {@code err} was told why
     */
    public static Umem create(UmemConfig c, ErrorSink err) {
        int chunk = c.chunkSize();
        boolean unaligned = (c.flags() & UmemConfig.UNALIGNED_CHUNK_FLAG) != 0;
        if (chunk < MIN_CHUNK_SIZE || chunk > PAGE_SIZE) {
            return fail(err, Errno.EINVAL, "chunk_size %d: from 2048 to the page size (4096)", chunk);
        }
        if ((c.flags() & ~UmemConfig.FLAGS_VALID) != 0) {
            return fail(err, Errno.EINVAL, "flags 0x%x: only UNALIGNED_CHUNK (1), TX_SW_CSUM (2), TX_METADATA_LEN (4)",
                    c.flags());
        }
        if (!unaligned && Integer.bitCount(chunk) != 1) {
            return fail(err, Errno.EINVAL, "chunk_size %d: a power of two unless the unaligned flag is set", chunk);
        }
        long len = c.len();
        if (Long.compareUnsigned(len, chunk) < 0) {
            return fail(err, Errno.EINVAL, "len %d: holds no chunk of %d bytes", len, chunk);
        }
        if (!unaligned && Long.remainderUnsigned(len, chunk) != 0) {
            return fail(err, Errno.EINVAL, "len %d: a multiple of chunk_size %d", len, chunk);
        }
        if (Integer.toUnsignedLong(c.headroom()) > chunk - XDP_PACKET_HEADROOM - TAILROOM) {
            return fail(err, Errno.EINVAL, "headroom %d: at most chunk_size - 704 (%d)",
                    Integer.toUnsignedLong(c.headroom()), chunk - XDP_PACKET_HEADROOM - TAILROOM);
        }
        if ((c.flags() & UmemConfig.TX_METADATA_LEN) != 0
                && (Integer.toUnsignedLong(c.txMetadataLen()) >= 256 || c.txMetadataLen() % 8 != 0)) {
            return fail(err, Errno.EINVAL, "tx_metadata_len %d: under 256 and a multiple of 8",
                    Integer.toUnsignedLong(c.txMetadataLen()));
        }
        if (len > Integer.MAX_VALUE) {
            return fail(err, Errno.ENOMEM, "len %d: a UMEM here is at most %d bytes", len, Integer.MAX_VALUE);
        }
        if (unaligned) {
            return fail(err, Errno.EOPNOTSUPP, "the unaligned chunk mode is not implemented", 0);
        }
        return new Umem(c);
    }

    private static Umem fail(ErrorSink err, Errno e, String why, long a) {
        err.fail(e, why, a);
        return null;
    }

    private static Umem fail(ErrorSink err, Errno e, String why, long a, long b) {
        err.fail(e, why, a, b);
        return null;
    }

    /** Bytes of the region. */
    public long size() {
        return size;
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** Frames in the region ({@code umem->chunks}). */
    public int chunks() {
        return (int) (size / chunkSize);
    }

    public int headroom() {
        return headroom;
    }

    public int flags() {
        return flags;
    }

    /** TX metadata bytes before each TX packet (0 without XDP_UMEM_TX_METADATA_LEN). */
    public int txMetadataLen() {
        return txMetadataLen;
    }

    /**
     * Bytes of packet a received frame holds in copy mode: the chunk less the headroom and
     * XDP_PACKET_HEADROOM ({@code pool->frame_len}).
     */
    public int rxFrameLen() {
        return chunkSize - headroom - XDP_PACKET_HEADROOM;
    }

    /**
     * The region, for the application to read received packets and write packets to send: a view
     * of its own position and limit, in native byte order, sharing the content.
     */
    public ByteBuffer buffer() {
        return area.duplicate().order(ByteOrder.nativeOrder());
    }

    /**
     * The frame start of a FILL address, or -1 when it lies outside the region
     * ({@code xp_check_aligned}: an address anywhere in a chunk stands for the chunk).
     */
    public long fillAddr(long addr) {
        long start = addr & ~(long) (chunkSize - 1);
        return Long.compareUnsigned(start, size) < 0 ? start : -1;
    }

    /**
     * Whether a TX descriptor is one the device may read ({@code xp_aligned_validate_desc},
     * net/xdp/xsk_queue.h): a length, inside one chunk with its metadata, in the region, and no
     * option but XDP_PKT_CONTD (1) and, with TX metadata, XDP_TX_METADATA (2).
     */
    public boolean validTxDesc(long addr, int len, int options) {
        long a = addr - txMetadataLen;
        long l = Integer.toUnsignedLong(len) + txMetadataLen;
        long offset = a & (chunkSize - 1);
        if (len == 0 || offset + l > chunkSize || Long.compareUnsigned(a, size) >= 0) {
            return false;
        }
        int allowed = XdpSocket.XDP_PKT_CONTD | (txMetadataLen > 0 ? XdpSocket.XDP_TX_METADATA : 0);
        return (options & ~allowed) == 0;
    }

    /** Copies {@code len} bytes at {@code addr} (checked by the caller) into {@code dst}. */
    void read(long addr, ByteBuffer dst, int len) {
        ByteBuffer src = area.duplicate();
        src.position((int) addr).limit((int) addr + len);
        dst.put(src);
    }

    /** Copies {@code src} into the region at {@code addr} (checked by the caller). */
    void write(long addr, ByteBuffer src) {
        ByteBuffer dst = area.duplicate();
        dst.position((int) addr);
        dst.put(src);
    }

    @Override
    public String toString() {
        return "UMEM of " + chunks() + " frames of " + chunkSize + " (headroom " + headroom + ")";
    }
}
