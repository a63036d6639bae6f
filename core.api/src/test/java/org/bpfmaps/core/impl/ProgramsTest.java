package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfProgram;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.GetIdAttr;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ObjAttr;
import org.bpfmaps.core.api.ProgInfo;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgSpec;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.prog.SkAction;
import org.bpfmaps.core.prog.SkMsgProgram;
import org.bpfmaps.core.prog.SkSkbProgram;
import org.bpfmaps.core.spi.CurrentCpu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Programs as objects: PROG_LOAD of Java code and its checks, the program id commands, info,
 * pins, and the typed handle; each test names the kernel rule it follows, as measured on 6.18
 * with a real SK_SKB program ({@code r0 = 1; exit}) loaded through bpf(2).
 */
class ProgramsTest {
    private final StandaloneRuntime runtime = new StandaloneRuntime();
    private final BpfInstance bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(4));
    private static final SkSkbProgram PASS = ctx -> SkAction.SK_PASS;

    @AfterEach
    void close() {
        bpf.close();
    }

    private int load(ProgLoadAttr a) {
        return bpf.bpf(BpfCmd.PROG_LOAD, a);
    }

    private int loaded(ProgLoadAttr a) {
        int fd = load(a);
        assertTrue(fd >= 3, a.errorMessage());
        return fd;
    }

    private ProgObject prog(int fd) {
        return (ProgObject) ((Instance) bpf).table().get(fd);
    }

    private static ProgLoadAttr skb() {
        return new ProgLoadAttr(ProgType.SK_SKB, PASS);
    }

    private void assertFails(Errno e, ProgLoadAttr a) {
        assertEquals(e.ret(), load(a), () -> "expected " + e + ", message " + a.errorMessage());
        assertEquals(e, a.errno());
    }

    /** bpf_prog_load (kernel/bpf/syscall.c): the checks and their order. */
    @Test
    void progLoadChecksTheKernelsFieldsInItsOrder() {
        // find_prog_type: an unknown number, and UNSPEC, are EINVAL
        ProgLoadAttr a = skb();
        a.progType = 999;
        assertFails(Errno.EINVAL, a);
        a.progType = 0;
        assertFails(Errno.EINVAL, a);
        // insn_cnt 0 is E2BIG, before the type
        a = new ProgLoadAttr();
        a.progType = 999;
        assertFails(Errno.E2BIG, a);
        // a NULL license is EFAULT, before the type and the name (strncpy_from_bpfptr comes first)
        a = skb().name("a-b");
        a.progType = 999;
        a.license = null;
        assertFails(Errno.EFAULT, a);
        // bpf_obj_name_cpy: a character outside [A-Za-z0-9_.], or no NUL within 16 bytes
        assertFails(Errno.EINVAL, skb().name("a-b"));
        assertFails(Errno.EINVAL, skb().name("abcdefghijklmnop"));
        assertEquals(0, bpf.close(loaded(skb().name("abcdefghijklmno"))));
        assertEquals(0, bpf.close(loaded(skb().name("a_b.c"))));
        // prog_flags: the alignment and test flags load; SLEEPABLE (bit 4) and unknown bits are EINVAL
        a = skb();
        a.progFlags = 0xef;
        bpf.close(loaded(a));
        a.progFlags = 0x10;
        assertFails(Errno.EINVAL, a);
        a.progFlags = 1 << 20;
        assertFails(Errno.EINVAL, a);
        // bad flags come before no instructions
        a = new ProgLoadAttr();
        a.progFlags = 1 << 20;
        assertFails(Errno.EINVAL, a);
        // bpf_prog_load_check_attach: BTF targets and offload are EINVAL for a socket program
        a = skb();
        a.attachBtfId = 5;
        assertFails(Errno.EINVAL, a);
        a = skb();
        a.progIfindex = 1;
        assertFails(Errno.EINVAL, a);
        // the verifier's log level mask
        a = skb();
        a.logLevel = 99;
        assertFails(Errno.EINVAL, a);
        // expected_attach_type is not checked at load for SK_SKB (any value loads)
        bpf.close(loaded(skb().expectedAttachType(999)));
        // an empty license loads, not GPL compatible
        a = skb();
        a.license = "";
        int fd = loaded(a);
        assertFalse(info(fd).gplCompatible());
        assertTrue(info(loaded(skb())).gplCompatible());
    }

    @Test
    void codeOfAnotherTypeAndAnUnservedTypeAreEinval() {
        ProgLoadAttr a = new ProgLoadAttr(ProgType.SK_MSG, PASS);
        assertFails(Errno.EINVAL, a);
        assertTrue(a.errorMessage().contains("not a sk_msg program"), a.errorMessage());
        // XDP is a kernel type (it loads there) whose Java family comes later
        assertFails(Errno.EINVAL, new ProgLoadAttr(ProgType.XDP, PASS));
        assertTrue(loaded(new ProgLoadAttr(ProgType.SK_MSG, (SkMsgProgram) ctx -> SkAction.SK_PASS)) >= 3);
    }

    private ProgInfo info(int fd) {
        InfoAttr a = new InfoAttr();
        a.bpfFd = fd;
        a.infoLen = ProgInfo.SIZE;
        a.info = ByteBuffer.allocate(ProgInfo.SIZE);
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a), a.errorMessage());
        assertEquals(ProgInfo.SIZE, a.infoLen);
        return ProgInfo.read(a.info, a.infoLen);
    }

    /** bpf_prog_get_info_by_fd (kernel/bpf/syscall.c) and bpf_check_uarg_tail_zero. */
    @Test
    void infoIsStructBpfProgInfoWithTheKernelsLengthRules() {
        int fd = loaded(skb().name("probe1"));
        ProgInfo i = info(fd);
        assertEquals(ProgType.SK_SKB, i.progType());
        assertEquals(14, i.type());
        assertEquals(prog(fd).id(), i.id());
        assertEquals("probe1", i.name());
        assertEquals(0, i.nrMapIds());
        assertNotEquals("0000000000000000", i.tagHex());
        assertTrue(i.loadTime() > 0);
        // a longer info_len whose tail is zero: 232 bytes copied, info_len 232
        InfoAttr a = new InfoAttr();
        a.bpfFd = fd;
        a.infoLen = ProgInfo.SIZE + 8;
        a.info = ByteBuffer.allocate(ProgInfo.SIZE + 8);
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a));
        assertEquals(ProgInfo.SIZE, a.infoLen);
        // a non-zero byte past the struct, or in the padding after attach_btf_id, is E2BIG
        a.infoLen = ProgInfo.SIZE + 8;
        a.info = ByteBuffer.allocate(ProgInfo.SIZE + 8).put(ProgInfo.SIZE + 3, (byte) 1);
        assertEquals(Errno.E2BIG.ret(), bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a));
        a.infoLen = ProgInfo.SIZE;
        a.info = ByteBuffer.allocate(ProgInfo.SIZE).put(228, (byte) 0xaa);
        assertEquals(Errno.E2BIG.ret(), bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a));
        // the fields a program has are written; the pointers and ifindex come back as given
        a.info = ByteBuffer.allocate(ProgInfo.SIZE).order(ByteOrder.nativeOrder());
        a.info.putLong(ProgInfo.OFF_MAP_IDS, 0xaaaaaaaaL).putInt(ProgInfo.OFF_IFINDEX, 7)
                .putInt(ProgInfo.OFF_XLATED_PROG_LEN, 0);
        a.info.putInt(ProgInfo.OFF_TYPE, 0x55);
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a));
        assertEquals(0xaaaaaaaaL, a.info.getLong(ProgInfo.OFF_MAP_IDS));
        assertEquals(7, a.info.getInt(ProgInfo.OFF_IFINDEX));
        assertEquals(14, a.info.getInt(ProgInfo.OFF_TYPE));
        assertEquals(8, a.info.getInt(ProgInfo.OFF_FUNC_INFO_REC_SIZE));
        // a short info_len: that many bytes, info_len as given; 0 copies nothing
        a.infoLen = 4;
        a.info = ByteBuffer.allocate(4);
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a));
        assertEquals(4, a.infoLen);
        a.infoLen = 0;
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a));
        // a NULL buffer for a non-zero info_len is EFAULT
        a.infoLen = 8;
        a.info = null;
        assertEquals(Errno.EFAULT.ret(), bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a));
    }

    /** bpf_obj_get_next_id and bpf_prog_get_fd_by_id (kernel/bpf/syscall.c). */
    @Test
    void idCommandsWalkAndOpenProgramsWithTheirChecks() {
        int fd1 = loaded(skb());
        int fd2 = loaded(skb());
        int id1 = prog(fd1).id();
        int id2 = prog(fd2).id();
        GetIdAttr a = new GetIdAttr(0);
        assertEquals(0, bpf.bpf(BpfCmd.PROG_GET_NEXT_ID, a));
        assertEquals(id1, a.nextId);
        a = new GetIdAttr(id1);
        a.nextId = 77; // next_id is the command's output: a value in it is no error
        assertEquals(0, bpf.bpf(BpfCmd.PROG_GET_NEXT_ID, a));
        assertEquals(id2, a.nextId);
        assertEquals(Errno.ENOENT.ret(), bpf.bpf(BpfCmd.PROG_GET_NEXT_ID, new GetIdAttr(id2)));
        // start_id at or above INT_MAX, and open_flags (past next_id: CHECK_ATTR), are EINVAL
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.PROG_GET_NEXT_ID, new GetIdAttr(0x7fffffff)));
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.PROG_GET_NEXT_ID, new GetIdAttr(-1)));
        a = new GetIdAttr(0);
        a.openFlags = BpfFlags.F_RDONLY;
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.PROG_GET_NEXT_ID, a));
        // maps do not answer program ids
        assertEquals(Errno.ENOENT.ret(), bpf.bpf(BpfCmd.MAP_GET_FD_BY_ID, new GetIdAttr(id1)));
        // PROG_GET_FD_BY_ID takes only the id: open_flags (even BPF_F_RDONLY) is EINVAL
        int fd = bpf.bpf(BpfCmd.PROG_GET_FD_BY_ID, new GetIdAttr(id1));
        assertTrue(fd >= 3);
        assertEquals(id1, prog(fd).id());
        a = new GetIdAttr(id1);
        a.openFlags = BpfFlags.F_RDONLY;
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.PROG_GET_FD_BY_ID, a));
        a = new GetIdAttr(id1);
        a.nextId = 7;
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.PROG_GET_FD_BY_ID, a));
        assertEquals(Errno.ENOENT.ret(), bpf.bpf(BpfCmd.PROG_GET_FD_BY_ID, new GetIdAttr(0x7ffffff0)));
        assertEquals(Errno.ENOENT.ret(), bpf.bpf(BpfCmd.PROG_GET_FD_BY_ID, new GetIdAttr(0)));
        // the last fd gone, the id is gone
        bpf.close(fd1);
        bpf.close(fd);
        assertEquals(Errno.ENOENT.ret(), bpf.bpf(BpfCmd.PROG_GET_FD_BY_ID, new GetIdAttr(id1)));
    }

    /** bpf_obj_pin_user / bpf_obj_get_user (kernel/bpf/inode.c): programs pin as maps do. */
    @Test
    void programsPinAndAPinKeepsThemAlive() {
        int fd = loaded(skb().name("pinned"));
        int id = prog(fd).id();
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_PIN, new ObjAttr("/sys/fs/bpf/p", fd)));
        assertEquals(Errno.EEXIST.ret(), bpf.bpf(BpfCmd.OBJ_PIN, new ObjAttr("/sys/fs/bpf/p", fd)));
        bpf.close(fd);
        ObjAttr get = new ObjAttr("/sys/fs/bpf/p", 0);
        get.fileFlags = BpfFlags.F_RDONLY;
        int again = bpf.bpf(BpfCmd.OBJ_GET, get);
        assertTrue(again >= 3, get.errorMessage());
        assertEquals(id, prog(again).id());
        get.fileFlags = BpfFlags.F_RDONLY | BpfFlags.F_WRONLY;
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.OBJ_GET, get));
        assertEquals(Integer.valueOf(id), ((Instance) bpf).pinned(org.bpfmaps.core.spi.ObjectKind.PROG)
                .get("/sys/fs/bpf/p"));
        bpf.close(again);
        assertEquals(0, bpf.unlink("/sys/fs/bpf/p", null));
        assertEquals(Errno.ENOENT.ret(), bpf.bpf(BpfCmd.PROG_GET_FD_BY_ID, new GetIdAttr(id)));
    }

    @Test
    void theTypedHandleLoadsPinsAndReopens() {
        try (BpfProgram p = BpfProgram.load(bpf, ProgSpec.of(PASS).withName("typed"))) {
            assertEquals(ProgType.SK_SKB, p.type());
            assertEquals("typed", p.name());
            p.pin("/sys/fs/bpf/typed");
            try (BpfProgram q = BpfProgram.openPinned(bpf, "/sys/fs/bpf/typed");
                    BpfProgram r = BpfProgram.fromId(bpf, p.id())) {
                assertEquals(p.id(), q.id());
                assertEquals(p.id(), r.id());
            }
            BpfException e = assertThrows(BpfException.class,
                    () -> BpfProgram.load(bpf, ProgSpec.of(PASS).withName("bad-name")));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().contains("prog_name"), e.getMessage());
        }
        // a pinned map is no program
        runtime.addProvider(new TinyArrayProvider());
        int map = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 4));
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_PIN, new ObjAttr("/sys/fs/bpf/m", map)));
        assertEquals(Errno.EINVAL,
                assertThrows(BpfException.class, () -> BpfProgram.openPinned(bpf, "/sys/fs/bpf/m")).errno());
    }

    /** A program run stands for its context's CPU (the core's one source: CurrentCpu). */
    @Test
    void aRunBindsTheCurrentCpuAndAThrowIsACountedDrop() {
        int[] seen = new int[2];
        int fd = loaded(new ProgLoadAttr(ProgType.SK_SKB, (SkSkbProgram) ctx -> {
            seen[0] = CurrentCpu.get(4);
            seen[1] = ctx.cpu();
            return ctx.len() > 10 ? SkAction.SK_PASS : SkAction.SK_DROP;
        }));
        ProgObject p = prog(fd);
        assertEquals(SkAction.SK_PASS, p.run(new SkbRun(p, 3).set(100, 1)));
        assertArrayEquals(new int[] {3, 3}, seen);
        assertEquals(SkAction.SK_DROP, p.run(new SkbRun(p, 2).set(5, 1)));
        assertArrayEquals(new int[] {2, 2}, seen);
        assertEquals(2, p.runs());
        int boom = loaded(new ProgLoadAttr(ProgType.SK_SKB, (SkSkbProgram) ctx -> {
            throw new IllegalStateException("boom");
        }));
        ProgObject b = prog(boom);
        assertEquals(SkAction.SK_DROP, b.run(new SkbRun(b, 0).set(1, 1)));
        assertEquals(1, b.aborted());
        assertThrows(IllegalArgumentException.class, () -> p.run(new SkbRun(b, 0)));
        assertThrows(IllegalArgumentException.class, () -> p.run(new MsgRun(p, 0)));
    }

    /** A program holds the maps it uses (used_maps): nr_map_ids, map_ids, and the helpers by index. */
    @Test
    void aProgramHoldsItsMapsAndReachesThemByIndex() {
        runtime.addProvider(new TinyArrayProvider());
        int map = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 4));
        int mapId = ((Instance) bpf).id(map);
        int[] ret = new int[2];
        int fd = loaded(new ProgLoadAttr(ProgType.SK_SKB, (SkSkbProgram) ctx -> {
            ret[0] = ctx.mapLookupElem(0, ByteBuffer.allocate(4), ByteBuffer.allocate(8));
            ret[1] = ctx.mapLookupElem(1, ByteBuffer.allocate(4), ByteBuffer.allocate(8));
            return SkAction.SK_PASS;
        }).maps(map));
        assertEquals(Errno.EBADF.ret(), load(skb().maps(99)));
        assertEquals(Errno.EINVAL.ret(), load(skb().maps(fd)));
        bpf.close(map);
        // the program's reference keeps the map and its id
        int reopened = bpf.bpf(BpfCmd.MAP_GET_FD_BY_ID, new GetIdAttr(mapId));
        assertTrue(reopened >= 3);
        bpf.close(reopened);
        ProgObject p = prog(fd);
        p.run(new SkbRun(p, 0));
        // the tiny provider has no program-side ops (ENOTSUPP); index 1 names no map (EINVAL)
        assertArrayEquals(new int[] {Errno.ENOTSUPP.ret(), Errno.EINVAL.ret()}, ret);
        InfoAttr a = new InfoAttr();
        a.bpfFd = fd;
        a.infoLen = ProgInfo.SIZE;
        a.info = ByteBuffer.allocate(ProgInfo.SIZE).order(ByteOrder.nativeOrder()).putInt(ProgInfo.OFF_NR_MAP_IDS, 4);
        assertEquals(Errno.EFAULT.ret(), bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a));
        a.mapIds = new int[4];
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a));
        assertEquals(1, ProgInfo.read(a.info, a.infoLen).nrMapIds());
        assertEquals(mapId, a.mapIds[0]);
        bpf.close(fd);
        assertEquals(Errno.ENOENT.ret(), bpf.bpf(BpfCmd.MAP_GET_FD_BY_ID, new GetIdAttr(mapId)));
    }
}
