package org.bpfmaps.core.api;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The element commands of one open fd, bound once: what {@link BpfMap} calls instead of
 * {@link Bpf#bpf} so that the fd lookup, the type's rules and the attr handling are not paid on
 * every call. The checks that can change between calls (the map detached, frozen) are still made
 * each time, and the map's own ops run exactly as through {@code bpf()}: one implementation, two
 * faces. Buffers too short for the map are answered as {@code bpf()} answers them (EFAULT), by the
 * path itself. "Not found" is a result; every other failure is a
 * {@link BpfException} with the errno and the reason bpf() would give.
 */
@ProviderType
public interface ElemPath {
    /** MAP_LOOKUP_ELEM; false when there is no such element. */
    boolean lookup(ByteBuffer key, ByteBuffer value);

    /** MAP_UPDATE_ELEM with BPF_ANY, BPF_NOEXIST or BPF_EXIST. */
    void update(ByteBuffer key, ByteBuffer value, long flags);

    /** MAP_DELETE_ELEM; false when there is no such element. */
    boolean delete(ByteBuffer key);

    /** The value of a 4-byte key, zero-extended, or {@code absent}; maps whose values fit 8 bytes. */
    long lookupLong(int key, long absent);

    void updateLong(int key, long value, long flags);
}
