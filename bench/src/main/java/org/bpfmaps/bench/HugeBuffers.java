package org.bpfmaps.bench;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Direct buffers backed by transparent huge pages, for the benchmarks that measure what 2 MiB
 * pages save over 4 KiB ones (issue 22). {@code ByteBuffer.allocateDirect} zeroes its memory at
 * once, so the kernel has mapped 4 KiB pages before anyone could {@code madvise} them; here the
 * memory is mmap'ed untouched, advised {@code MADV_HUGEPAGE} on a 2 MiB-aligned range, and only
 * then touched, so that each first touch faults in a whole huge page (THP in {@code madvise}
 * mode). The memory is never unmapped: a benchmark's tables live as long as its JVM.
 *
 * <p>What it showed on this machine (AMD EPYC VM, 32 MiB L3, THP {@code [madvise]}; December
 * 2026, {@link HugePageProbe}, medians of 20-30 interleaved pairs, load average 1.5-9): huge over
 * 4 KiB pages 0.97-1.02x for the one-miss table's lookups and 0.95-0.97x for the chained floor's
 * at 1M entries, 1.02-1.07x and 0.93-0.96x at 4M (128 MiB tables); a pointer chase, where no
 * lookup overlaps the next, 0.88x and 0.94x at 1M. A few percent, nowhere near the 1.3x that
 * would pay for a native allocator in the maps: this core's TLBs and page-walk caches hide most
 * of a 4 KiB page walk, and independent lookups overlap the rest. The floors of
 * {@link HashBench} therefore stay on 4 KiB pages, as the maps are; the huge variants are kept
 * to measure it again on other hardware.
 */
final class HugeBuffers {
    static final long HUGE = 2L << 20;
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 2;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MADV_HUGEPAGE = 14;

    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private HugeBuffers() {
    }

    private static native long mmap(long addr, long len, int prot, int flags, int fd, long off);

    private static native int madvise(long addr, long len, int advice);

    /** A zeroed direct buffer of bytes (at most 2 GiB - 1), huge-page backed where THP allows. */
    static ByteBuffer allocate(int bytes) {
        long len = (bytes + HUGE - 1) & -HUGE;
        long raw = mmap(0, len + HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == -1) {
            throw new OutOfMemoryError("mmap of " + (len + HUGE) + " bytes failed: errno " + Native.getLastError());
        }
        long at = (raw + HUGE - 1) & -HUGE;
        if (madvise(at, len, MADV_HUGEPAGE) != 0) {
            throw new IllegalStateException("madvise(MADV_HUGEPAGE) failed: errno " + Native.getLastError());
        }
        ByteBuffer b = new Pointer(at).getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
        // first touch, one write per 4 KiB: each fault in an advised 2 MiB range maps a huge page
        for (int p = 0; p < bytes; p += 4096) {
            b.put(p, (byte) 0);
        }
        return b;
    }

    /** The kB of anonymous huge pages this process maps (the sum of smaps' AnonHugePages). */
    static long anonHugeKb() {
        try {
            return Files.readAllLines(Path.of("/proc/self/smaps_rollup")).stream()
                    .filter(l -> l.startsWith("AnonHugePages:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                    .sum();
        } catch (IOException e) {
            return -1;
        }
    }
}
