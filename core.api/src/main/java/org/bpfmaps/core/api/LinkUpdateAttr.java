package org.bpfmaps.core.api;

/**
 * The attr of {@link BpfCmd#LINK_UPDATE}: gives a link another program of the same type and
 * expected attach type. With {@link #BPF_F_REPLACE} only if the link runs {@link #oldProgFd} now
 * (EPERM otherwise).
 */
public final class LinkUpdateAttr extends BpfAttr {
    /** {@code BPF_F_REPLACE}: {@link #oldProgFd} names the program expected on the link. */
    public static final int BPF_F_REPLACE = 4;

    /** {@code link_fd}. */
    public int linkFd;
    /** {@code new_prog_fd}. */
    public int newProgFd;
    /** {@code flags}: 0 or {@link #BPF_F_REPLACE}. */
    public int flags;
    /** {@code old_prog_fd}: only with {@link #BPF_F_REPLACE}; non-zero without it is EINVAL. */
    public int oldProgFd;
    /**
     * Stands for the bytes of the attr past {@code old_prog_fd} (offset 16 to the attr's end):
     * non-zero is EINVAL, as the kernel's {@code CHECK_ATTR} answers.
     */
    public long tail;

    public LinkUpdateAttr() {
    }

    public LinkUpdateAttr(int linkFd, int newProgFd) {
        this.linkFd = linkFd;
        this.newProgFd = newProgFd;
    }
}
