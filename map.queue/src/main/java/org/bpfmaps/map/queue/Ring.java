package org.bpfmaps.map.queue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The storage of kernel/bpf/queue_stack_maps.c: {@code max_entries + 1} value slots used as a
 * ring, with {@code head} the next slot to write and {@code tail} the oldest element. One slot
 * stays free so that {@code head == tail} means empty. A queue takes at the tail, a stack at
 * {@code head - 1}; both push at the head, and a push with BPF_EXIST into a full ring moves the
 * tail on first, dropping the oldest element (also for a stack, whose oldest is its bottom).
 *
 * <p>Not thread-safe: {@link QueueStackMap} holds its lock around every call, as the kernel holds
 * the map's spinlock.
 */
final class Ring {
    private final long size;
    private final SlotArray slots;
    private long head;
    private long tail;

    Ring(long maxEntries, int valueSize) {
        this.size = maxEntries + 1;
        this.slots = new SlotArray(size, valueSize);
    }

    boolean isEmpty() {
        return head == tail;
    }

    boolean isFull() {
        return next(head) == tail;
    }

    /** The number of elements. */
    long count() {
        return head >= tail ? head - tail : head + size - tail;
    }

    /** The slot of the oldest element (a queue's front). */
    long oldest() {
        return tail;
    }

    /** The slot of the newest element (a stack's top). */
    long newest() {
        return head == 0 ? size - 1 : head - 1;
    }

    void read(long slot, ByteBuffer dst, int at) {
        slots.read(slot, dst, at);
    }

    /** Drops the oldest element. */
    void dropOldest() {
        tail = next(tail);
    }

    /** Drops the newest element. */
    void dropNewest() {
        head = newest();
    }

    /** Appends a value at the head; the caller has made room. */
    void push(ByteBuffer src, int at) {
        slots.write(head, src, at);
        head = next(head);
    }

    /** Every element, oldest first, as copies. */
    List<byte[]> elements() {
        List<byte[]> out = new ArrayList<>();
        for (long i = tail; i != head; i = next(i)) {
            out.add(slots.copyOf(i));
        }
        return out;
    }

    private long next(long i) {
        return i + 1 >= size ? 0 : i + 1;
    }
}
