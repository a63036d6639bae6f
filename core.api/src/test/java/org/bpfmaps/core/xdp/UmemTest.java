package org.bpfmaps.core.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.junit.jupiter.api.Test;

/**
 * XDP_UMEM_REG's checks, following {@code xdp_umem_reg} in net/xdp/xdp_umem.c; each expected answer
 * was recorded on Linux 6.18 with python ctypes (setsockopt(SOL_XDP, XDP_UMEM_REG) on an
 * AF_XDP socket over an mmap'ed region).
 */
class UmemTest {
    private final List<Errno> errs = new ArrayList<>();
    private final ErrorSink sink = (e, why, a, b) -> {
        errs.add(e);
        String.format(why, a, b); // the reason formats
        return e.ret();
    };

    private Errno reg(long len, int chunk, int headroom, int flags, int txMeta) {
        errs.clear();
        Umem u = Umem.create(new UmemConfig(len, chunk, headroom, flags, txMeta), sink);
        return u == null ? errs.get(0) : null;
    }

    @Test
    void chunkSizeFrom2048ToThePage() {
        assertEquals(null, reg(1 << 16, 2048, 0, 0, 0));
        assertEquals(null, reg(1 << 16, 4096, 0, 0, 0));
        assertEquals(Errno.EINVAL, reg(1 << 16, 1024, 0, 0, 0));
        assertEquals(Errno.EINVAL, reg(1 << 16, 8192, 0, 0, 0));
        assertEquals(Errno.EINVAL, reg(3000 * 4, 3000, 0, 0, 0), "aligned: a power of two");
        // the unaligned mode passes the kernel's checks (6.18 took chunk 3000, len 65536) and is not implemented
        assertEquals(Errno.EOPNOTSUPP, reg(1 << 16, 3000, 0, UmemConfig.UNALIGNED_CHUNK_FLAG, 0));
    }

    @Test
    void lenHoldsWholeChunks() {
        assertEquals(Errno.EINVAL, reg(2048 * 3 + 1, 2048, 0, 0, 0));
        assertEquals(Errno.EINVAL, reg(0, 2048, 0, 0, 0));
        assertEquals(Errno.EINVAL, reg(1000, 2048, 0, 0, 0));
        assertEquals(Errno.ENOMEM, reg(1L << 32, 2048, 0, 0, 0), "over 2 GiB here");
    }

    @Test
    void headroomLeavesXdpHeadroomAndTheSkbTail() {
        // 6.18 took headroom up to 1344 with chunk 2048 and 3392 with chunk 4096 (chunk - 704)
        assertEquals(null, reg(1 << 16, 2048, 1344, 0, 0));
        assertEquals(Errno.EINVAL, reg(1 << 16, 2048, 1345, 0, 0));
        assertEquals(null, reg(1 << 16, 4096, 3392, 0, 0));
        assertEquals(Errno.EINVAL, reg(1 << 16, 4096, 3393, 0, 0));
        assertEquals(Errno.EINVAL, reg(1 << 16, 2048, -1, 0, 0), "a u32: 4294967295");
    }

    @Test
    void flagsAndTxMetadata() {
        assertEquals(Errno.EINVAL, reg(1 << 16, 2048, 0, 8, 0));
        assertEquals(null, reg(1 << 16, 2048, 0, UmemConfig.TX_SW_CSUM, 0));
        assertEquals(null, reg(1 << 16, 2048, 0, UmemConfig.TX_METADATA_LEN, 16));
        assertEquals(Errno.EINVAL, reg(1 << 16, 2048, 0, UmemConfig.TX_METADATA_LEN, 12));
        assertEquals(Errno.EINVAL, reg(1 << 16, 2048, 0, UmemConfig.TX_METADATA_LEN, 256));
        assertEquals(null, reg(1 << 16, 2048, 0, 0, 12), "without the flag the length is not looked at");
    }

    @Test
    void addressesAreCheckedAgainstTheRegion() {
        Umem u = Umem.create(UmemConfig.of(4, 2048), sink);
        assertNotNull(u);
        assertEquals(2048, u.fillAddr(2048 + 100), "xp_check_aligned: an address in a chunk names the chunk");
        assertEquals(-1, u.fillAddr(4 * 2048));
        assertEquals(-1, u.fillAddr(-1L));
        assertTrue(u.validTxDesc(2048, 2048, 0));
        assertFalse(u.validTxDesc(2048 + 1, 2048, 0), "crosses into the next frame");
        assertFalse(u.validTxDesc(3 * 2048 + 100, 2000, 0), "past the region's end");
        assertFalse(u.validTxDesc(4 * 2048, 10, 0), "outside");
        assertFalse(u.validTxDesc(0, 0, 0), "no length");
        assertFalse(u.validTxDesc(0, 10, 4), "unknown option");
        assertTrue(u.validTxDesc(0, 10, XdpSocket.XDP_PKT_CONTD));
        assertFalse(u.validTxDesc(0, -1, 0), "a u32 length");
    }

    /**
     * The region starts on a cache line, as the kernel's pages do, so that a frame of 64 bytes at
     * a chunk's start plus XDP_PACKET_HEADROOM is one line the device and the application pass
     * between them, not two; and it is exactly as long as registered.
     */
    @Test
    void regionStartsOnACacheLine() {
        for (int chunks = 1; chunks <= 9; chunks++) {
            Umem u = Umem.create(new UmemConfig(2048L * chunks, 2048, 0, 0, 0), sink);
            assertNotNull(u);
            assertEquals(0, u.buffer().alignmentOffset(0, 64), "UMEM of " + chunks + " chunks");
            assertEquals(2048 * chunks, u.buffer().capacity());
        }
        for (int entries = 1; entries <= 16; entries *= 2) { // a ring's memory too
            java.nio.ByteBuffer ring = XdpRing.alignedDirect(XdpRing.DESC_OFFSET + entries * XdpRing.DESC_SIZE);
            assertEquals(0, ring.alignmentOffset(0, XdpRing.LINE_PAIR));
            assertEquals(XdpRing.DESC_OFFSET + entries * XdpRing.DESC_SIZE, ring.capacity());
        }
    }
}
