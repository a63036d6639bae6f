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
}
