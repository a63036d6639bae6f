package org.bpfmaps.core.api;

import org.osgi.annotation.versioning.ProviderType;

/** An isolated instance; {@link #close()} closes every fd and pin it holds, freeing its maps. */
@ProviderType
public interface BpfInstance extends Bpf, AutoCloseable {
    @Override
    void close();
}
