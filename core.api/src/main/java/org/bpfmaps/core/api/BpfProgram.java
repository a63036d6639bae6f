package org.bpfmaps.core.api;

import java.nio.ByteBuffer;

/**
 * A handle on one program: the typed face of the program that {@link Bpf#bpf} reaches by its fd
 * (the handle holds that fd). Modelled on cilium/ebpf's {@code Program}: every failure is a
 * {@link BpfException} with the kernel's errno and a message naming the field and the limit.
 * {@link #close()} closes the fd; the program lives on while other fds or pins hold it.
 */
public final class BpfProgram implements AutoCloseable {
    private final Bpf bpf;
    private final int fd;
    private final ProgInfo info;
    private volatile boolean closed;

    private BpfProgram(Bpf bpf, int fd) {
        this.bpf = bpf;
        this.fd = fd;
        try {
            this.info = info(bpf, fd);
        } catch (BpfException e) {
            bpf.close(fd);
            throw e;
        }
    }

    /** PROG_LOAD from a spec, with the maps the program uses, reached by its context by index in this order. */
    public static BpfProgram load(Bpf bpf, ProgSpec spec, BpfMap... maps) {
        int[] fds = new int[maps.length];
        for (int i = 0; i < maps.length; i++) {
            fds[i] = maps[i].fd();
        }
        ProgLoadAttr a = spec.toAttr(fds);
        int fd = bpf.bpf(BpfCmd.PROG_LOAD, a);
        if (fd < 0) {
            throw BpfException.of("PROG_LOAD " + spec, fd, a);
        }
        return new BpfProgram(bpf, fd);
    }

    /** OBJ_GET: a new handle on the program pinned at {@code path}. */
    public static BpfProgram openPinned(Bpf bpf, String path) {
        int fd = ObjFds.objGet(bpf, path);
        return checked(bpf, fd, "OBJ_GET " + path);
    }

    /** PROG_GET_FD_BY_ID: a new handle on the program with this id. */
    public static BpfProgram fromId(Bpf bpf, int id) {
        int fd = ObjFds.fdById(bpf, BpfCmd.PROG_GET_FD_BY_ID, id);
        return new BpfProgram(bpf, fd);
    }

    /** Wraps a program fd the caller opened through {@link Bpf#bpf}; the handle takes it over. */
    public static BpfProgram ofFd(Bpf bpf, int fd) {
        return checked(bpf, fd, "fd " + fd);
    }

    /** A handle on an fd that must be a program's (a pin may hold a map): EINVAL otherwise, the fd closed. */
    private static BpfProgram checked(Bpf bpf, int fd, String what) {
        BpfProgram p = new BpfProgram(bpf, fd);
        if (p.info.progType() == null || p.info.id() == 0) {
            bpf.close(fd);
            throw new BpfException(Errno.EINVAL, what + " is not a program");
        }
        return p;
    }

    private static ProgInfo info(Bpf bpf, int fd) {
        InfoAttr a = new InfoAttr();
        a.bpfFd = fd;
        a.infoLen = ProgInfo.SIZE;
        a.info = ByteBuffer.allocate(ProgInfo.SIZE);
        int r = bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a);
        if (r < 0) {
            throw BpfException.of("OBJ_GET_INFO_BY_FD", r, a);
        }
        if (a.infoLen != ProgInfo.SIZE) {
            throw new BpfException(Errno.EINVAL, "fd " + fd + " is not a program: its info has " + a.infoLen
                    + " bytes, struct bpf_prog_info " + ProgInfo.SIZE);
        }
        return ProgInfo.read(a.info, a.infoLen);
    }

    public int fd() {
        return fd;
    }

    public int id() {
        return info.id();
    }

    public ProgType type() {
        return info.progType();
    }

    public String name() {
        return info.name();
    }

    /** The program's info as the kernel reports it now. */
    public ProgInfo info() {
        checkOpen();
        return info(bpf, fd);
    }

    /** OBJ_PIN at {@code path} in the instance's bpffs. */
    public void pin(String path) {
        checkOpen();
        ObjFds.pin(bpf, fd, path);
    }

    /**
     * LINK_CREATE of an XDP link running this program on the device {@code ifindex} (flags: 0 or
     * one {@code XDP_FLAGS_*} mode flag of {@link LinkCreateAttr}); the device runs it until the
     * link's last reference goes.
     */
    public BpfLink attachXdp(int ifindex, int flags) {
        checkOpen();
        return BpfLink.attachXdp(bpf, fd, ifindex, flags);
    }

    private void checkOpen() {
        if (closed) {
            throw new BpfException(Errno.EBADF, "the program handle is closed");
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
        return "BpfProgram(fd=" + fd + ", id=" + info.id() + ", " + info.progType() + ", name=" + info.name() + ")";
    }
}
