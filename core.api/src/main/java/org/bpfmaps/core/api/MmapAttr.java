package org.bpfmaps.core.api;

/**
 * The arguments of {@link Bpf#mmap}: the counterpart of {@code mmap(2)} on a map fd created with
 * {@link BpfFlags#F_MMAPABLE}. On success {@link #mapping} holds the live view.
 */
public final class MmapAttr extends BpfAttr {
    public int mapFd;
    /** A writable ({@code PROT_WRITE}, {@code MAP_SHARED}) mapping rather than a read-only one. */
    public boolean writable;
    /** Out: the mapping; close it as {@code munmap(2)}. */
    public MapMapping mapping;

    public MmapAttr() {
    }

    public MmapAttr(int mapFd, boolean writable) {
        this.mapFd = mapFd;
        this.writable = writable;
    }
}
