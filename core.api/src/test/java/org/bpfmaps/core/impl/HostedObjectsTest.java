package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.GetIdAttr;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.MmapAttr;
import org.bpfmaps.core.api.ObjAttr;
import org.bpfmaps.core.spi.HostedObject;
import org.bpfmaps.core.spi.ObjectHost;
import org.bpfmaps.core.spi.ObjectKind;
import org.bpfmaps.core.spi.ProviderHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Objects that are not maps, as a bundle sees them through the SPI only: a socket-like kind (no
 * ids, not pinnable, no info) and a program-like kind (ids walked by the PROG_ commands, pinnable,
 * an info struct), installed beside maps. Errnos of the commands are those measured with bpf(2) on
 * 6.18 (a socket fd pinned or asked for info: EINVAL; PROG_ and LINK_ id commands with nothing
 * loaded: ENOENT; open_flags on them: EINVAL).
 */
class HostedObjectsTest {
    static final ObjectKind SOCKET = ObjectKind.fdOnly("socket");
    static final ObjectKind PROG = ObjectKind.withIds("prog", BpfCmd.PROG_GET_NEXT_ID, BpfCmd.PROG_GET_FD_BY_ID);

    /** What the test's objects did, in order: "release sock1", ... */
    private final List<String> events = new ArrayList<>();

    /** An object of the test: its kind, and a release that records itself in {@link #events}. */
    private abstract class Named implements HostedObject {
        final String name;
        private final ObjectKind kind;

        Named(String name, ObjectKind kind) {
            this.name = name;
            this.kind = kind;
        }

        @Override
        public ObjectKind kind() {
            return kind;
        }

        @Override
        public void release() {
            events.add("release " + name);
        }
    }

    /** A socket-like object: fds only; releasing it is closing it. */
    private final class Sock extends Named {
        Sock(String name) {
            super(name, SOCKET);
        }
    }

    /** A program-like object: its info is a 16-byte struct {u32 type, u32 id, u64 tag}. */
    private final class Prog extends Named {
        Prog(String name) {
            super(name, PROG);
        }

        @Override
        public ByteBuffer info(int id) {
            return ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putInt(0, 6).putInt(4, id)
                    .putLong(8, 0xfeedL);
        }

        @Override
        public Map<String, String> fdinfo(int id) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("prog_type", "6");
            m.put("prog_id", Integer.toString(id));
            return m;
        }
    }

    private final ProviderHost runtime = new StandaloneRuntime();
    private final BpfInstance bpf;
    private final ObjectHost host;

    HostedObjectsTest() {
        runtime.addProvider(new TinyArrayProvider());
        bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(2).withMemoryBudget(1 << 20));
        host = ObjectHost.of(bpf).orElseThrow();
    }

    @AfterEach
    void close() {
        bpf.close();
    }

    private int map() {
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 4).name("m"));
        assertTrue(fd >= 3, Errno.nameOf(fd));
        return fd;
    }

    private int install(HostedObject o) {
        int fd = host.install(o, 0, null);
        assertTrue(fd >= 3, Errno.nameOf(fd));
        return fd;
    }

    private int nextId(BpfCmd cmd, int start) {
        GetIdAttr a = new GetIdAttr(start);
        int r = bpf.bpf(cmd, a);
        return r == 0 ? a.nextId : r;
    }

    private int fdById(BpfCmd cmd, int id, int openFlags) {
        GetIdAttr a = new GetIdAttr(id);
        a.openFlags = openFlags;
        return bpf.bpf(cmd, a);
    }

    @Test
    void installedObjectsShareTheFdNumbersWithMaps() {
        int m = map();
        Sock s1 = new Sock("s1");
        int fs1 = install(s1);
        int fp = install(new Prog("p"));
        assertEquals(List.of(3, 4, 5), List.of(m, fs1, fp), "the lowest free number, whatever the kind");
        assertEquals(0, bpf.close(fs1));
        assertEquals(List.of("release s1"), events, "closing a socket's only fd releases it");
        assertEquals(4, install(new Sock("s2")), "the closed number is the lowest free one again");
        assertEquals(6, map());
        assertEquals(Errno.EBADF.ret(), bpf.close(fs1 + 100));
    }

    @Test
    void theHostFindsItsObjectsByFdAndKind() {
        Sock s = new Sock("s");
        int fs = install(s);
        int m = map();
        assertSame(s, host.object(fs, SOCKET));
        assertNull(host.object(fs, PROG), "another kind");
        assertNull(host.object(m, SOCKET), "a map is no hosted object");
        assertNull(host.object(99, SOCKET), "not open");
        assertEquals(0, host.id(fs), "sockets have no ids");
        assertEquals(Errno.EBADF.ret(), host.id(99));
    }

    @Test
    void onlyPinnableKindsArePinnedAndOBJ_GETGivesThemBack() {
        int fs = install(new Sock("s"));
        ObjAttr pin = new ObjAttr("/sys/fs/bpf/sock", fs);
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.OBJ_PIN, pin), "bpf_fd_probe_obj: not a map, prog or link");
        assertTrue(pin.errorMessage().contains("socket"), pin.errorMessage());
        assertEquals(Errno.ENOENT.ret(), bpf.bpf(BpfCmd.OBJ_GET, new ObjAttr("/sys/fs/bpf/sock", 0)), "no pin made");

        Prog p = new Prog("p");
        int fp = install(p);
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_PIN, new ObjAttr("/sys/fs/bpf/prog", fp)));
        int again = bpf.bpf(BpfCmd.OBJ_GET, new ObjAttr("/sys/fs/bpf/prog", 0));
        assertTrue(again >= 3, Errno.nameOf(again));
        assertSame(p, host.object(again, PROG), "the pin's object");
        assertEquals(host.id(fp), host.id(again));
        assertEquals(Map.of("/sys/fs/bpf/prog", host.id(fp)), host.pinned(PROG));
        assertEquals(Map.of(), bpf.pinnedMaps(), "the map listing lists maps only");
        assertEquals(Map.of(), host.pinned(SOCKET));
    }

    @Test
    void infoIsTheKindsStructOrEinval() {
        int fs = install(new Sock("s"));
        InfoAttr a = new InfoAttr(fs);
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a));
        assertTrue(a.errorMessage().contains("socket"), a.errorMessage());
        assertEquals(Errno.EBADFD.ret(), bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, new InfoAttr(99)), "as for any closed fd");

        int fp = install(new Prog("p"));
        InfoAttr pi = new InfoAttr(fp);
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, pi));
        assertEquals(16, pi.infoLen, "min(info_len, the struct's size)");
        ByteBuffer b = pi.info.order(ByteOrder.nativeOrder());
        assertEquals(6, b.getInt(0));
        assertEquals(host.id(fp), b.getInt(4), "the object is told its id");
        assertEquals(0xfeedL, b.getLong(8));

        InfoAttr shorter = new InfoAttr(fp);
        shorter.infoLen = 6;
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, shorter));
        assertEquals(6, shorter.infoLen);
        assertEquals(0, shorter.info.get(6), "nothing past info_len is written");

        InfoAttr dirty = new InfoAttr(fp);
        dirty.info.put(40, (byte) 1);
        assertEquals(Errno.E2BIG.ret(), bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, dirty), "bpf_check_uarg_tail_zero");

        int m = map();
        InfoAttr mi = new InfoAttr(m);
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, mi), "maps keep their bpf_map_info");
        assertEquals(BpfFlags.MAP_INFO_SIZE, mi.infoLen);
    }

    @Test
    void eachIdCommandWalksItsKindsOwnIds() {
        assertEquals(Errno.ENOENT.ret(), nextId(BpfCmd.PROG_GET_NEXT_ID, 0), "no program loaded, as on the kernel");
        assertEquals(Errno.ENOENT.ret(), fdById(BpfCmd.PROG_GET_FD_BY_ID, 1, 0));
        int m1 = map();
        install(new Sock("s"));
        Prog p1 = new Prog("p1");
        int fp1 = install(p1);
        int m2 = map();
        int fp2 = install(new Prog("p2"));
        int mapId1 = bpf.fdinfo(m1).mapId();
        int mapId2 = bpf.fdinfo(m2).mapId();
        int progId1 = host.id(fp1);
        int progId2 = host.id(fp2);
        assertEquals(List.of(progId1, progId2), List.of(1, 2), "programs count their own ids");

        assertEquals(progId1, nextId(BpfCmd.PROG_GET_NEXT_ID, 0));
        assertEquals(progId2, nextId(BpfCmd.PROG_GET_NEXT_ID, progId1));
        assertEquals(Errno.ENOENT.ret(), nextId(BpfCmd.PROG_GET_NEXT_ID, progId2));
        assertEquals(mapId1, nextId(BpfCmd.MAP_GET_NEXT_ID, 0));
        assertEquals(mapId2, nextId(BpfCmd.MAP_GET_NEXT_ID, mapId1), "programs are not in the map walk");
        assertEquals(Errno.ENOENT.ret(), nextId(BpfCmd.MAP_GET_NEXT_ID, mapId2));
        assertEquals(Errno.ENOENT.ret(), nextId(BpfCmd.LINK_GET_NEXT_ID, 0), "no kind answers the link commands");
        assertEquals(Errno.ENOENT.ret(), fdById(BpfCmd.LINK_GET_FD_BY_ID, 1, 0));

        int byId = fdById(BpfCmd.PROG_GET_FD_BY_ID, progId1, 0);
        assertTrue(byId >= 3, Errno.nameOf(byId));
        assertSame(p1, host.object(byId, PROG));
        int mapById = fdById(BpfCmd.MAP_GET_FD_BY_ID, mapId1, 0);
        assertEquals(mapId1, bpf.fdinfo(mapById).mapId(), "map id 1 is the map, not program 1");

        // what the kernel refuses before looking the id up
        assertEquals(Errno.EINVAL.ret(), fdById(BpfCmd.PROG_GET_FD_BY_ID, progId1, BpfFlags.F_RDONLY),
                "PROG_GET_FD_BY_ID takes no open_flags");
        assertEquals(Errno.EINVAL.ret(), fdById(BpfCmd.LINK_GET_FD_BY_ID, 1, BpfFlags.F_RDONLY));
        int ro = fdById(BpfCmd.MAP_GET_FD_BY_ID, mapId1, BpfFlags.F_RDONLY);
        assertTrue(ro >= 3, "MAP_GET_FD_BY_ID does");
        GetIdAttr withNext = new GetIdAttr(progId1);
        withNext.nextId = 5;
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.PROG_GET_FD_BY_ID, withNext), "next_id lies past prog_id");
        GetIdAttr flagged = new GetIdAttr(0);
        flagged.openFlags = BpfFlags.F_RDONLY;
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_GET_NEXT_ID, flagged), "open_flags lies past next_id");
        assertEquals(Errno.EINVAL.ret(), nextId(BpfCmd.PROG_GET_NEXT_ID, Integer.MAX_VALUE));
    }

    @Test
    void theLastReferenceReleasesTheObjectAndItsId() {
        Prog p = new Prog("p");
        int fd = install(p);
        int id = host.id(fd);
        int second = fdById(BpfCmd.PROG_GET_FD_BY_ID, id, 0);
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_PIN, new ObjAttr("/sys/fs/bpf/p", fd)));
        assertEquals(0, bpf.close(fd));
        assertEquals(0, bpf.close(second));
        assertEquals(List.of(), events, "the pin keeps it");
        assertEquals(id, nextId(BpfCmd.PROG_GET_NEXT_ID, 0), "and its id");
        assertEquals(0, bpf.unlink("/sys/fs/bpf/p", null));
        assertEquals(List.of("release p"), events, "the last reference ran the release hook, once");
        assertEquals(Errno.ENOENT.ret(), nextId(BpfCmd.PROG_GET_NEXT_ID, 0), "the id is gone");
        assertEquals(Errno.ENOENT.ret(), fdById(BpfCmd.PROG_GET_FD_BY_ID, id, 0));
        assertEquals(id + 1, host.id(install(new Prog("q"))), "ids are not reused at once (idr_alloc_cyclic)");
    }

    @Test
    void closingTheInstanceReleasesEverything() {
        ProviderHost rt = new StandaloneRuntime();
        rt.addProvider(new TinyArrayProvider());
        BpfInstance other = rt.newInstance(BpfSettings.defaults());
        ObjectHost h = ObjectHost.of(other).orElseThrow();
        int fs = h.install(new Sock("s"), 0, null);
        int fp = h.install(new Prog("p"), 0, null);
        assertEquals(0, other.bpf(BpfCmd.OBJ_PIN, new ObjAttr("/sys/fs/bpf/p", fp)));
        int m = other.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 4));
        assertTrue(fs >= 3 && m >= 3);
        assertEquals(List.of(), events);
        other.close();
        assertEquals(List.of("release p", "release s"), events.stream().sorted().toList());
        assertEquals(Errno.EBADF.ret(), other.close(fs), "no fd is left");
        assertEquals(0, ((Instance) other).memoryUsed(), "the map was freed too");
    }

    @Test
    void mapCommandsOnAnotherKindsFdAnswerAsTheKernel() {
        int fs = install(new Sock("s"));
        ByteBuffer k = ByteBuffer.allocate(4);
        ByteBuffer v = ByteBuffer.allocate(8);
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fs, k, v, 0)),
                "__bpf_map_get: the fd is not a map");
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_FREEZE, new MapElemAttr(fs)));
        assertEquals(Errno.ENODEV.ret(), bpf.mmap(new MmapAttr(fs, false)));
        assertNull(bpf.fdinfo(fs), "no map fdinfo");
        assertNull(bpf.elemPath(fs));
        assertEquals(Map.of(), host.fdinfoLines(fs), "a socket has no BPF fdinfo lines");
    }

    @Test
    void fdinfoLinesComeFromTheKind() {
        int fp = install(new Prog("p"));
        assertEquals(Map.of("prog_type", "6", "prog_id", Integer.toString(host.id(fp))), host.fdinfoLines(fp));
        int m = map();
        Map<String, String> lines = host.fdinfoLines(m);
        assertEquals(List.of("map_type", "key_size", "value_size", "max_entries", "map_flags", "map_extra", "memlock",
                "map_id", "frozen"), List.copyOf(lines.keySet()), "bpf_map_show_fdinfo's lines, in its order");
        assertEquals("2", lines.get("map_type"));
        assertEquals(Integer.toString(bpf.fdinfo(m).mapId()), lines.get("map_id"));
        assertEquals("0", lines.get("frozen"));
        assertNull(host.fdinfoLines(99));
    }

    @Test
    void aFailedInstallReleasesTheObjectAndKeepsNothing() {
        Sock bad = new Sock("bad");
        assertEquals(Errno.EINVAL.ret(), host.install(bad, BpfFlags.F_RDONLY | BpfFlags.F_WRONLY, null));
        assertEquals(Errno.EINVAL.ret(), host.install(new Sock("bad2"), 0x1, null));
        assertEquals(List.of("release bad", "release bad2"), events);

        ObjectKind rival = ObjectKind.withIds("rival", BpfCmd.PROG_GET_NEXT_ID, BpfCmd.PROG_GET_FD_BY_ID);
        int fp = install(new Prog("p"));
        HostedObject r = new Named("rival", rival) {
        };
        List<String> why = new ArrayList<>();
        assertEquals(Errno.EINVAL.ret(), host.install(r, 0, (e, w, a, b) -> {
            why.add(w);
            return -e.code();
        }), "one kind per id command in an instance");
        assertTrue(why.get(0).contains("PROG_GET_NEXT_ID"), why.toString());
        assertTrue(events.contains("release rival"));
        assertEquals(host.id(fp), nextId(BpfCmd.PROG_GET_NEXT_ID, 0), "the first kind keeps them");

        BpfSettings d = BpfSettings.defaults();
        BpfInstance small = runtime.newInstance(new BpfSettings(d.possibleCpus(), d.memoryBudget(), d.numaNodes(), 16));
        ObjectHost smallHost = ObjectHost.of(small).orElseThrow();
        int fd;
        int opened = 0;
        while ((fd = smallHost.install(new Sock("s" + opened), 0, null)) >= 0) {
            opened++;
            assertTrue(opened <= 16, "the fd limit holds");
        }
        small.close();
        assertEquals(Errno.EMFILE.ret(), fd);
        assertEquals(16, opened);
        assertTrue(events.contains("release s16"), "the refused object was released");
    }

    @Test
    void aThrowingObjectFaultsItsCommandOnly() {
        HostedObject broken = new Named("broken", PROG) {
            @Override
            public ByteBuffer info(int id) {
                throw new IllegalStateException("info broke");
            }

            @Override
            public void release() {
                throw new IllegalStateException("release broke");
            }
        };
        int fd = install(broken);
        InfoAttr a = new InfoAttr(fd);
        assertEquals(Errno.EFAULT.ret(), bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a));
        assertTrue(a.errorMessage().contains("info broke"), a.errorMessage());
        assertEquals(0, bpf.close(fd), "close succeeds whatever release does");
        assertEquals(Errno.ENOENT.ret(), nextId(BpfCmd.PROG_GET_NEXT_ID, 0), "and the object is gone");
    }

    @Test
    void kindsWithIdsNameAProgramOrLinkPair() {
        assertThrows(IllegalArgumentException.class,
                () -> ObjectKind.withIds("x", BpfCmd.MAP_GET_NEXT_ID, BpfCmd.MAP_GET_FD_BY_ID), "the map pair is MAP's");
        assertThrows(IllegalArgumentException.class,
                () -> ObjectKind.withIds("x", BpfCmd.PROG_GET_NEXT_ID, BpfCmd.LINK_GET_FD_BY_ID));
        ObjectKind link = ObjectKind.withIds("link", BpfCmd.LINK_GET_NEXT_ID, BpfCmd.LINK_GET_FD_BY_ID);
        assertTrue(link.hasIds() && link.pinnable());
        assertTrue(!SOCKET.hasIds() && !SOCKET.pinnable());
    }
}
