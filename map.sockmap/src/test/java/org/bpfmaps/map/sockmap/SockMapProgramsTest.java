package org.bpfmaps.map.sockmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.GetIdAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ProgAttachAttr;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgQueryAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.prog.SkAction;
import org.bpfmaps.core.prog.SkMsgProgram;
import org.bpfmaps.core.prog.SkSkbProgram;
import org.bpfmaps.map.array.ArrayProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Programs attached to socket maps and taken by the sockets inserted: the core keeps a map's
 * attachments, the provider applies {@code sock_map_link} (net/core/sock_map.c) at insert.
 */
class SockMapProgramsTest {
    private final SockFixture f = new SockFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private int load(ProgType t) {
        ProgLoadAttr a = t == ProgType.SK_MSG ? new ProgLoadAttr(t, (SkMsgProgram) c -> SkAction.SK_PASS)
                : new ProgLoadAttr(t, (SkSkbProgram) c -> SkAction.SK_PASS);
        int fd = f.bpf.bpf(BpfCmd.PROG_LOAD, a);
        assertTrue(fd >= 3, a.errorMessage());
        return fd;
    }

    private int attach(BpfCmd cmd, int map, int prog, int type) {
        ProgAttachAttr a = new ProgAttachAttr(map, prog, type);
        int r = f.bpf.bpf(cmd, a);
        f.why = a.errorMessage();
        return r;
    }

    /** PROG_QUERY's one id, 0 for none, or the negated errno. */
    private int query(int map, int type) {
        ProgQueryAttr a = new ProgQueryAttr(map, type, new int[1]);
        int r = f.bpf.bpf(BpfCmd.PROG_QUERY, a);
        return r < 0 ? r : a.progCnt == 0 ? 0 : a.progIds[0];
    }

    private int id(int progFd) {
        org.bpfmaps.core.api.InfoAttr i = new org.bpfmaps.core.api.InfoAttr(progFd);
        i.infoLen = 8;
        i.info = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder());
        assertEquals(0, f.bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, i));
        return i.info.getInt(4);
    }

    /**
     * A socket that closes while its map is detached (provider gone) no longer holds what it took:
     * {@code sock_map_close} (net/core/sock_map.c) drops the psock of a closing socket whatever
     * map held it. Once the program is detached and its fds closed, nothing holds it: its id is gone.
     */
    @Test
    void aSocketClosedWhileItsMapIsDetachedReleasesItsPrograms() throws IOException {
        int sm = f.create(MapType.SOCKMAP, 4, 8, 4, 0);
        int p = load(ProgType.SK_SKB);
        int pid = id(p);
        assertEquals(0, attach(BpfCmd.PROG_ATTACH, sm, p, ProgAttachAttr.SK_SKB_STREAM_VERDICT), f.why);
        int s1 = f.established();
        assertEquals(0, f.update(sm, 0, s1, 0));
        f.runtime.removeProvider(f.provider);
        assertEquals(0, f.bpf.close(s1), "the socket closes while no provider holds its map");
        assertEquals(0, attach(BpfCmd.PROG_DETACH, sm, p, ProgAttachAttr.SK_SKB_STREAM_VERDICT), f.why);
        assertEquals(0, f.bpf.close(p));
        GetIdAttr g = new GetIdAttr(pid);
        int fd = f.bpf.bpf(BpfCmd.PROG_GET_FD_BY_ID, g);
        assertEquals(Errno.ENOENT.ret(), fd, "the closed socket still holds program " + pid);
        f.runtime.addProvider(new SockMapProvider(), 0, "1.0.1");
        int s2 = f.established();
        assertEquals(0, f.update(sm, 0, s2, 0), "the map is back, without the closed socket");
    }

    /**
     * The attachments are the core's: they survive the provider's update (no export needed), a
     * detached map still answers PROG_QUERY, and a socket keeps the verdict it took (EBUSY into
     * another verdict map, {@code sock_map_link}); a socket inserted after the update takes it.
     */
    @Test
    void attachmentsAndWhatSocketsTookSurviveAProviderUpdate() throws IOException {
        int sm = f.create(MapType.SOCKMAP, 4, 8, 4, 0);
        int other = f.create(MapType.SOCKMAP, 4, 8, 4, 0);
        int p = load(ProgType.SK_SKB);
        int pid = id(p);
        assertEquals(0, attach(BpfCmd.PROG_ATTACH, sm, p, ProgAttachAttr.SK_SKB_STREAM_VERDICT), f.why);
        assertEquals(0, attach(BpfCmd.PROG_ATTACH, other, p, ProgAttachAttr.SK_SKB_VERDICT), f.why);
        int s1 = f.established();
        assertEquals(0, f.update(sm, 0, s1, 0));
        assertEquals(0, f.bpf.close(p), "an attached program outlives its fd");
        f.runtime.removeProvider(f.provider);
        assertEquals(pid, query(sm, ProgAttachAttr.SK_SKB_STREAM_VERDICT), "detached, still attached");
        f.runtime.addProvider(new SockMapProvider(), 0, "1.0.1");
        assertEquals(pid, query(sm, ProgAttachAttr.SK_SKB_STREAM_VERDICT));
        assertEquals(pid, f.sock(s1).programs().get(ProgAttachAttr.SK_SKB_STREAM_VERDICT).id());
        assertEquals(Errno.EBUSY.ret(), f.update(other, 0, s1, 0), "s1 runs a verdict still: " + f.why);
        int s2 = f.established();
        assertEquals(0, f.update(sm, 1, s2, 0));
        assertEquals(pid, f.sock(s2).programs().get(ProgAttachAttr.SK_SKB_STREAM_VERDICT).id());
    }

    /**
     * {@code sock_map_free} unlinks every socket (their programs go with their last link) and
     * {@code sock_map_release_progs} drops the map's programs: a program held by nothing else is
     * freed (PROG_GET_FD_BY_ID: ENOENT).
     */
    @Test
    void closingTheMapDropsItsProgramsAndTheSocketsPrograms() throws IOException {
        int sm = f.create(MapType.SOCKMAP, 4, 8, 4, 0);
        int p = load(ProgType.SK_MSG);
        int pid = id(p);
        assertEquals(0, attach(BpfCmd.PROG_ATTACH, sm, p, ProgAttachAttr.SK_MSG_VERDICT), f.why);
        int s = f.established();
        assertEquals(0, f.update(sm, 2, s, 0));
        assertEquals(pid, f.sock(s).programs().get(ProgAttachAttr.SK_MSG_VERDICT).id());
        assertEquals(0, f.bpf.close(p));
        assertEquals(0, f.bpf.close(sm));
        assertNull(f.sock(s).programs().get(ProgAttachAttr.SK_MSG_VERDICT));
        assertEquals(0, f.sock(s).programs().links());
        assertEquals(Errno.ENOENT.ret(), f.bpf.bpf(BpfCmd.PROG_GET_FD_BY_ID, new GetIdAttr(pid)));
    }

    /**
     * {@code bpf_prog_attach} (kernel/bpf/syscall.c): the program's type is checked before the
     * target (EINVAL even with a bad target fd); {@code sock_map_prog_lookup}: a map that is no
     * socket map is EOPNOTSUPP; {@code sock_map_prog_update}: detaching a program that is not the
     * attached one is ENOENT; STREAM_VERDICT and SK_SKB_VERDICT exclude each other (EBUSY).
     */
    @Test
    void attachRulesInTheKernelsOrder() {
        f.runtime.addProvider(new ArrayProvider());
        int sm = f.create(MapType.SOCKMAP, 4, 8, 4, 0);
        int arr = f.create(MapType.ARRAY, 4, 8, 4, 0);
        int skb = load(ProgType.SK_SKB);
        int msg = load(ProgType.SK_MSG);
        assertEquals(Errno.EINVAL.ret(), attach(BpfCmd.PROG_ATTACH, 1 << 20, msg, ProgAttachAttr.SK_SKB_VERDICT));
        assertEquals(Errno.EBADF.ret(), attach(BpfCmd.PROG_ATTACH, 1 << 20, skb, ProgAttachAttr.SK_SKB_VERDICT));
        assertEquals(Errno.EOPNOTSUPP.ret(), attach(BpfCmd.PROG_ATTACH, arr, skb, ProgAttachAttr.SK_SKB_VERDICT));
        assertEquals(Errno.ENOENT.ret(), attach(BpfCmd.PROG_DETACH, sm, skb, ProgAttachAttr.SK_SKB_VERDICT));
        assertEquals(0, attach(BpfCmd.PROG_ATTACH, sm, skb, ProgAttachAttr.SK_SKB_VERDICT));
        assertEquals(Errno.EBUSY.ret(), attach(BpfCmd.PROG_ATTACH, sm, skb, ProgAttachAttr.SK_SKB_STREAM_VERDICT));
        assertEquals(Errno.EBUSY.ret(), query(sm, ProgAttachAttr.SK_SKB_STREAM_VERDICT));
        assertEquals(0, attach(BpfCmd.PROG_DETACH, sm, skb, ProgAttachAttr.SK_SKB_VERDICT));
        assertEquals(0, query(sm, ProgAttachAttr.SK_SKB_VERDICT));
    }
}
