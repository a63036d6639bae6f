package org.bpfmaps.map.hash;

import static org.bpfmaps.testsupport.ProviderFixture.hex;
import static org.bpfmaps.testsupport.ProviderFixture.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.impl.ProgMapAccess;
import org.bpfmaps.core.spi.CurrentCpu;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The hash family through the map helpers a program calls (through the core's checks). */
class HashProgOpsTest {
    private final ProviderHost runtime = Standalone.create();
    private final BpfInstance bpf;

    HashProgOpsTest() {
        runtime.addProvider(new HashProvider());
        bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(2));
    }

    @AfterEach
    void close() {
        bpf.close();
    }

    private int create(MapType t, int valueSize, int maxEntries, int flags) {
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(t, 4, valueSize, maxEntries).flags(flags));
        assertTrue(fd >= 3, Errno.nameOf(fd));
        return fd;
    }

    private int sysUpdate(int fd, int key, ByteBuffer v) {
        return bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, u32(key), v, 0));
    }

    /** The value user space reads, or null when the key is missing. */
    private byte[] sysLookup(int fd, int key, int size) {
        ByteBuffer v = ByteBuffer.allocate(size);
        int r = bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, u32(key), v, 0));
        return r == 0 ? v.array() : null;
    }

    @ParameterizedTest
    @EnumSource(names = {"PERCPU_HASH", "LRU_PERCPU_HASH"})
    void aPerCpuElementAProgramCreatesHoldsItsCpusValueAndZerosElsewhere(MapType t) {
        int fd = create(t, 4, 8, 0);
        ProgMapAccess p = ProgMapAccess.forFd(bpf, fd);
        try (CurrentCpu.Scope s = CurrentCpu.bind(1)) {
            assertEquals(0, p.updateElem(u32(7), hex("abababab"), BpfFlags.NOEXIST));
            ByteBuffer out = ByteBuffer.allocate(4);
            assertEquals(0, p.lookupElem(u32(7), out));
            assertArrayEquals(hex("abababab").array(), out.array());
        }
        assertArrayEquals(hex("0000000000000000abababab00000000").array(), sysLookup(fd, 7, 16),
                "pcpu_init_value: the current CPU's value, the others zeroed");
    }

    @ParameterizedTest
    @EnumSource(names = {"PERCPU_HASH", "LRU_PERCPU_HASH"})
    void aProgramUpdatesItsCpusValueInPlaceLeavingTheRest(MapType t) {
        int fd = create(t, 4, 8, 0);
        assertEquals(0, sysUpdate(fd, 3, hex("11111111e0e0e0e022222222e1e1e1e1")));
        ProgMapAccess p = ProgMapAccess.forFd(bpf, fd);
        ByteBuffer out = ByteBuffer.allocate(4);
        try (CurrentCpu.Scope s = CurrentCpu.bind(0)) {
            assertEquals(0, p.lookupElem(u32(3), out));
            assertArrayEquals(hex("11111111").array(), out.array(), "a program reads its CPU's value_size bytes");
            assertEquals(0, p.updateElem(u32(3), hex("33333333"), BpfFlags.EXIST));
        }
        assertArrayEquals(hex("33333333e0e0e0e022222222e1e1e1e1").array(), sysLookup(fd, 3, 16),
                "pcpu_copy_value for a program: value_size bytes of one CPU, its padding untouched");
        assertEquals(Errno.EEXIST.ret(), p.updateElem(u32(3), hex("44444444"), BpfFlags.NOEXIST));
        assertEquals(Errno.ENOENT.ret(), p.updateElem(u32(4), hex("44444444"), BpfFlags.EXIST));
    }

    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void flagsAboveBpfExistAndBpfFLockAreEinvalFromAProgram(MapType t) {
        ProgMapAccess p = ProgMapAccess.forFd(bpf, create(t, 8, 8, 0));
        ByteBuffer v = ByteBuffer.allocate(8);
        assertEquals(Errno.EINVAL.ret(), p.updateElem(u32(1), v, 3));
        assertEquals(Errno.EINVAL.ret(), p.updateElem(u32(1), v, BpfFlags.F_LOCK), "no spin lock in the value");
        assertEquals(0, p.updateElem(u32(1), v, BpfFlags.ANY));
        assertEquals(0, p.deleteElem(u32(1)));
        assertEquals(Errno.ENOENT.ret(), p.deleteElem(u32(1)));
        assertEquals(Errno.EINVAL.ret(), p.pushElem(v, 0), "the verifier allows no push on a hash");
    }

    @Test
    void aProgramsLookupKeepsAnLruKeyFromEvictionAndAUserSpaceLookupDoesNot() {
        // htab_lru_map_lookup_elem sets the reference bit; htab_lru_map_lookup_elem_sys does not
        int progFd = create(MapType.LRU_HASH, 8, 4, 0);
        int sysFd = create(MapType.LRU_HASH, 8, 4, 0);
        for (int fd : new int[] {progFd, sysFd}) {
            for (int k = 1; k <= 4; k++) {
                assertEquals(0, sysUpdate(fd, k, ByteBuffer.allocate(8)));
            }
        }
        assertEquals(0, ProgMapAccess.forFd(bpf, progFd).lookupElem(u32(1), ByteBuffer.allocate(8)));
        assertTrue(sysLookup(sysFd, 1, 8) != null);
        assertEquals(0, sysUpdate(progFd, 5, ByteBuffer.allocate(8)));
        assertEquals(0, sysUpdate(sysFd, 5, ByteBuffer.allocate(8)));
        assertTrue(sysLookup(progFd, 1, 8) != null, "the key a program looked up survived");
        assertEquals(null, sysLookup(progFd, 2, 8), "the next oldest went in its place");
        assertEquals(null, sysLookup(sysFd, 1, 8), "a user-space lookup did not protect the oldest");
    }

    @Test
    void theBoundCpuIsTheLruListAnInsertTakesFrom() {
        // BPF_F_NO_COMMON_LRU, 4 entries on 2 CPUs: each CPU's list owns 2 elements
        int fd = create(MapType.LRU_HASH, 8, 4, BpfFlags.F_NO_COMMON_LRU);
        ProgMapAccess p = ProgMapAccess.forFd(bpf, fd);
        try (CurrentCpu.Scope s = CurrentCpu.bind(0)) {
            for (int k = 1; k <= 4; k++) {
                assertEquals(0, p.updateElem(u32(k), ByteBuffer.allocate(8), BpfFlags.ANY));
            }
        }
        assertEquals(2, count(fd), "four inserts on CPU 0 share its 2 elements");
        try (CurrentCpu.Scope s = CurrentCpu.bind(1)) {
            for (int k = 11; k <= 12; k++) {
                assertEquals(0, p.updateElem(u32(k), ByteBuffer.allocate(8), BpfFlags.ANY));
            }
        }
        assertEquals(4, count(fd), "CPU 1's inserts took CPU 1's elements and evicted none of CPU 0's");
        assertTrue(sysLookup(fd, 3, 8) != null && sysLookup(fd, 4, 8) != null);
    }

    private int count(int fd) {
        int n = 0;
        ByteBuffer key = null;
        ByteBuffer next = ByteBuffer.allocate(4);
        for (;;) {
            MapElemAttr a = new MapElemAttr().set(fd, key, null, 0);
            a.nextKey = next;
            if (bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, a) != 0 || n >= 100) {
                break;
            }
            n++;
            key = ByteBuffer.wrap(next.array().clone());
        }
        return n;
    }

    @Test
    void programsWriteAFrozenHash() {
        int fd = create(MapType.HASH, 4, 4, 0);
        assertEquals(0, bpf.bpf(BpfCmd.MAP_FREEZE, new MapElemAttr().set(fd, null, null, 0)));
        assertEquals(Errno.EPERM.ret(), sysUpdate(fd, 1, hex("01010101")));
        assertEquals(0, ProgMapAccess.forFd(bpf, fd).updateElem(u32(1), hex("02020202"), 0));
        assertArrayEquals(hex("02020202").array(), sysLookup(fd, 1, 4));
    }
}
