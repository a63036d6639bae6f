package org.bpfmaps.map.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * MAP_CREATE for the hash family: {@code htab_map_alloc_check}'s rules in its order, the sizes the
 * kernel allows (checked against a 6.18 kernel where the corpus says nothing), and
 * BPF_F_NO_COMMON_LRU's rounding of max_entries.
 */
class HashCreateTest {
    private final HashFixture f = new HashFixture(2);

    @AfterEach
    void close() {
        f.close();
    }

    private int create(MapType t, int ks, int vs, int max, int flags) {
        return f.createErr(t, ks, vs, max, flags);
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void zeroSizesAndUnknownFlagsAreInvalid(MapType t) {
        assertEquals(Errno.EINVAL.ret(), create(t, 0, 8, 16, 0));
        assertEquals(Errno.EINVAL.ret(), create(t, 4, 0, 16, 0));
        assertEquals(Errno.EINVAL.ret(), create(t, 4, 8, 0, 0));
        assertEquals(Errno.EINVAL.ret(), create(t, 4, 8, 16, BpfFlags.F_MMAPABLE));
        assertEquals(Errno.EINVAL.ret(), create(t, 4, 8, 16, BpfFlags.F_RDONLY | BpfFlags.F_WRONLY));
        assertEquals(0, create(t, 4, 8, 16, BpfFlags.F_ZERO_SEED | BpfFlags.F_RDONLY_PROG));
    }

    @Test
    void noCommonLruIsForLruTypesOnly() {
        assertEquals(Errno.EINVAL.ret(), create(MapType.HASH, 4, 8, 16, BpfFlags.F_NO_COMMON_LRU));
        assertEquals(Errno.EINVAL.ret(), create(MapType.PERCPU_HASH, 4, 8, 16, BpfFlags.F_NO_COMMON_LRU));
        assertEquals(0, create(MapType.LRU_HASH, 4, 8, 16, BpfFlags.F_NO_COMMON_LRU));
        assertEquals(0, create(MapType.LRU_PERCPU_HASH, 4, 8, 16, BpfFlags.F_NO_COMMON_LRU));
    }

    @Test
    void lruMapsAreAlwaysPreallocated() {
        assertEquals(Errno.ENOTSUPP.ret(), create(MapType.LRU_HASH, 4, 8, 16, BpfFlags.F_NO_PREALLOC));
        assertEquals(Errno.ENOTSUPP.ret(), create(MapType.LRU_PERCPU_HASH, 4, 8, 16, BpfFlags.F_NO_PREALLOC));
        assertEquals(0, create(MapType.HASH, 4, 8, 16, BpfFlags.F_NO_PREALLOC));
        assertEquals(0, create(MapType.PERCPU_HASH, 4, 8, 16, BpfFlags.F_NO_PREALLOC));
    }

    @Test
    void kernelOrderLruNoPreallocBeforeZeroSizes() {
        // checked on 6.18: ENOTSUPP wins over key_size 0 and over NUMA on a per-CPU type
        assertEquals(Errno.ENOTSUPP.ret(), create(MapType.LRU_HASH, 0, 8, 16, BpfFlags.F_NO_PREALLOC));
        assertEquals(Errno.ENOTSUPP.ret(), create(MapType.LRU_PERCPU_HASH, 4, 0, 0, BpfFlags.F_NO_PREALLOC));
        // and NO_COMMON_LRU on a non-LRU type wins over everything after it
        assertEquals(Errno.EINVAL.ret(), create(MapType.HASH, 4, 8, 16,
                BpfFlags.F_NO_COMMON_LRU | BpfFlags.F_NO_PREALLOC));
    }

    @Test
    void numaNodeIsRefusedWithPerCpuValuesOrLists() {
        assertEquals(0, numa(MapType.HASH, 0));
        assertEquals(0, numa(MapType.LRU_HASH, 0));
        assertEquals(Errno.EINVAL.ret(), numa(MapType.PERCPU_HASH, 0));
        assertEquals(Errno.EINVAL.ret(), numa(MapType.LRU_PERCPU_HASH, 0));
        assertEquals(Errno.EINVAL.ret(), numa(MapType.LRU_HASH, BpfFlags.F_NO_COMMON_LRU));
        assertEquals(Errno.ENOTSUPP.ret(), numa(MapType.LRU_PERCPU_HASH, BpfFlags.F_NO_PREALLOC),
                "checked on 6.18: NO_PREALLOC is refused first");
    }

    private int numa(MapType t, int flags) {
        MapCreateAttr a = new MapCreateAttr(t, 4, 8, 16).flags(flags | BpfFlags.F_NUMA_NODE);
        a.numaNode = 0;
        int fd = f.bpf.bpf(BpfCmd.MAP_CREATE, a);
        if (fd >= 0) {
            f.bpf.close(fd);
            return 0;
        }
        return fd;
    }

    @Test
    void keyPlusValueMustStayBelowKmallocMaxMinusTheElementHeader() {
        // measured on 6.18: key 4 + value 4194252 (= 4 MiB - 48) is E2BIG, one byte less is fine
        assertEquals(Errno.E2BIG.ret(), create(MapType.HASH, 4, 4194252, 1, BpfFlags.F_NO_PREALLOC));
        assertEquals(0, create(MapType.HASH, 4, 4194251, 1, BpfFlags.F_NO_PREALLOC));
        assertEquals(Errno.E2BIG.ret(), create(MapType.HASH, 4194252, 4, 1, BpfFlags.F_NO_PREALLOC));
        assertEquals(Errno.E2BIG.ret(), create(MapType.HASH, 4, -1, 1, 0), "value_size u32 max");
        assertEquals(0, create(MapType.HASH, 4096, 8, 4, 0), "no key_size limit of its own");
    }

    @Test
    void perCpuValuesRoundUpToAtMost32KiB() {
        assertEquals(0, create(MapType.PERCPU_HASH, 4, 32768, 2, 0));
        assertEquals(Errno.E2BIG.ret(), create(MapType.PERCPU_HASH, 4, 32769, 2, 0), "rounds up to 32768 + 8");
        assertEquals(0, create(MapType.LRU_PERCPU_HASH, 4, 32761, 2, 0), "rounds up to 32768");
        assertEquals(Errno.E2BIG.ret(), create(MapType.LRU_PERCPU_HASH, 4, 32769, 2, 0));
        assertEquals(0, create(MapType.HASH, 4, 65536, 2, 0), "plain values are not capped so");
    }

    @Test
    void perCpuCapIsTheLastRuleOfTheTypesCheck() {
        // measured on 6.18 with bpf(2): htab_map_alloc_check's own rules win over the 32 KiB cap
        assertEquals(Errno.EINVAL.ret(), create(MapType.PERCPU_HASH, 4, 40000, 16, BpfFlags.F_NO_COMMON_LRU));
        assertEquals(Errno.EINVAL.ret(), create(MapType.PERCPU_HASH, 4, 1 << 30, 16, BpfFlags.F_NO_COMMON_LRU));
        assertEquals(Errno.ENOTSUPP.ret(), create(MapType.LRU_PERCPU_HASH, 4, 40000, 16, BpfFlags.F_NO_PREALLOC));
        assertEquals(Errno.EINVAL.ret(), create(MapType.PERCPU_HASH, 0, 40000, 16, 0));
        assertEquals(Errno.EINVAL.ret(), create(MapType.PERCPU_HASH, 4, 40000, 0, 0));
        // and the cap still answers when nothing before it breaks, even with other flags set
        assertEquals(Errno.E2BIG.ret(), create(MapType.LRU_PERCPU_HASH, 4, 40000, 16, BpfFlags.F_NO_COMMON_LRU));
        assertEquals(Errno.E2BIG.ret(), create(MapType.PERCPU_HASH, 4, 5 << 20, 16, 0));
        assertEquals(Errno.E2BIG.ret(), create(MapType.PERCPU_HASH, 4, 40000, 1 << 31, 0));
    }

    @Test
    void moreThanTwoToThe27BucketsIsTooBig() {
        // measured on 6.18: the bucket array must fit in U32_MAX bytes, so max_entries <= 2^27
        assertEquals(Errno.E2BIG.ret(), create(MapType.HASH, 4, 8, (1 << 27) + 1, BpfFlags.F_NO_PREALLOC));
        assertEquals(Errno.E2BIG.ret(), create(MapType.HASH, 4, 8, 1 << 31, BpfFlags.F_NO_PREALLOC));
        assertEquals(Errno.E2BIG.ret(), create(MapType.HASH, 4, 8, -1, BpfFlags.F_NO_PREALLOC));
    }

    @ParameterizedTest
    @CsvSource({"LRU_HASH,1,2", "LRU_HASH,3,4", "LRU_HASH,16,16", "LRU_PERCPU_HASH,3,4", "LRU_PERCPU_HASH,1,2"})
    void noCommonLruRoundsMaxEntriesUpToACpuMultiple(MapType t, int asked, int made) {
        int fd = f.create(t, 4, 8, asked, BpfFlags.F_NO_COMMON_LRU);
        InfoAttr i = new InfoAttr(fd);
        assertEquals(0, f.bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, i));
        assertEquals(made, MapInfo.read(i.info, i.infoLen).maxEntries());
        assertEquals(made, f.bpf.fdinfo(fd).maxEntries());
    }

    @Test
    void roundingWithThreeCpus() {
        try (HashFixture three = new HashFixture(3)) {
            int fd = three.create(MapType.LRU_HASH, 4, 8, 4, BpfFlags.F_NO_COMMON_LRU);
            assertEquals(6, three.bpf.fdinfo(fd).maxEntries());
            int plain = three.create(MapType.LRU_HASH, 4, 8, 4, 0);
            assertEquals(4, three.bpf.fdinfo(plain).maxEntries(), "the common LRU keeps max_entries");
        }
    }

    @Test
    void memlockIsTheStorage() {
        // 16 buckets of 32 bytes (count, which is also the lock, head, and a home element of header 8 +
        // key 8 + value 8), and 16 overflow slots of 24
        int fd = f.create(MapType.HASH, 4, 8, 16, 0);
        assertEquals(16 * 32 + 16 * 24, f.bpf.fdinfo(fd).memlock());
        // larger elements have 8-byte buckets: 16 of them, 16 slots of header 8 + key 16 + value 64
        int big = f.create(MapType.HASH, 16, 64, 16, 0);
        assertEquals(16 * 8 + 16 * 88, f.bpf.fdinfo(big).memlock());
        // LRU slots carry a 24-byte header; per-CPU values one rounded slot per CPU
        int lru = f.create(MapType.LRU_PERCPU_HASH, 4, 4, 3, 0);
        assertEquals(4 * 8 + 3 * (24 + 8 + 2 * 8), f.bpf.fdinfo(lru).memlock());
    }

    /**
     * A BPF_F_NO_PREALLOC map's memlock is what it holds, as the kernel's: its buckets and
     * per-entry indexes, plus each element's buffer while its key exists. Deletes give memory
     * back, and the figure says so.
     */
    @Test
    void noPreallocMemlockFollowsItsElements() {
        int lazy = f.create(MapType.HASH, 4, 8, 16, BpfFlags.F_NO_PREALLOC);
        long empty = f.bpf.fdinfo(lazy).memlock();
        assertEquals(16 * 8 + 16 * 8, empty, "16 buckets and 16 indexes of 8 bytes");
        for (int k = 0; k < 10; k++) {
            assertEquals(0, f.update(lazy, k, k, 0));
        }
        long element = (f.bpf.fdinfo(lazy).memlock() - empty) / 10;
        assertEquals(empty + 10 * element, f.bpf.fdinfo(lazy).memlock());
        assertEquals(24 + OnDemandElements.OBJECT_BYTES, element, "the slot and its heap objects");
        for (int k = 0; k < 5; k++) {
            assertEquals(0, f.delete(lazy, k));
        }
        assertEquals(empty + 5 * element, f.bpf.fdinfo(lazy).memlock(), "deletes give the memory back");
        assertEquals(0, f.update(lazy, 3, 3, 0));
        assertEquals(empty + 6 * element, f.bpf.fdinfo(lazy).memlock());
    }
}
