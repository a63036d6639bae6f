package org.bpfmaps.core.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Optional fast paths a map's {@link MapOps} may also implement, for 4-byte keys and values of up
 * to 8 bytes (not per-CPU): the typed API's primitive forms call them without going through
 * buffers. The core has made the same checks as for the buffer forms (the handle may read or
 * write, the map is attached and, for writes, not frozen).
 */
@ConsumerType
public interface PrimitiveOps {
    /** The value of {@code key}, zero-extended, host order; {@code absent} when there is none. */
    long lookupLong(int key, long absent);

    /** Stores the low value_size bytes of {@code value} at {@code key}; 0 or a negated errno. */
    int updateLong(int key, long value, long flags);

    /**
     * The map's values as an array the core may read lookups from itself, or null (the default):
     * element {@code i}, for {@code 0 <= i < words.length}, holds what {@link #lookupLong}{@code (i, ..)}
     * returns, always, for as long as these ops serve the map. Keys outside the array still go to
     * the ops. Writers must store whole words (one atomic access each: the core reads a word with
     * one plain 8-byte load, which the 64-bit JVMs this runs on make atomic, after its own acquire
     * of the ops).
     *
     * <p>Why: this is the kernel's {@code map_gen_lookup}, with which the verifier inlines an array
     * lookup into the program as an address computation. Here it spares the typed lookups of small
     * arrays the call into the ops and its dependent loads (handle, path, ops, storage, element
     * become handle, path, storage, element). Asked again whenever the map is attached to new ops.
     */
    default long[] lookupWords() {
        return null;
    }
}
