package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfLink;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.GetIdAttr;
import org.bpfmaps.core.api.LinkCreateAttr;
import org.bpfmaps.core.api.LinkInfo;
import org.bpfmaps.core.api.ObjAttr;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.prog.ProgramCode;
import org.bpfmaps.core.prog.ProgramProvider;
import org.bpfmaps.core.prog.XdpAction;
import org.bpfmaps.core.prog.XdpContext;
import org.bpfmaps.core.prog.XdpProgram;
import org.bpfmaps.core.xdp.NetDevices;
import org.bpfmaps.core.xdp.XdpAttach;
import org.bpfmaps.core.xdp.XdpAttachment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The XDP control plane as the RX path sees it: what {@link org.bpfmaps.core.impl.xdp.DeviceXdp}
 * holds after links and link-less attaches, links as objects (ids, pins, last reference), and
 * programs whose code leaves. The kernel's errnos for each rule are replayed from
 * corpus/xdp-attach-6.18.json by the conformance module's XdpAttachCorpusTest; these tests check
 * what a user sees besides them.
 */
class XdpLinksTest {
    private final CoreComponent core = new CoreComponent();
    private final BpfInstance bpf = core.newInstance(BpfSettings.defaults());
    private final Instance in = (Instance) bpf;
    private final ErrorSink sink = (e, why, a, b) -> -e.code();

    @AfterEach
    void close() {
        bpf.close();
    }

    private int load(ProgramCode code) {
        int fd = bpf.bpf(BpfCmd.PROG_LOAD, new ProgLoadAttr(ProgType.XDP, code));
        assertTrue(fd >= 3);
        return fd;
    }

    private ProgObject prog(int fd) {
        return (ProgObject) in.table().get(fd);
    }

    private int dev(String name) {
        return NetDevices.of(bpf).add(name, 2, sink);
    }

    /** bpf_xdp_link_attach, bpf_xdp_link_update, bpf_xdp_link_detach (net/core/dev.c): the program the RX path reads follows the link. */
    @Test
    void theRxPathRunsWhatTheLinkRunsUntilItIsDetached() {
        int d = dev("xdp0");
        int p = load((XdpProgram) ctx -> XdpAction.XDP_DROP);
        int q = load((XdpProgram) ctx -> XdpAction.XDP_PASS);
        assertNull(in.deviceXdp().program(d));
        try (BpfLink link = BpfLink.attachXdp(bpf, p, d, 0)) {
            assertSame(prog(p), in.deviceXdp().program(d));
            assertEquals(new LinkInfo(LinkInfo.TYPE_XDP, link.id(), prog(p).id(), d), link.info());
            assertEquals(new XdpAttachment(d, XdpAttachment.ATTACHED_DRV, prog(p).id(), link.id()),
                    XdpAttach.query(bpf, d));
            assertEquals(java.util.List.of(XdpAttach.query(bpf, d)), XdpAttach.list(bpf), "lo runs nothing");
            link.update(q);
            assertSame(prog(q), in.deviceXdp().program(d));
            link.detach();
            assertNull(in.deviceXdp().program(d));
            assertEquals(0, link.info().ifindex());
            assertEquals(prog(q).id(), link.info().progId(), "a detached link keeps its program");
            BpfException e = assertThrows(BpfException.class, () -> link.update(p));
            assertEquals(Errno.ENOLINK, e.errno());
        }
        assertEquals(1, prog(p).refCount(), "the link's reference on its programs is gone with it");
        assertEquals(1, prog(q).refCount());
    }

    /** bpf_link_put / bpf_xdp_link_release: the device is detached when the last fd or pin goes, not before. */
    @Test
    void aPinnedLinkKeepsTheDeviceUntilItsLastReferenceGoes() {
        int d = dev("xdp0");
        int p = load((XdpProgram) ctx -> XdpAction.XDP_DROP);
        BpfLink link = BpfLink.attachXdp(bpf, p, d, LinkCreateAttr.XDP_FLAGS_SKB_MODE);
        int id = link.id();
        link.pin("/sys/fs/bpf/xdp0-link");
        link.close();
        assertSame(prog(p), in.deviceXdp().program(d), "the pin holds the link");
        assertEquals("generic", XdpAttach.query(bpf, d).modeName());
        BpfLink again = BpfLink.openPinned(bpf, "/sys/fs/bpf/xdp0-link");
        assertEquals(id, again.id());
        BpfLink byId = BpfLink.fromId(bpf, id);
        again.close();
        assertEquals(0, bpf.unlink("/sys/fs/bpf/xdp0-link", sink));
        assertSame(prog(p), in.deviceXdp().program(d), "an fd from LINK_GET_FD_BY_ID still holds it");
        byId.close();
        assertNull(in.deviceXdp().program(d));
        assertEquals(XdpAttachment.ATTACHED_NONE, XdpAttach.query(bpf, d).attached());
        assertEquals(Errno.ENOENT.ret(), bpf.bpf(BpfCmd.LINK_GET_FD_BY_ID, new GetIdAttr(id)));
        // a program pinned is not a link
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_PIN, new ObjAttr("/sys/fs/bpf/prog", p)));
        BpfException e = assertThrows(BpfException.class, () -> BpfLink.openPinned(bpf, "/sys/fs/bpf/prog"));
        assertEquals(Errno.EINVAL, e.errno());
    }

    /**
     * bpf_obj_get_next_id over link_idr, and bpf_link_prime (kernel/bpf/syscall.c): a link refused
     * by the device has taken an id from the cyclic idr all the same.
     */
    @Test
    void linkIdsAreWalkedAndARefusedLinkUsesOneUp() {
        int d = dev("xdp0");
        int e = dev("xdp1");
        int p = load((XdpProgram) ctx -> XdpAction.XDP_PASS);
        int first = bpf.bpf(BpfCmd.LINK_CREATE, LinkCreateAttr.xdp(p, d, 0));
        LinkCreateAttr busy = LinkCreateAttr.xdp(p, d, 0);
        assertEquals(Errno.EBUSY.ret(), bpf.bpf(BpfCmd.LINK_CREATE, busy));
        assertTrue(busy.errorMessage().contains("link"), busy.errorMessage());
        int second = bpf.bpf(BpfCmd.LINK_CREATE, LinkCreateAttr.xdp(p, e, 0));
        int id1 = in.table().get(first).id();
        int id2 = in.table().get(second).id();
        assertEquals(id1 + 2, id2);
        GetIdAttr walk = new GetIdAttr(0);
        assertEquals(0, bpf.bpf(BpfCmd.LINK_GET_NEXT_ID, walk));
        assertEquals(id1, walk.nextId);
        walk.startId = walk.nextId;
        assertEquals(0, bpf.bpf(BpfCmd.LINK_GET_NEXT_ID, walk));
        assertEquals(id2, walk.nextId);
        walk.startId = walk.nextId;
        assertEquals(Errno.ENOENT.ret(), bpf.bpf(BpfCmd.LINK_GET_NEXT_ID, walk));
        assertEquals(3, prog(p).refCount(), "the fd and each live link hold one reference, the refused link none");
    }

    /**
     * dev_xdp_attach (net/core/dev.c): a link-less program is held by the device, so closing its
     * fds leaves it running; replacing or detaching it drops that reference, and so does closing
     * the instance.
     */
    @Test
    void theDeviceHoldsALinkLessProgramUntilItIsReplacedOrDetached() {
        int d = dev("xdp0");
        int p = load((XdpProgram) ctx -> XdpAction.XDP_DROP);
        int q = load((XdpProgram) ctx -> XdpAction.XDP_PASS);
        ProgObject pp = prog(p);
        ProgObject qq = prog(q);
        assertEquals(0, XdpAttach.attach(bpf, d, p, 0, XdpAttach.NO_EXPECTED_FD, sink));
        bpf.close(p);
        assertSame(pp, in.deviceXdp().program(d));
        assertEquals(1, pp.refCount(), "the device's reference");
        assertEquals(0, XdpAttach.attach(bpf, d, q, 0, XdpAttach.NO_EXPECTED_FD, sink));
        assertSame(qq, in.deviceXdp().program(d));
        assertEquals(0, pp.refCount(), "replaced: the program is freed");
        assertEquals(Errno.EBUSY.ret(), XdpAttach.attach(bpf, d, q, LinkCreateAttr.XDP_FLAGS_UPDATE_IF_NOEXIST,
                XdpAttach.NO_EXPECTED_FD, sink));
        assertEquals(Errno.ENODEV.ret(), XdpAttach.attach(bpf, 99, q, 0, XdpAttach.NO_EXPECTED_FD, sink));
        assertNull(XdpAttach.query(bpf, 99));
        assertEquals(2, qq.refCount());
        bpf.close();
        assertEquals(0, qq.refCount(), "closing the instance detaches its devices' programs");
        assertNull(in.deviceXdp().program(d));
    }

    /** A dev-bound program (bpf_prog_dev_bound_init, kernel/bpf/offload.c) loads for an existing device only. */
    @Test
    void aDeviceBoundProgramNamesAnExistingDevice() {
        int d = dev("xdp0");
        ProgLoadAttr a = new ProgLoadAttr(ProgType.XDP, (XdpProgram) ctx -> XdpAction.XDP_PASS);
        a.progIfindex = d;
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.PROG_LOAD, a), "offload: no offload driver");
        assertTrue(a.errorMessage().contains("offload"), a.errorMessage());
        a.progFlags = 0x40;
        a.progIfindex = 77;
        assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.PROG_LOAD, a));
        assertTrue(a.errorMessage().contains("no such device"), a.errorMessage());
        a.progIfindex = d;
        int fd = bpf.bpf(BpfCmd.PROG_LOAD, a);
        assertTrue(fd >= 3, a.errorMessage());
        assertEquals(d, prog(fd).boundIfindex());
        assertEquals(Errno.EINVAL.ret(), XdpAttach.attach(bpf, d, fd, LinkCreateAttr.XDP_FLAGS_SKB_MODE,
                XdpAttach.NO_EXPECTED_FD, sink), "dev-bound programs run native only");
    }

    /**
     * A program whose code's bundle goes away (ProgObject unbound) stays on its devices, link and
     * link-less alike, and the RX path's run passes every frame (XDP_PASS); code of the name that
     * returns runs again with nothing re-attached.
     */
    @Test
    void devicesKeepPassingTrafficWhileAProgramsBundleIsGone() {
        int d = dev("xdp0");
        int e = dev("xdp1");
        ProgramProvider dropper = provider("dropper", (XdpProgram) ctx -> XdpAction.XDP_DROP);
        core.addProgram(dropper);
        int p = bpf.bpf(BpfCmd.PROG_LOAD, new ProgLoadAttr(ProgType.XDP, "dropper"));
        assertTrue(p >= 3);
        int link = bpf.bpf(BpfCmd.LINK_CREATE, LinkCreateAttr.xdp(p, d, 0));
        assertTrue(link >= 3);
        assertEquals(0, XdpAttach.attach(bpf, e, p, 0, XdpAttach.NO_EXPECTED_FD, sink));
        ProgObject pp = prog(p);
        assertEquals(XdpAction.XDP_DROP, pp.run(new Frame(pp, d)));

        core.removeProgram(dropper);
        assertFalse(pp.bound());
        for (int ifindex : new int[] {d, e}) {
            ProgObject running = in.deviceXdp().program(ifindex);
            assertSame(pp, running, "still attached to device " + ifindex);
            Frame f = new Frame(running, ifindex);
            assertEquals(XdpAction.XDP_PASS, running.run(f));
            assertEquals(RunContext.UNBOUND, f.outcome());
        }
        assertEquals(d, infoOf(link).ifindex(), "the link stays on its device");

        core.addProgram(provider("dropper", (XdpProgram) ctx -> XdpAction.XDP_TX));
        assertEquals(XdpAction.XDP_TX, in.deviceXdp().program(d).run(new Frame(pp, d)));
        assertEquals(XdpAction.XDP_TX, in.deviceXdp().program(e).run(new Frame(pp, e)));
    }

    private LinkInfo infoOf(int fd) {
        org.bpfmaps.core.api.InfoAttr a = new org.bpfmaps.core.api.InfoAttr();
        a.bpfFd = fd;
        a.infoLen = LinkInfo.SIZE;
        a.info = ByteBuffer.allocate(LinkInfo.SIZE).order(java.nio.ByteOrder.nativeOrder());
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a));
        return LinkInfo.read(a.info, a.infoLen);
    }

    private static ProgramProvider provider(String name, ProgramCode code) {
        return new ProgramProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ProgramCode code() {
                return code;
            }
        };
    }

    /** A 64-byte frame on queue 0: the least of an XDP context, for runs outside the RX path. */
    private static final class Frame extends RunContext implements XdpContext {
        private final ByteBuffer frame = ByteBuffer.allocate(320);
        private final int ifindex;

        Frame(ProgObject prog, int ifindex) {
            super(prog, 0);
            this.ifindex = ifindex;
        }

        @Override
        public ByteBuffer frame() {
            return frame;
        }

        @Override
        public int data() {
            return 256;
        }

        @Override
        public int dataEnd() {
            return 320;
        }

        @Override
        public int ingressIfindex() {
            return ifindex;
        }

        @Override
        public int rxQueueIndex() {
            return 0;
        }

        @Override
        public int adjustHead(int delta) {
            return Errno.EINVAL.ret();
        }

        @Override
        public int redirectMap(int map, int key, long flags) {
            return (int) (flags & 3);
        }
    }
}
