package org.bpfmaps.core.api;

import java.nio.ByteBuffer;

/**
 * The attr of {@link BpfCmd#OBJ_GET_INFO_BY_FD}. The command writes {@code min(infoLen, 104)} bytes
 * of the kernel's {@code struct bpf_map_info} layout at {@link #info}'s position and sets
 * {@link #infoLen} to that number; {@link MapInfo#read} decodes them.
 */
public final class InfoAttr extends BpfAttr {
    public int bpfFd;
    public int infoLen;
    public ByteBuffer info;
    /**
     * For a program: where its map ids go, as the {@code map_ids} pointer of
     * {@code struct bpf_prog_info} (the struct's {@code nr_map_ids} says how many the caller wants;
     * fewer room than that is EFAULT). Null for none.
     */
    public int[] mapIds;
    /**
     * Stands for the bytes of the attr past {@code info} (offset 16 to the attr's end): non-zero
     * is EINVAL, as the kernel's {@code CHECK_ATTR} answers, before the fd is looked at.
     */
    public long tail;

    public InfoAttr() {
    }

    /** An attr for the whole struct, with a buffer of its own. */
    public InfoAttr(int bpfFd) {
        this.bpfFd = bpfFd;
        this.infoLen = BpfFlags.MAP_INFO_SIZE;
        this.info = ByteBuffer.allocate(BpfFlags.MAP_INFO_SIZE);
    }
}
