package org.bpfmaps.core.impl;

import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.prog.ProgramProvider;
import org.bpfmaps.core.spi.MapProvider;
import org.bpfmaps.core.spi.ProviderHost;

/** {@link ProviderHost}: a provider registry and instances, with no framework around them. */
public final class StandaloneRuntime extends RegistryRuntime implements ProviderHost {
    private volatile Instance defaultInstance;

    @Override
    public void addProvider(MapProvider provider, int ranking, String version) {
        registry.add(provider, ranking, version, provider.getClass().getName());
    }

    @Override
    public void removeProvider(MapProvider provider) {
        registry.remove(provider);
    }

    @Override
    public void addProgram(ProgramProvider program) {
        registry.programs.add(program);
    }

    @Override
    public void removeProgram(ProgramProvider program) {
        registry.programs.remove(program);
    }

    @Override
    public synchronized Bpf defaultInstance() {
        if (defaultInstance == null) {
            defaultInstance = new Instance(BpfSettings.defaults(), registry);
        }
        return defaultInstance;
    }
}
