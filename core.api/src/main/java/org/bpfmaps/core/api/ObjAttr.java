package org.bpfmaps.core.api;

/** The attr of {@link BpfCmd#OBJ_PIN} and {@link BpfCmd#OBJ_GET}. */
public final class ObjAttr extends BpfAttr {
    /** An absolute path in the bpffs rooted at {@code /sys/fs/bpf}. */
    public String pathname;
    /** OBJ_PIN: the fd to pin. */
    public int bpfFd;
    /** OBJ_GET: {@link BpfFlags#F_RDONLY} or {@link BpfFlags#F_WRONLY} for the new fd, or 0. */
    public int fileFlags;
    /** Only with {@link BpfFlags#F_PATH_FD}, which this implementation does not support. */
    public int pathFd;
    /**
     * Stands for the bytes of the attr past {@code path_fd} (offset 20 to the attr's end):
     * non-zero is EINVAL, as the kernel's {@code CHECK_ATTR} answers for OBJ_PIN and OBJ_GET.
     */
    public long tail;

    public ObjAttr() {
    }

    public ObjAttr(String pathname, int bpfFd) {
        this.pathname = pathname;
        this.bpfFd = bpfFd;
    }
}
