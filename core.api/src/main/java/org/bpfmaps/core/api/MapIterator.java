package org.bpfmaps.core.api;

import java.nio.ByteBuffer;

/**
 * A walk over a map with get_next_key and lookup, as cilium/ebpf's {@code MapIterator}: each
 * {@link #next} copies one element into the caller's buffers. An element deleted between the two
 * calls is skipped. Because a hash map's get_next_key restarts from the first key when the cursor
 * key has gone, a walk over a map that others delete from may see a key twice; it gives up with
 * an exception after max_entries + 1 steps rather than loop for ever.
 */
public final class MapIterator {
    private final BpfMap map;
    private final ByteBuffer cursor;
    private boolean started;
    private boolean done;
    private long steps;

    MapIterator(BpfMap map) {
        this.map = map;
        this.cursor = ByteBuffer.allocate(map.keySize());
    }

    /** Copies the next element into {@code key} and {@code value}; false when the walk is over. */
    public boolean next(ByteBuffer key, ByteBuffer value) {
        while (!done) {
            if (++steps > Integer.toUnsignedLong(map.maxEntries()) + 1) {
                done = true;
                throw new BpfException(Errno.EINTR, "iteration aborted after " + (steps - 1)
                        + " steps: the map changed under the walk");
            }
            if (!map.nextKey(started ? cursor : null, cursor)) {
                done = true;
                return false;
            }
            started = true;
            key.put(key.position(), cursor, 0, map.keySize());
            if (map.lookup(key, value)) {
                return true;
            }
        }
        return false;
    }
}
