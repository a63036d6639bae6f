package org.bpfmaps.core.api;

/**
 * The attr of {@link BpfCmd#LINK_DETACH}: detaches a link from its target now; the link stays
 * (its fds, pins and id) with no target, and its program.
 */
public final class LinkDetachAttr extends BpfAttr {
    /** {@code link_fd}. */
    public int linkFd;
    /**
     * Stands for the bytes of the attr past {@code link_fd} (offset 4 to the attr's end): non-zero
     * is EINVAL, as the kernel's {@code CHECK_ATTR} answers.
     */
    public long tail;

    public LinkDetachAttr() {
    }

    public LinkDetachAttr(int linkFd) {
        this.linkFd = linkFd;
    }
}
