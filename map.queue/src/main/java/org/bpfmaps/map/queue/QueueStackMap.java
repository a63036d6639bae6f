package org.bpfmaps.map.queue;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapState;

/**
 * QUEUE and STACK, after kernel/bpf/queue_stack_maps.c: keyless maps where UPDATE pushes, LOOKUP
 * peeks and LOOKUP_AND_DELETE pops (the core passes a NULL key, since key_size is 0). Keys do not
 * exist, so delete and get_next_key are EINVAL; the type's table lists no batch command, so the core
 * answers those ENOTSUPP before the ops. One lock
 * per map, as the kernel's spinlock: every op is a few index moves and one value copy.
 */
abstract class QueueStackMap implements MapOps, KeylessProgOps {
    private final Object lock = new Object();
    private final Ring ring;
    private final int valueSize;
    /** Set by {@link #exportState}: the map's contents have gone to the next provider. */
    private boolean retired;

    QueueStackMap(MapDef def) {
        this.valueSize = def.valueSize();
        this.ring = new Ring(Integer.toUnsignedLong(def.maxEntries()), valueSize);
    }

    /** The slot the next peek or pop takes: the oldest for a queue, the newest for a stack. */
    abstract long takeSlot(Ring r);

    /** Removes the element that {@link #takeSlot} names. */
    abstract void drop(Ring r);

    /** Peek. */
    @Override
    public int lookupElem(ByteBuffer key, ByteBuffer value, long flags) {
        synchronized (lock) {
            if (ring.isEmpty()) {
                return Errno.ENOENT.ret();
            }
            ring.read(takeSlot(ring), value, value.position());
        }
        return 0;
    }

    /** Pop. */
    @Override
    public int lookupAndDeleteElem(ByteBuffer key, ByteBuffer value, long flags) {
        synchronized (lock) {
            if (ring.isEmpty()) {
                return Errno.ENOENT.ret();
            }
            if (retired) {
                return Errno.ENODEV.ret();
            }
            ring.read(takeSlot(ring), value, value.position());
            drop(ring);
        }
        return 0;
    }

    /**
     * Push. BPF_EXIST means "make room": on a full map the oldest element goes; BPF_NOEXIST has
     * no meaning here and is EINVAL, as is any flag above BPF_EXIST.
     */
    @Override
    public int updateElem(ByteBuffer key, ByteBuffer value, long flags) {
        if ((flags & BpfFlags.NOEXIST) != 0 || flags > BpfFlags.EXIST) {
            return Errno.EINVAL.ret();
        }
        boolean replace = (flags & BpfFlags.EXIST) != 0;
        synchronized (lock) {
            if (retired) {
                return Errno.ENODEV.ret();
            }
            if (ring.isFull()) {
                if (!replace) {
                    return Errno.E2BIG.ret();
                }
                ring.dropOldest();
            }
            ring.push(value, value.position());
        }
        return 0;
    }

    /** {@code bpf_map_push_elem} ({@code queue_stack_map_push_elem}): the update's rules. */
    @Override
    public int progPushElem(ByteBuffer value, long flags) {
        return updateElem(null, value, flags);
    }

    /** {@code bpf_map_pop_elem}. */
    @Override
    public int progPopElem(ByteBuffer value) {
        return lookupAndDeleteElem(null, value, 0);
    }

    /** {@code bpf_map_peek_elem}. */
    @Override
    public int progPeekElem(ByteBuffer value) {
        return lookupElem(null, value, 0);
    }

    @Override
    public int deleteElem(ByteBuffer key) {
        return Errno.EINVAL.ret();
    }

    @Override
    public int getNextKey(ByteBuffer key, ByteBuffer nextKey) {
        return Errno.EINVAL.ret();
    }

    /**
     * The whole state, for the next provider: every element, oldest first (a stack's bottom
     * first), which the default restore pushes back in this order into an empty map of the same
     * definition. A queue cannot be walked without popping it, so it exports itself; retiring
     * under the lock means no push or pop that returns 0 is left out of the state (both answer
     * ENODEV from now on), and the pushes and pops that ran before are all in it.
     */
    @Override
    public MapState exportState(MapDef def) {
        synchronized (lock) {
            retired = true;
            MapState.Builder b = MapState.elements(def);
            for (byte[] e : ring.elements()) {
                b.add(null, ByteBuffer.wrap(e));
            }
            return b.build();
        }
    }

    @Override
    public String why(BpfCmd cmd, int err) {
        if (err == Errno.ENOENT.ret()) {
            return "the map is empty (max_entries %d)";
        }
        if (err == Errno.E2BIG.ret()) {
            return "the map is full (max_entries %d); BPF_EXIST (2) replaces the oldest element";
        }
        if (err == Errno.EINVAL.ret() && cmd == BpfCmd.MAP_UPDATE_ELEM) {
            return "a push takes BPF_ANY (0) or BPF_EXIST (2, replace the oldest when full); BPF_NOEXIST is invalid";
        }
        if (err == Errno.EINVAL.ret() && (cmd == BpfCmd.MAP_DELETE_ELEM || cmd == BpfCmd.MAP_GET_NEXT_KEY)) {
            return "queue and stack maps have no keys: pop with lookup_and_delete";
        }
        return null;
    }
}
