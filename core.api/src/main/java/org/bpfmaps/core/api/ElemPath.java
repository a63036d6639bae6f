package org.bpfmaps.core.api;

import java.nio.ByteBuffer;

/**
 * The element commands of one open fd, bound once: what {@link BpfMap} calls instead of
 * {@link Bpf#bpf} so that the fd lookup, the type's rules and the attr handling are not paid on
 * every call. The checks that can change between calls (the map detached, frozen) are still made
 * each time, and the map's own ops run exactly as through {@code bpf()}: one implementation, two
 * faces. Sizes are the caller's to check. Results are those of the syscall (0 or a negated
 * errno), with the reason left in {@code err}; the primitive forms throw {@link BpfException}.
 */
public interface ElemPath {
    int lookup(ByteBuffer key, ByteBuffer value, ErrorSink err);

    int update(ByteBuffer key, ByteBuffer value, long flags, ErrorSink err);

    long lookupLong(int key, long absent);

    void updateLong(int key, long value, long flags);
}
