package org.bpfmaps.core.impl;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Something an fd or a pin can refer to: a map now; sockets, programs, links and devices later.
 * Reference counted as the kernel counts {@code struct bpf_map}'s refcnt: every fd, every pin and
 * whatever else holds the object (an inner map slot, a program's used maps) takes a reference, and
 * the object is freed when the last one goes.
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
}
