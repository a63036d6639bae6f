package org.bpfmaps.core.impl;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.spi.ObjectKind;

/**
 * Something an fd or a pin can refer to: a map now; sockets, programs, links and devices later.
 * Reference counted as the kernel counts {@code struct bpf_map}'s refcnt: every fd, every pin and
 * whatever else holds the object (an inner map slot, a program's used maps) takes a reference, and
 * the object is freed when the last one goes.
 *
 * <p>What differs between kinds is asked of the object, so that the table and the commands around
 * it hold no list of kinds: its {@link ObjectKind} (ids, pinning), its answer to OBJ_GET_INFO_BY_FD
 * ({@link #info}), its fdinfo lines, what closing one of its fds does ({@link #fdClosed}) and what
 * freeing it does ({@link #free}).
 */
public abstract class BpfObject {
    private final ObjectKind kind;
    private final AtomicInteger refs = new AtomicInteger(1);
    private volatile int id;
    private IdSpace ids;

    protected BpfObject(ObjectKind kind) {
        this.kind = kind;
    }

    public final ObjectKind kind() {
        return kind;
    }

    /** The global id in the kind's id space, or 0 before it is published or after it is freed. */
    public final int id() {
        return id;
    }

    final void published(IdSpace ids, int id) {
        this.ids = ids;
        this.id = id;
    }

    /** Takes one more reference; false when the object is already being freed. */
    public final boolean retain() {
        for (;;) {
            int r = refs.get();
            if (r <= 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** Drops one reference; the last one frees the object and releases its id. */
    public final void release() {
        if (refs.decrementAndGet() == 0) {
            if (ids != null) {
                ids.remove(this);
            }
            free();
        }
    }

    public final int refCount() {
        return refs.get();
    }

    /** Releases what the object holds; called once, after the last reference is gone. */
    protected abstract void free();

    /**
     * OBJ_GET_INFO_BY_FD on an fd of this object; the attr's fd is open. By default EINVAL, as the
     * kernel answers for a file that is not a map, program, BTF or link.
     */
    int info(InfoAttr a) {
        return a.fail(Errno.EINVAL, "bpf_fd %d is a " + kind().name() + ", which has no info", a.bpfFd);
    }

    /** What /proc/self/fdinfo shows for an fd of this object after the common lines; none by default. */
    Map<String, String> fdinfoLines() {
        return Map.of();
    }

    /**
     * One fd of this object was closed (the table has already forgotten it); called before the
     * fd's reference is dropped, so the object is still alive. Nothing by default.
     */
    void fdClosed(FdEntry e) {
    }
}
