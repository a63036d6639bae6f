package org.bpfmaps.core.impl;

import org.bpfmaps.core.api.BpfFlags;

/**
 * One open fd: the object and the fd's own access mode (the kernel's {@code f_mode}), which
 * BPF_F_RDONLY / BPF_F_WRONLY set per fd, not per map.
 */
final class FdEntry {
    final BpfObject obj;
    final boolean canRead;
    final boolean canWrite;
    /** The typed handles' bound path on this fd, once one asked; guarded by the map's lock. */
    FastElemPath path;
    /** Set when the fd is closed; guarded by the map's lock, so that no path binds after it. */
    boolean closed;

    FdEntry(BpfObject obj, int accessFlags) {
        this.obj = obj;
        this.canRead = (accessFlags & BpfFlags.F_WRONLY) == 0;
        this.canWrite = (accessFlags & BpfFlags.F_RDONLY) == 0;
    }
}
