package org.bpfmaps.core.api;

import java.nio.ByteBuffer;

/**
 * A handle on one BPF link (an XDP link here): the typed face of LINK_CREATE, LINK_UPDATE,
 * LINK_DETACH and the link's info, holding the link's fd. As {@link BpfProgram}, every failure is
 * a {@link BpfException} with the kernel's errno. {@link #close()} closes the fd; the link (and the
 * program on its device) lives on while other fds or pins hold it.
 */
public final class BpfLink implements AutoCloseable {
    private final Bpf bpf;
    private final int fd;
    private volatile boolean closed;

    private BpfLink(Bpf bpf, int fd) {
        this.bpf = bpf;
        this.fd = fd;
    }

    /**
     * LINK_CREATE of an XDP link: {@code prog} runs on the device {@code ifindex} in the mode of
     * {@code flags} (0, or one of {@link LinkCreateAttr#XDP_FLAGS_SKB_MODE} /
     * {@link LinkCreateAttr#XDP_FLAGS_DRV_MODE}) until the link goes.
     */
    public static BpfLink attachXdp(Bpf bpf, int progFd, int ifindex, int flags) {
        LinkCreateAttr a = LinkCreateAttr.xdp(progFd, ifindex, flags);
        int fd = bpf.bpf(BpfCmd.LINK_CREATE, a);
        if (fd < 0) {
            throw BpfException.of("LINK_CREATE xdp ifindex " + ifindex, fd, a);
        }
        return new BpfLink(bpf, fd);
    }

    /** OBJ_GET: a new handle on the link pinned at {@code path} (EINVAL, the fd closed, when it is no link). */
    public static BpfLink openPinned(Bpf bpf, String path) {
        int fd = ObjFds.objGet(bpf, path);
        // a link's info is 64 bytes long, a map's 104, a program's 232: asked for more, each says which it is
        InfoAttr i = infoAttr(fd, 256);
        if (bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, i) < 0 || i.infoLen != LinkInfo.SIZE) {
            bpf.close(fd);
            throw new BpfException(Errno.EINVAL, path + " is not a link");
        }
        return new BpfLink(bpf, fd);
    }

    private static InfoAttr infoAttr(int fd, int len) {
        InfoAttr a = new InfoAttr();
        a.bpfFd = fd;
        a.infoLen = len;
        a.info = ByteBuffer.allocate(len);
        return a;
    }

    /** LINK_GET_FD_BY_ID: a new handle on the link with this id. */
    public static BpfLink fromId(Bpf bpf, int id) {
        int fd = ObjFds.fdById(bpf, BpfCmd.LINK_GET_FD_BY_ID, id);
        return new BpfLink(bpf, fd);
    }

    public int fd() {
        return fd;
    }

    /** The link's info now: its id, program and device (0 once detached). */
    public LinkInfo info() {
        checkOpen();
        InfoAttr a = infoAttr(fd, LinkInfo.SIZE);
        int r = bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a);
        if (r < 0) {
            throw BpfException.of("OBJ_GET_INFO_BY_FD", r, a);
        }
        return LinkInfo.read(a.info, a.infoLen);
    }

    public int id() {
        return info().id();
    }

    /** LINK_UPDATE: the link runs {@code progFd} from the next frame on. */
    public void update(int progFd) {
        checkOpen();
        LinkUpdateAttr a = new LinkUpdateAttr(fd, progFd);
        int r = bpf.bpf(BpfCmd.LINK_UPDATE, a);
        if (r < 0) {
            throw BpfException.of("LINK_UPDATE", r, a);
        }
    }

    /** LINK_DETACH: the device no longer runs the link's program; the link stays, detached. */
    public void detach() {
        checkOpen();
        LinkDetachAttr a = new LinkDetachAttr(fd);
        int r = bpf.bpf(BpfCmd.LINK_DETACH, a);
        if (r < 0) {
            throw BpfException.of("LINK_DETACH", r, a);
        }
    }

    /** OBJ_PIN at {@code path} in the instance's bpffs: the link outlives this handle. */
    public void pin(String path) {
        checkOpen();
        ObjFds.pin(bpf, fd, path);
    }

    private void checkOpen() {
        if (closed) {
            throw new BpfException(Errno.EBADF, "the link handle is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            bpf.close(fd);
        }
    }

    @Override
    public String toString() {
        return "BpfLink(fd=" + fd + ")";
    }
}
