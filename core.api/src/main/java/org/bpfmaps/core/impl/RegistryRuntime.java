package org.bpfmaps.core.impl;

import java.util.List;
import java.util.Set;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfRuntime;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.DetachedMap;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.api.ProviderInfo;

/**
 * What every runtime does with its provider registry, in a framework ({@link CoreComponent}) or
 * without one ({@link StandaloneRuntime}): make instances served by it and describe it.
 */
abstract class RegistryRuntime implements BpfRuntime {
    final ProviderRegistry registry = new ProviderRegistry();

    @Override
    public Set<MapType> mapTypes() {
        return registry.mapTypes();
    }

    @Override
    public BpfInstance newInstance(BpfSettings settings) {
        return new Instance(settings, registry);
    }

    @Override
    public List<ProviderInfo> providers() {
        return registry.describe();
    }

    @Override
    public List<DetachedMap> detachedMaps() {
        return registry.detachedMaps();
    }

    @Override
    public java.util.SortedMap<String, ProgType> programNames() {
        return registry.programs.byName();
    }

    /** The registry, for tools that list providers. */
    public ProviderRegistry registry() {
        return registry;
    }
}
