package org.bpfmaps.map.hash;

import java.nio.ByteBuffer;

/**
 * One LRU list set, after kernel/bpf/bpf_lru_list.c's {@code struct bpf_lru_list}: the elements it
 * owns are on one of three doubly linked lists, FREE, ACTIVE or INACTIVE, and carry a reference
 * bit that lookups made by programs set. There is no exact recency order, only a second chance:
 *
 * <pre>
 *   pop:      FREE head -> INACTIVE head (ref cleared)
 *   rotate:   if INACTIVE is shorter than ACTIVE, walk ACTIVE from the tail:
 *                 ref set -> ACTIVE head, ref cleared;  else -> INACTIVE head
 *             walk INACTIVE backwards from a rotation cursor: ref set -> ACTIVE head
 *   shrink:   walk INACTIVE from the tail: ref set -> ACTIVE head; else evict it -> FREE
 *             nothing evicted: evict the tail of INACTIVE (or ACTIVE) whatever its ref bit
 * </pre>
 *
 * So an element looked up since the last rotation survives one more round, and a scan of cold
 * keys (which nobody looks up again) recycles itself through INACTIVE without pushing hot
 * elements out of ACTIVE. Every walk is bounded by {@code nrScans} nodes.
 *
 * <p>The list fields live in the elements' LRU header (see {@link ElemLayout}); links are stored
 * as index + 1, 0 meaning the list head. Everything here runs holding this list's monitor, except
 * {@link #touch}, a racy byte store as the kernel's {@code bpf_lru_node_set_ref}. Evicting an
 * element takes its bucket lock while this lock is held: the lock order is lru lock, then bucket
 * lock, and nothing takes them the other way round.
 */
final class LruList {
    static final int ACTIVE = 0;
    static final int INACTIVE = 1;
    static final int FREE = 2;
    /** The list head in the rotation cursor's circular view of INACTIVE. */
    private static final int HEAD = -1;

    private final Slab slab;
    private final Lru.Evictor evictor;
    private final int nrScans;
    private final int shrinkTarget;
    private final int rotateEvery;
    private final int[] first = {-1, -1, -1};
    private final int[] last = {-1, -1, -1};
    private final int[] counts = new int[3];
    /** The kernel's {@code next_inactive_rotation}: an INACTIVE node, or HEAD. */
    private int rotation = HEAD;
    private int popsSinceRotation;

    /**
     * @param nrScans the most nodes one walk looks at
     * @param shrinkTarget how many elements an empty free list evicts at once
     * @param rotateEvery pops between two rotations
     */
    LruList(Slab slab, Lru.Evictor evictor, int nrScans, int shrinkTarget, int rotateEvery) {
        this.slab = slab;
        this.evictor = evictor;
        this.nrScans = nrScans;
        this.shrinkTarget = shrinkTarget;
        this.rotateEvery = rotateEvery;
    }

    /** Gives the list element e, free, owned by {@code cpu}. Only while the map is being made. */
    void populate(int e, int cpu) {
        putInt(e, ElemLayout.LRU_CPU, cpu);
        slab.buf(e).put(slab.base(e) + ElemLayout.LRU_TYPE, (byte) FREE);
        counts[FREE]++;
        addHead(e, FREE);
    }

    /**
     * {@code bpf_lru_pop_free}: a free element for a key of this hash, evicting when there is
     * none; on the INACTIVE list from now on. -1 only when every element is being inserted or
     * deleted at this very moment.
     */
    synchronized int pop(int hash) {
        if (++popsSinceRotation >= rotateEvery || first[FREE] < 0) {
            popsSinceRotation = 0;
            rotate();
        }
        if (first[FREE] < 0) {
            shrink();
        }
        int e = first[FREE];
        if (e < 0) {
            return -1;
        }
        putInt(e, ElemLayout.HASH, hash);
        move(e, INACTIVE);
        return e;
    }

    /** {@code bpf_lru_push_free}: e was deleted from the table (or never got in) and is free again. */
    synchronized void push(int e) {
        move(e, FREE);
    }

    // ---- rotation and shrinking, as __bpf_lru_list_rotate and __bpf_lru_list_shrink ----

    private void rotate() {
        if (counts[INACTIVE] < counts[ACTIVE]) {
            rotateActive();
        }
        rotateInactive();
    }

    private void rotateActive() {
        int firstNode = first[ACTIVE];
        int i = 0;
        for (int e = last[ACTIVE]; e >= 0;) {
            int p = prev(e);
            move(e, ref(e) ? ACTIVE : INACTIVE);
            if (++i == nrScans || e == firstNode) {
                break;
            }
            e = p;
        }
    }

    private void rotateInactive() {
        if (first[INACTIVE] < 0) {
            return;
        }
        // walk backwards from the cursor round to the node just after it
        int end = circularNext(rotation);
        if (end == HEAD) {
            end = circularNext(HEAD);
        }
        int cur = rotation;
        int next = HEAD;
        int i = 0;
        while (i < nrScans) {
            if (cur == HEAD) {
                cur = circularPrev(cur);
                continue;
            }
            next = circularPrev(cur);
            if (ref(cur)) {
                move(cur, ACTIVE);
            }
            if (cur == end) {
                break;
            }
            cur = next;
            i++;
        }
        rotation = next;
    }

    private void shrink() {
        if (shrinkInactive() > 0) {
            return;
        }
        // nothing without its ref bit could go: force one out, ignoring the ref bits
        int list = first[INACTIVE] >= 0 ? INACTIVE : ACTIVE;
        for (int e = last[list]; e >= 0;) {
            int p = prev(e);
            if (evictor.deleteNode(e)) {
                move(e, FREE);
                return;
            }
            e = p;
        }
    }

    private int shrinkInactive() {
        int evicted = 0;
        int i = 0;
        for (int e = last[INACTIVE]; e >= 0;) {
            int p = prev(e);
            if (ref(e)) {
                move(e, ACTIVE);
            } else if (evictor.deleteNode(e)) {
                move(e, FREE);
                if (++evicted == shrinkTarget) {
                    break;
                }
            }
            if (++i == nrScans) {
                break;
            }
            e = p;
        }
        return evicted;
    }

    // ---- the lists ----

    /** {@code __bpf_lru_node_move}: e to the head of list {@code to}, its ref bit cleared. */
    private void move(int e, int to) {
        int from = type(e);
        if (from != to) {
            counts[from]--;
            counts[to]++;
        }
        clearRef(e);
        if (e == rotation) {
            rotation = circularPrev(e);
        }
        unlinkNode(e, from);
        addHead(e, to);
    }

    private void unlinkNode(int e, int list) {
        int p = prev(e);
        int n = next(e);
        if (p >= 0) {
            putInt(p, ElemLayout.LRU_NEXT, n + 1);
        } else {
            first[list] = n;
        }
        if (n >= 0) {
            putInt(n, ElemLayout.LRU_PREV, p + 1);
        } else {
            last[list] = p;
        }
    }

    private void addHead(int e, int list) {
        int f = first[list];
        putInt(e, ElemLayout.LRU_PREV, 0);
        putInt(e, ElemLayout.LRU_NEXT, f + 1);
        if (f >= 0) {
            putInt(f, ElemLayout.LRU_PREV, e + 1);
        } else {
            last[list] = e;
        }
        first[list] = e;
        slab.buf(e).put(slab.base(e) + ElemLayout.LRU_TYPE, (byte) list);
    }

    /** INACTIVE as a ring through its head: the node before x (the tail, before the head). */
    private int circularPrev(int x) {
        return x == HEAD ? last[INACTIVE] : prev(x);
    }

    /** INACTIVE as a ring through its head: the node after x (the first, after the head). */
    private int circularNext(int x) {
        return x == HEAD ? first[INACTIVE] : next(x);
    }

    private int prev(int e) {
        return getInt(e, ElemLayout.LRU_PREV) - 1;
    }

    private int next(int e) {
        return getInt(e, ElemLayout.LRU_NEXT) - 1;
    }

    private int type(int e) {
        return slab.buf(e).get(slab.base(e) + ElemLayout.LRU_TYPE);
    }

    private boolean ref(int e) {
        return slab.buf(e).get(slab.base(e) + ElemLayout.LRU_REF) != 0;
    }

    private void clearRef(int e) {
        slab.buf(e).put(slab.base(e) + ElemLayout.LRU_REF, (byte) 0);
    }

    private int getInt(int e, int field) {
        ByteBuffer b = slab.buf(e);
        return KeyBytes.getInt(b, slab.base(e) + field);
    }

    private void putInt(int e, int field, int v) {
        KeyBytes.putInt(slab.buf(e), slab.base(e) + field, v);
    }
}
