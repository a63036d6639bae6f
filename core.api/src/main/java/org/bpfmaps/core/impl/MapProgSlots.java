package org.bpfmaps.core.impl;

import java.util.concurrent.atomic.AtomicReferenceArray;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.ProgAttachAttr;
import org.bpfmaps.core.spi.MapPrograms;
import org.bpfmaps.core.spi.ProgRef;

/**
 * The programs attached to one map that takes them: the kernel's {@code struct sk_psock_progs} of
 * a socket map, with {@code sock_map_prog_update}'s rules (net/core/sock_map.c). Each attached
 * program holds one reference, so that a program whose fds are all closed stays attached (and
 * PROG_GET_FD_BY_ID finds it), as the kernel's map holds its {@code bpf_prog}.
 *
 * <p>Kept in the core's map object, not by the provider: the attachments are core objects tied to
 * the map's fd and id, and a map outlives its provider (a bundle update detaches it); keeping them
 * here makes them survive the update with no export, and a detached map still answers
 * PROG_ATTACH/DETACH/QUERY. The provider reads them through {@link MapPrograms} when a socket is
 * inserted. The four slots and the STREAM_VERDICT / SK_SKB_VERDICT exclusion are the socket maps'
 * (the only maps of the kernel that programs attach to by PROG_ATTACH); a map whose ops are no
 * {@link org.bpfmaps.core.spi.ProgAttachOps} has no slots at all.
 */
final class MapProgSlots implements MapPrograms {
    /** By {@link ProgAttachAttr#sockSlot}; read lock-free when a socket is inserted, written under this lock. */
    private final AtomicReferenceArray<ProgObject> slots = new AtomicReferenceArray<>(ProgAttachAttr.SOCK_SLOTS);

    @Override
    public ProgRef program(int attachType) {
        int slot = ProgAttachAttr.sockSlot(attachType);
        return slot < 0 ? null : slots.get(slot);
    }

    /**
     * {@code sock_map_prog_link_lookup}'s exclusion: a stream verdict and an skb verdict never
     * share a map, and neither type can even be queried while the other is attached (EBUSY).
     */
    synchronized int check(int attachType, ErrorSink err) {
        ProgRef skbVerdict = program(ProgAttachAttr.SK_SKB_VERDICT);
        ProgRef streamVerdict = program(ProgAttachAttr.SK_SKB_STREAM_VERDICT);
        if (attachType == ProgAttachAttr.SK_SKB_STREAM_VERDICT && skbVerdict != null) {
            return err.fail(Errno.EBUSY, "the map has an SK_SKB_VERDICT program (id %d): no SK_SKB_STREAM_VERDICT "
                    + "beside it", skbVerdict.id());
        }
        if (attachType == ProgAttachAttr.SK_SKB_VERDICT && streamVerdict != null) {
            return err.fail(Errno.EBUSY, "the map has an SK_SKB_STREAM_VERDICT program (id %d): no SK_SKB_VERDICT "
                    + "beside it", streamVerdict.id());
        }
        return 0;
    }

    /**
     * {@code sock_map_prog_update}: attaches {@code prog} (replacing what is attached; the same
     * program again is a success), or with {@code prog} null detaches {@code old}, which must be
     * the attached one ({@code psock_replace_prog}: ENOENT).
     */
    synchronized int update(int attachType, ProgObject prog, ProgObject old, ErrorSink err) {
        int r = check(attachType, err);
        if (r != 0) {
            return r;
        }
        ProgObject cur = (ProgObject) program(attachType);
        if (prog == null) {
            if (cur != old) {
                return err.fail(Errno.ENOENT, cur == null ? "no program is attached as attach_type %d"
                        : "program id " + old.id() + " is not the one attached as attach_type %d (id %d is)",
                        attachType, cur == null ? 0 : cur.id());
            }
            put(attachType, null);
            old.release();
            return 0;
        }
        if (!prog.retain()) {
            return err.fail(Errno.EBADF, "attach_bpf_fd: the program was freed meanwhile");
        }
        put(attachType, prog);
        if (cur != null) {
            cur.release();
        }
        return 0;
    }

    private void put(int attachType, ProgObject p) {
        int slot = ProgAttachAttr.sockSlot(attachType);
        if (slot < 0) {
            throw new IllegalArgumentException("attach type " + attachType);
        }
        slots.set(slot, p);
    }

    /** The map is freed: its programs are let go ({@code sock_map_release_progs}). */
    synchronized void clear() {
        for (int i = 0; i < ProgAttachAttr.SOCK_SLOTS; i++) {
            ProgObject p = slots.getAndSet(i, null);
            if (p != null) {
                p.release();
            }
        }
    }
}
