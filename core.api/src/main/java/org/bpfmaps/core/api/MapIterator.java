package org.bpfmaps.core.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A walk over a map's elements, as cilium/ebpf's {@code MapIterator}: each {@link #next} copies
 * one element into the caller's buffers.
 *
 * <p>Why pages of MAP_LOOKUP_BATCH rather than get_next_key: a hash map's get_next_key restarts
 * from the first key when the cursor's key has been deleted, so a walk over a map that others
 * delete from would see keys twice. LOOKUP_BATCH's cursor is a position in the map's own order (a
 * bucket, for the hash family), which a delete cannot move back: the walk returns a key at most
 * once, unless it was deleted and added again, and it always ends. A page also costs one call per
 * few dozen elements instead of two per element. A page holds whole buckets, so when a bucket has
 * more elements than the page (ENOSPC), the page doubles and the call is made again.
 *
 * <p>A map whose type has no LOOKUP_BATCH (ENOTSUPP) is walked with get_next_key and lookup, as
 * libbpf does; there an element deleted between the two calls is skipped, and since a deleted
 * cursor restarts the walk, it gives up with EINTR after max_entries + 1 steps rather than loop
 * for ever while others delete.
 */
public final class MapIterator {
    /** Elements asked for by the first LOOKUP_BATCH call. */
    private static final int PAGE = 64;

    private final BpfMap map;
    private final int keySize;
    private final int valueSize;
    private final BatchCursor batch = new BatchCursor();
    private ByteBuffer keys;
    private ByteBuffer values;
    /** Elements a page holds. */
    private int page;
    /** Elements in the current page, and the next one to hand out. */
    private int have;
    private int at;
    /** False once the map answered that it has no LOOKUP_BATCH: the walk goes by get_next_key. */
    private boolean batches = true;

    // the get_next_key walk
    private ByteBuffer cursor;
    private boolean started;
    private boolean done;
    private long steps;

    MapIterator(BpfMap map) {
        this.map = map;
        this.keySize = map.keySize();
        this.valueSize = map.valueBufferSize();
        this.page = (int) Math.max(1, Math.min(PAGE, Integer.toUnsignedLong(map.maxEntries())));
    }

    /**
     * Copies the next element into {@code key} and {@code value} (at their positions, which do not
     * move); false when the walk is over.
     */
    public boolean next(ByteBuffer key, ByteBuffer value) {
        map.checkOpen();
        BpfMap.checkRoom("key", key, keySize);
        BpfMap.checkRoom("value", value, valueSize);
        if (batches && (at < have || fill())) {
            key.put(key.position(), keys, at * keySize, keySize);
            value.put(value.position(), values, at * valueSize, valueSize);
            at++;
            return true;
        }
        return !batches && walk(key, value);
    }

    /**
     * Fetches the next non-empty page through {@link BpfMap#lookupBatch}, which keeps the
     * cursor; false when the map has no more (or has no LOOKUP_BATCH).
     */
    private boolean fill() {
        while (!batch.done()) {
            if (keys == null) {
                keys = ByteBuffer.allocate(page * keySize).order(ByteOrder.nativeOrder());
                values = ByteBuffer.allocate(page * valueSize).order(ByteOrder.nativeOrder());
            }
            try {
                have = map.lookupBatch(batch, keys, values, page);
            } catch (BpfException e) {
                if (e.errno() == Errno.ENOSPC && Integer.compareUnsigned(page, map.maxEntries()) < 0) {
                    // the next bucket holds more elements than a page: a bigger page, the same cursor
                    page = (int) Math.min(2L * page, Integer.toUnsignedLong(map.maxEntries()));
                    keys = null;
                    continue;
                }
                if (e.errno() == Errno.ENOTSUPP && !batch.started()) {
                    batches = false;
                    return false;
                }
                throw e;
            }
            at = 0;
            if (have > 0) {
                return true;
            }
        }
        return false;
    }

    /** The get_next_key walk, for maps without LOOKUP_BATCH. */
    private boolean walk(ByteBuffer key, ByteBuffer value) {
        if (cursor == null) {
            cursor = ByteBuffer.allocate(keySize);
        }
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
            key.put(key.position(), cursor, 0, keySize);
            if (map.lookup(key, value)) {
                return true;
            }
        }
        return false;
    }
}
