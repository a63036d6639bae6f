package org.bpfmaps.core.api;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A live view of an MMAPABLE map's values, the counterpart of a {@code mmap(2)} area: element
 * {@code i}'s value starts at byte {@code i * round_up(value_size, 8)}. Writes through a writable
 * view are seen by lookups and the other way round. While a writable view is open, MAP_FREEZE
 * answers EBUSY, as the kernel does. {@link #close()} is {@code munmap(2)}; it is idempotent.
 */
@ProviderType
public interface MapMapping extends AutoCloseable {
    /** The view; read-only for a read-only mapping. Its position and limit are the caller's. */
    ByteBuffer buffer();

    boolean writable();

    @Override
    void close();
}
