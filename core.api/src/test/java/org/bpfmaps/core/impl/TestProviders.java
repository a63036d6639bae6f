package org.bpfmaps.core.impl;

import org.bpfmaps.core.spi.MapProvider;

/** Gives tests in other packages the core's test provider. */
public final class TestProviders {
    public MapProvider array() {
        return new TinyArrayProvider();
    }
}
