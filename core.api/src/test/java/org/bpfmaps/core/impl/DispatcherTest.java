package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.nio.ByteOrder;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.GetIdAttr;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapBatchAttr;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.MmapAttr;
import org.bpfmaps.core.api.ObjAttr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The core's own checks, before any provider runs: fds, access modes, freeze, pins, ids, info,
 * create validation and detaching. Errnos are those measured with bpf(2) on a 6.18 kernel.
 */
class DispatcherTest {
    private final StandaloneRuntime runtime = new StandaloneRuntime();
    private final TinyArrayProvider provider = new TinyArrayProvider();
    private final Instance bpf;

    DispatcherTest() {
        runtime.addProvider(provider, 0, "1.0.0");
        bpf = (Instance) runtime.newInstance(BpfSettings.defaults().withPossibleCpus(2).withMemoryBudget(1 << 20));
    }

    @AfterEach
    void close() {
        bpf.close();
    }

    private static ByteBuffer u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, v);
    }

    private static ByteBuffer u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, v);
    }

    private int array(int flags) {
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 4).flags(flags).name("t"));
        assertTrue(fd >= 3, "create failed: " + Errno.nameOf(fd));
        return fd;
    }

    private int update(int fd, int key, long value) {
        return bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, u32(key), u64(value), 0));
    }

    private long lookup(int fd, int key) {
        ByteBuffer v = u64(-1);
        int r = bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, u32(key), v, 0));
        return r == 0 ? v.getLong(0) : r;
    }

    @Test
    void badFdsAnswerAsTheKernel() {
        int fd = array(0);
        assertEquals(0, bpf.close(fd));
        MapElemAttr a = new MapElemAttr().set(fd, u32(0), u64(0), 0);
        assertEquals(Errno.EBADF.ret(), bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a), "closed fd");
        assertTrue(a.errorMessage().contains("map_fd " + fd), a.errorMessage());
        assertEquals(Errno.EBADF.ret(), bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a.set(900, u32(0), u64(0), 0)));
        assertEquals(Errno.EBADF.ret(), bpf.bpf(BpfCmd.MAP_DELETE_ELEM, a.set(-1, u32(0), null, 0)));
        assertEquals(Errno.EBADF.ret(), bpf.bpf(BpfCmd.MAP_FREEZE, new MapElemAttr(fd)));
        assertEquals(Errno.EBADF.ret(), bpf.bpf(BpfCmd.MAP_LOOKUP_BATCH, new MapBatchAttr(fd)));
        assertEquals(Errno.EBADFD.ret(), bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, new InfoAttr(fd)), "info: EBADFD");
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.OBJ_PIN, new ObjAttr("/sys/fs/bpf/x", fd)), "pin: EINVAL");
        assertEquals(Errno.EBADF.ret(), bpf.close(fd), "close twice");
    }

    @Test
    void lookupChecksFlagsBeforeTheFdButBpfFLockAfter() {
        MapElemAttr a = new MapElemAttr().set(900, u32(0), u64(0), 1);
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a));
        assertEquals(Errno.EBADF.ret(), bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a.set(900, u32(0), u64(0), BpfFlags.F_LOCK)));
        int fd = array(0);
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a.set(fd, u32(0), u64(0), BpfFlags.F_LOCK)));
        assertTrue(a.errorMessage().contains("BPF_F_LOCK"), a.errorMessage());
    }

    @Test
    void deleteAndGetNextKeyTakeNoFlagsAndCheckThemBeforeTheFd() {
        MapElemAttr a = new MapElemAttr().set(900, u32(0), null, BpfFlags.NOEXIST);
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_DELETE_ELEM, a), "flags before the fd");
        assertTrue(a.errorMessage().contains("no flags"), a.errorMessage());
        assertEquals(Errno.EBADF.ret(), bpf.bpf(BpfCmd.MAP_DELETE_ELEM, a.set(900, u32(0), null, 0)));
        // the rest of CHECK_ATTR, as measured on 6.18: a value on a delete, flags on get_next_key
        int fd = array(0);
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_DELETE_ELEM, a.set(fd, u32(0), u64(0), 0)));
        assertTrue(a.errorMessage().contains("value must be NULL"), a.errorMessage());
        MapElemAttr next = new MapElemAttr().set(900, null, null, 1);
        next.nextKey = u32(0);
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, next), "flags before the fd");
        assertTrue(next.errorMessage().contains("no flags"), next.errorMessage());
    }

    @Test
    void nullAndTooSmallBuffersAreEfault() {
        int fd = array(0);
        MapElemAttr a = new MapElemAttr();
        assertEquals(Errno.EFAULT.ret(), bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a.set(fd, null, u64(0), 0)));
        assertEquals(Errno.EFAULT.ret(), bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a.set(fd, u32(0), null, 0)));
        assertEquals(Errno.EFAULT.ret(), bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a.set(fd, u32(0), ByteBuffer.allocate(7), 0)));
        assertEquals(Errno.EFAULT.ret(), bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a.set(fd, ByteBuffer.allocate(3), u64(1), 0)));
        assertTrue(a.errorMessage().contains("key_size (4)"), a.errorMessage());
        assertEquals(Errno.EFAULT.ret(), bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM,
                a.set(fd, u32(0), u64(0).asReadOnlyBuffer(), 0)), "a read-only buffer cannot be written");
        assertEquals(Errno.ENOENT.ret(), bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a.set(fd, u32(9), null, 0)),
                "a miss answers ENOENT before the value would be copied out");
        MapElemAttr next = new MapElemAttr(fd);
        assertEquals(Errno.EFAULT.ret(), bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, next), "next_key NULL");
        assertEquals(0, lookup(fd, 0), "nothing changed");
    }

    @Test
    void bufferPositionsAreThePointersAndAreNotMoved() {
        int fd = array(0);
        ByteBuffer key = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putInt(8, 2).position(8);
        ByteBuffer value = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder()).putLong(12, 77).position(12);
        assertEquals(0, bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, key, value, 0)));
        assertEquals(8, key.position());
        assertEquals(12, value.position());
        assertEquals(77, lookup(fd, 2));
    }

    @Test
    void attrsAndCommandsThatDoNotFit() {
        assertEquals(Errno.EFAULT.ret(), bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, null));
        MapCreateAttr c = new MapCreateAttr();
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, c), "a create attr for a lookup");
        assertTrue(c.errorMessage().contains("MapCreateAttr"), c.errorMessage());
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.PROG_LOAD, c));
        assertTrue(c.errorMessage().contains("MapCreateAttr"), c.errorMessage());
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.BTF_LOAD, c));
        assertTrue(c.errorMessage().contains("not implemented"), c.errorMessage());
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(200, c));
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(200, null));
        MapElemAttr f = new MapElemAttr(array(0));
        f.flags = 1;
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_FREEZE, f), "freeze reads only map_fd");
    }

    @Test
    void createValidation() {
        MapCreateAttr a = new MapCreateAttr(MapType.ARRAY, 4, 8, 4);
        a.mapType = 999;
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_CREATE, a));
        assertTrue(a.errorMessage().contains("999"), a.errorMessage());
        a = new MapCreateAttr(MapType.HASH, 4, 8, 4);
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_CREATE, a));
        assertTrue(a.errorMessage().contains("hash") && a.errorMessage().contains("no installed provider"),
                a.errorMessage());
        assertEquals(Errno.EINVAL.ret(), create(new MapCreateAttr(MapType.ARRAY, 8, 8, 4)), "key_size");
        assertEquals(Errno.EINVAL.ret(), create(new MapCreateAttr(MapType.ARRAY, 4, 0, 4)), "value_size 0");
        assertEquals(Errno.EINVAL.ret(), create(new MapCreateAttr(MapType.ARRAY, 4, 8, 0)), "max_entries 0");
        assertEquals(Errno.E2BIG.ret(), create(new MapCreateAttr(MapType.ARRAY, 4, 0x80000000, 1)), "> INT_MAX");
        assertEquals(Errno.EINVAL.ret(), create(new MapCreateAttr(MapType.ARRAY, 4, 8, 4).flags(1 << 20)));
        assertEquals(Errno.EINVAL.ret(), create(new MapCreateAttr(MapType.ARRAY, 4, 8, 4)
                .flags(BpfFlags.F_RDONLY | BpfFlags.F_WRONLY)));
        assertEquals(Errno.EINVAL.ret(), create(new MapCreateAttr(MapType.ARRAY, 4, 8, 4).name("a-b")));
        assertEquals(Errno.EINVAL.ret(), create(new MapCreateAttr(MapType.ARRAY, 4, 8, 4).name("abcdefghijklmnop")));
        MapCreateAttr numa = new MapCreateAttr(MapType.ARRAY, 4, 8, 4).flags(BpfFlags.F_NUMA_NODE);
        numa.numaNode = 1;
        assertEquals(Errno.EINVAL.ret(), create(numa), "one node here");
        MapCreateAttr extra = new MapCreateAttr(MapType.ARRAY, 4, 8, 4);
        extra.mapExtra = 1;
        assertEquals(Errno.EINVAL.ret(), create(extra));
        MapCreateAttr offload = new MapCreateAttr(MapType.ARRAY, 4, 8, 4);
        offload.mapIfindex = 1;
        assertEquals(Errno.EOPNOTSUPP.ret(), create(offload));
        MapCreateAttr big = new MapCreateAttr(MapType.ARRAY, 4, 1024, 4096);
        assertEquals(Errno.ENOMEM.ret(), bpf.bpf(BpfCmd.MAP_CREATE, big), "over the 1 MiB budget");
        assertTrue(big.errorMessage().contains("budget"), big.errorMessage());
        assertEquals(0, bpf.memoryUsed(), "refused maps charge nothing");
        assertTrue(bpf.table().openFds().isEmpty(), "refused maps take no fd");
    }

    private int create(MapCreateAttr a) {
        return bpf.bpf(BpfCmd.MAP_CREATE, a);
    }

    @Test
    void accessModesArePerFd() {
        int ro = array(BpfFlags.F_RDONLY);
        assertEquals(Errno.EPERM.ret(), update(ro, 0, 1));
        assertEquals(0, lookup(ro, 0));
        assertEquals(Errno.EPERM.ret(), bpf.bpf(BpfCmd.MAP_FREEZE, new MapElemAttr(ro)));
        int info = infoOf(ro).mapFlags();
        assertEquals(0, info, "BPF_F_RDONLY is the fd's, not the map's");

        int wo = array(BpfFlags.F_WRONLY);
        assertEquals(0, update(wo, 1, 5));
        assertEquals(Errno.EPERM.ret(), lookup(wo, 1));
        GetIdAttr byId = new GetIdAttr(infoOf(wo).id());
        byId.openFlags = BpfFlags.F_RDONLY;
        int rofd = bpf.bpf(BpfCmd.MAP_GET_FD_BY_ID, byId);
        assertEquals(5, lookup(rofd, 1), "a second fd on the same map with its own mode");
        assertEquals(Errno.EPERM.ret(), update(rofd, 1, 6));
        byId.openFlags = 3;
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_GET_FD_BY_ID, byId));
    }

    @Test
    void freezeStopsUserSpaceWrites() {
        int fd = array(0);
        assertEquals(0, update(fd, 0, 11));
        assertEquals(false, bpf.fdinfo(fd).frozen());
        assertEquals(4 * 8, bpf.fdinfo(fd).memlock(), "the provider's accounting of the map");
        assertEquals(0, bpf.bpf(BpfCmd.MAP_FREEZE, new MapElemAttr(fd)));
        assertEquals(true, bpf.fdinfo(fd).frozen(), "fdinfo shows it, as /proc/self/fdinfo does");
        assertNull(bpf.fdinfo(900));
        assertEquals(Errno.EPERM.ret(), update(fd, 0, 12));
        assertEquals(11, lookup(fd, 0));
        assertEquals(Errno.EPERM.ret(), bpf.bpf(BpfCmd.MAP_FREEZE, new MapElemAttr(fd)), "twice: EPERM");
        MapBatchAttr b = new MapBatchAttr(fd);
        b.count = 1;
        assertEquals(Errno.EPERM.ret(), bpf.bpf(BpfCmd.MAP_UPDATE_BATCH, b));
        assertEquals(1, b.count, "count untouched by a failure before the first element");
    }

    @Test
    void aWritableMappingBlocksFreeze() {
        int fd = array(BpfFlags.F_MMAPABLE);
        MmapAttr m = new MmapAttr(fd, true);
        assertEquals(0, bpf.mmap(m));
        m.mapping.buffer().order(ByteOrder.nativeOrder()).putLong(8, 99);
        assertEquals(99, lookup(fd, 1), "a write through the view is seen by lookups");
        assertEquals(Errno.EBUSY.ret(), bpf.bpf(BpfCmd.MAP_FREEZE, new MapElemAttr(fd)));
        m.mapping.close();
        m.mapping.close();
        MmapAttr ro = new MmapAttr(fd, false);
        assertEquals(0, bpf.mmap(ro));
        assertEquals(0, bpf.bpf(BpfCmd.MAP_FREEZE, new MapElemAttr(fd)), "a read-only view does not block");
        assertEquals(Errno.EPERM.ret(), bpf.mmap(new MmapAttr(fd, true)), "frozen: no writable view");
        assertEquals(Errno.EINVAL.ret(), bpf.mmap(new MmapAttr(array(0), false)), "not MMAPABLE");
    }

    @Test
    void pinsKeepMapsAliveAndUnlinkFreesThem() {
        int fd = array(0);
        assertEquals(0, update(fd, 3, 33));
        int id = infoOf(fd).id();
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_PIN, new ObjAttr("/sys/fs/bpf/keep", fd)));
        assertEquals(0, bpf.close(fd));
        int again = bpf.bpf(BpfCmd.OBJ_GET, new ObjAttr("/sys/fs/bpf/keep", 0));
        assertTrue(again >= 3);
        assertEquals(33, lookup(again, 3));
        assertEquals(id, infoOf(again).id());
        assertEquals(0, bpf.close(again));
        assertEquals(0, bpf.unlink("/sys/fs/bpf/keep", null));
        assertEquals(Errno.ENOENT.ret(), bpf.bpf(BpfCmd.MAP_GET_FD_BY_ID, new GetIdAttr(id)), "freed");
        assertEquals(1, provider.freed);
        assertEquals(0, bpf.memoryUsed());
        ObjAttr get = new ObjAttr("/sys/fs/bpf/keep", 0);
        get.fileFlags = 32;
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.OBJ_GET, get));
        ObjAttr withFd = new ObjAttr("/sys/fs/bpf/keep", 5);
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.OBJ_GET, withFd), "OBJ_GET takes bpf_fd 0");
    }

    @Test
    void nextIdWalksTheLiveMaps() {
        int a = array(0);
        int b = array(0);
        int ida = infoOf(a).id();
        int idb = infoOf(b).id();
        GetIdAttr g = new GetIdAttr(0);
        assertEquals(0, bpf.bpf(BpfCmd.MAP_GET_NEXT_ID, g));
        assertEquals(ida, g.nextId);
        g.startId = ida;
        assertEquals(0, bpf.bpf(BpfCmd.MAP_GET_NEXT_ID, g));
        assertEquals(idb, g.nextId);
        g.startId = idb;
        assertEquals(Errno.ENOENT.ret(), bpf.bpf(BpfCmd.MAP_GET_NEXT_ID, g));
        g.startId = Integer.MAX_VALUE;
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_GET_NEXT_ID, g));
    }

    @Test
    void infoLenIsHonoured() {
        int fd = array(BpfFlags.F_RDONLY_PROG);
        InfoAttr i = new InfoAttr(fd);
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, i));
        MapInfo info = MapInfo.read(i.info, i.infoLen);
        assertEquals(MapType.ARRAY, info.mapType());
        assertEquals("t", info.name());
        assertEquals(BpfFlags.F_RDONLY_PROG, info.mapFlags());
        assertEquals(4, info.maxEntries());
        i.infoLen = 8;
        i.info = ByteBuffer.allocate(8);
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, i));
        assertEquals(8, i.infoLen);
        i.infoLen = 120;
        i.info = ByteBuffer.allocate(120);
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, i));
        assertEquals(104, i.infoLen, "the kernel's struct size comes back");
        i.infoLen = 120;
        i.info.put(110, (byte) 1);
        assertEquals(Errno.E2BIG.ret(), bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, i));
        i.infoLen = 104;
        i.info = ByteBuffer.allocate(104).put(90, (byte) 1);
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, i), "hash requested");
        i.info = null;
        assertEquals(Errno.EFAULT.ret(), bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, i));
        i.infoLen = 0;
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, i));
    }

    @Test
    void aRemovedProviderDetachesItsMaps() {
        int fd = array(0);
        assertEquals(0, update(fd, 1, 7));
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_PIN, new ObjAttr("/sys/fs/bpf/d", fd)));
        runtime.removeProvider(provider);
        MapElemAttr a = new MapElemAttr().set(fd, u32(1), u64(0), 0);
        assertEquals(Errno.ENODEV.ret(), bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a));
        assertTrue(a.errorMessage().contains("detached"), a.errorMessage());
        assertEquals(Errno.ENODEV.ret(), update(fd, 1, 8));
        assertEquals(MapType.ARRAY, infoOf(fd).mapType(), "info still works");
        int pinned = bpf.bpf(BpfCmd.OBJ_GET, new ObjAttr("/sys/fs/bpf/d", 0));
        assertTrue(pinned >= 3, "pins stay valid");
        assertEquals(Errno.ENODEV.ret(), lookup(pinned, 1));
        assertEquals(1, provider.freed, "the provider's storage was released at once");
        assertEquals(32 + MapObject.BOOKKEEPING_BYTES, bpf.memoryUsed(),
                "the contents the core keeps stay charged, with the map's bookkeeping");
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 4)));
        assertNull(bpf.maps().get(0).provider, "no reference to the departed provider is kept");
        assertEquals(1, runtime.detachedMaps().size());
        assertEquals(4, runtime.detachedMaps().get(0).elements());
        assertEquals(0, bpf.close(fd));
        assertEquals(0, bpf.close(pinned));
        assertEquals(32 + MapObject.BOOKKEEPING_BYTES, bpf.memoryUsed(), "the pin holds the map");
        assertEquals(0, bpf.unlink("/sys/fs/bpf/d", Instance.NO_SINK));
        assertEquals(0, bpf.memoryUsed(), "dropping the last reference frees the kept contents");
        assertEquals(List.of(), runtime.detachedMaps());
    }

    @Test
    void aReturningProviderTakesBackDetachedMapsWithTheirElements() {
        int fd = array(0);
        assertEquals(0, update(fd, 1, 7));
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_PIN, new ObjAttr("/sys/fs/bpf/back", fd)));
        assertEquals(0, bpf.bpf(BpfCmd.MAP_FREEZE, new MapElemAttr(fd)));
        int id = infoOf(fd).id();
        runtime.removeProvider(provider);
        assertEquals(Errno.ENODEV.ret(), lookup(fd, 1));

        runtime.addProvider(new TinyArrayProvider(), 0, "1.1.0");
        assertEquals(7, lookup(fd, 1), "the same fd, with its element");
        assertEquals(id, infoOf(fd).id(), "the same id");
        assertEquals(Errno.EPERM.ret(), update(fd, 1, 8), "still frozen");
        int pinned = bpf.bpf(BpfCmd.OBJ_GET, new ObjAttr("/sys/fs/bpf/back", 0));
        assertEquals(7, lookup(pinned, 1), "the pin names the same map");
        assertEquals(List.of(), runtime.detachedMaps());
    }

    @Test
    void aRefusedMapStaysDetachedAndSaysWhy() {
        int fd = array(0);
        assertEquals(0, update(fd, 2, 5));
        runtime.removeProvider(provider);
        TinyArrayProvider picky = new TinyArrayProvider();
        picky.refuseWith = "this version cannot read maps of 1.0.0";
        runtime.addProvider(picky, 0, "2.0.0");
        assertEquals(Errno.ENODEV.ret(), lookup(fd, 2));
        String reason = runtime.detachedMaps().get(0).reason();
        assertTrue(reason.contains("2.0.0 refused the map") && reason.contains("cannot read maps of 1.0.0"), reason);

        // a later provider that wins the type takes it back, contents intact
        runtime.addProvider(new TinyArrayProvider(), 0, "2.0.1");
        assertEquals(5, lookup(fd, 2));
    }

    @Test
    void theBestRankedProviderServesNewMapsAndEachMapKeepsItsOwn() {
        TinyArrayProvider better = new TinyArrayProvider();
        runtime.addProvider(better, 10, "0.5.0");
        int fd = array(0);
        TinyArrayProvider newer = new TinyArrayProvider();
        runtime.addProvider(newer, 10, "0.6.0");
        int fd2 = array(0);
        assertEquals(0, update(fd, 0, 3));
        runtime.removeProvider(better);
        assertEquals(3, lookup(fd, 0), "the first map moved to the provider that wins now, with its element");
        assertEquals(0, lookup(fd2, 0), "the newer version of equal ranking made the second");
        runtime.removeProvider(newer);
        assertEquals(3, lookup(fd, 0), "and to the next one when that goes");
        runtime.removeProvider(provider);
        assertEquals(Errno.ENODEV.ret(), lookup(fd, 0), "no provider is left");
        assertNotNull(bpf.maps());
    }

    private MapInfo infoOf(int fd) {
        InfoAttr i = new InfoAttr(fd);
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, i));
        return MapInfo.read(i.info, i.infoLen);
    }
}
