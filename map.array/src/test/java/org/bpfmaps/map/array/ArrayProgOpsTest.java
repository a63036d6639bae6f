package org.bpfmaps.map.array;

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

/** ARRAY and PERCPU_ARRAY through the map helpers a program calls (through the core's checks). */
class ArrayProgOpsTest {
    private final ProviderHost runtime = Standalone.create();
    private final ArrayProvider provider = new ArrayProvider();
    private final BpfInstance bpf;

    ArrayProgOpsTest() {
        runtime.addProvider(provider);
        bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(2));
    }

    @AfterEach
    void close() {
        bpf.close();
    }

    private int create(MapType t, int valueSize, int flags) {
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(t, 4, valueSize, 4).flags(flags));
        assertTrue(fd >= 3, Errno.nameOf(fd));
        return fd;
    }

    private byte[] sysLookup(int fd, int key, int size) {
        ByteBuffer v = ByteBuffer.allocate(size);
        assertEquals(0, bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, u32(key), v, 0)));
        return v.array();
    }

    @Test
    void aProgramReadsAndWritesAnArrayAsUserSpaceDoes() {
        int fd = create(MapType.ARRAY, 4, 0);
        ProgMapAccess p = ProgMapAccess.forFd(bpf, fd);
        assertEquals(0, p.updateElem(u32(2), hex("01020304"), BpfFlags.ANY));
        assertArrayEquals(hex("01020304").array(), sysLookup(fd, 2, 4));
        ByteBuffer out = ByteBuffer.allocate(4);
        assertEquals(0, p.lookupElem(u32(2), out));
        assertArrayEquals(hex("01020304").array(), out.array());
        assertEquals(Errno.ENOENT.ret(), p.lookupElem(u32(4), out), "an index past max_entries finds nothing");
    }

    @Test
    void updateFlagsAreArrayMapUpdateElemsChecksInItsOrder() {
        ProgMapAccess p = ProgMapAccess.forFd(bpf, create(MapType.ARRAY, 8, 0));
        ByteBuffer v = ByteBuffer.allocate(8);
        assertEquals(Errno.EINVAL.ret(), p.updateElem(u32(0), v, 3), "flags above BPF_EXIST");
        assertEquals(Errno.EEXIST.ret(), p.updateElem(u32(0), v, BpfFlags.NOEXIST));
        assertEquals(Errno.E2BIG.ret(), p.updateElem(u32(9), v, BpfFlags.F_LOCK), "the index before BPF_F_LOCK");
        assertEquals(Errno.EINVAL.ret(), p.updateElem(u32(0), v, BpfFlags.F_LOCK), "no spin lock in the value");
        assertEquals(0, p.updateElem(u32(0), v, BpfFlags.EXIST));
        assertEquals(Errno.EINVAL.ret(), p.deleteElem(u32(0)), "array elements cannot be deleted");
        assertEquals(Errno.EINVAL.ret(), p.pushElem(v, 0), "the verifier allows no push on an array");
        assertEquals(Errno.EINVAL.ret(), p.popElem(v));
        assertEquals(Errno.EINVAL.ret(), p.peekElem(v));
    }

    @Test
    void aPerCpuArrayIsTheCurrentCpusValueOnly() {
        int fd = create(MapType.PERCPU_ARRAY, 4, 0);
        // user space writes both CPUs, padding included
        assertEquals(0, bpf.bpf(BpfCmd.MAP_UPDATE_ELEM,
                new MapElemAttr().set(fd, u32(1), hex("11111111e0e0e0e022222222e1e1e1e1"), 0)));
        ProgMapAccess p = ProgMapAccess.forFd(bpf, fd);
        ByteBuffer out = ByteBuffer.allocate(4);
        try (CurrentCpu.Scope s = CurrentCpu.bind(1)) {
            assertEquals(0, p.lookupElem(u32(1), out));
            assertArrayEquals(hex("22222222").array(), out.array(), "CPU 1's value");
            assertEquals(0, p.updateElem(u32(1), hex("33333333"), BpfFlags.ANY));
        }
        assertArrayEquals(hex("11111111e0e0e0e033333333e1e1e1e1").array(), sysLookup(fd, 1, 16),
                "CPU 1's value_size bytes changed; CPU 0 and CPU 1's padding are as they were");
        try (CurrentCpu.Scope s = CurrentCpu.bind(0)) {
            assertEquals(0, p.lookupElem(u32(1), out));
            assertArrayEquals(hex("11111111").array(), out.array(), "CPU 0's value");
        }
    }

    @Test
    void rdonlyProgRefusesWritesAndWronlyProgRefusesReadsToProgramsOnly() {
        int ro = create(MapType.ARRAY, 4, BpfFlags.F_RDONLY_PROG);
        ProgMapAccess p = ProgMapAccess.forFd(bpf, ro);
        assertEquals(Errno.EACCES.ret(), p.updateElem(u32(0), hex("01010101"), 0));
        assertEquals(Errno.EACCES.ret(), p.deleteElem(u32(0)));
        assertEquals(Errno.EACCES.ret(), p.pushElem(hex("01010101"), 0), "before the type's own EINVAL");
        assertEquals(Errno.EACCES.ret(), p.popElem(ByteBuffer.allocate(4)));
        assertEquals(0, bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(ro, u32(0), hex("05060708"), 0)),
                "user space still writes it");
        ByteBuffer out = ByteBuffer.allocate(4);
        assertEquals(0, p.lookupElem(u32(0), out));
        assertArrayEquals(hex("05060708").array(), out.array());

        int wo = create(MapType.ARRAY, 4, BpfFlags.F_WRONLY_PROG);
        ProgMapAccess w = ProgMapAccess.forFd(bpf, wo);
        assertEquals(Errno.EACCES.ret(), w.lookupElem(u32(0), out));
        assertEquals(0, w.updateElem(u32(0), hex("0a0b0c0d"), 0));
        assertArrayEquals(hex("0a0b0c0d").array(), sysLookup(wo, 0, 4), "user space still reads it");
    }

    @Test
    void programsWriteAFrozenMap() {
        int fd = create(MapType.ARRAY, 4, 0);
        assertEquals(0, bpf.bpf(BpfCmd.MAP_FREEZE, new MapElemAttr().set(fd, null, null, 0)));
        assertEquals(Errno.EPERM.ret(), bpf.bpf(BpfCmd.MAP_UPDATE_ELEM,
                new MapElemAttr().set(fd, u32(0), hex("01010101"), 0)), "frozen for user space");
        assertEquals(0, ProgMapAccess.forFd(bpf, fd).updateElem(u32(0), hex("02020202"), 0));
        assertArrayEquals(hex("02020202").array(), sysLookup(fd, 0, 4));
    }

    @Test
    void aDetachedMapIsEnodev() {
        ProgMapAccess p = ProgMapAccess.forFd(bpf, create(MapType.ARRAY, 4, 0));
        runtime.removeProvider(provider);
        assertEquals(Errno.ENODEV.ret(), p.lookupElem(u32(0), ByteBuffer.allocate(4)));
        runtime.addProvider(provider);
        assertEquals(0, p.lookupElem(u32(0), ByteBuffer.allocate(4)), "re-attached");
    }
}
