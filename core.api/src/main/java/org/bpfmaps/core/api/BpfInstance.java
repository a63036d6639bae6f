package org.bpfmaps.core.api;

/** An isolated instance; {@link #close()} closes every fd and pin it holds, freeing its maps. */
public interface BpfInstance extends Bpf, AutoCloseable {
    @Override
    void close();
}
