package org.bpfmaps.core.api;

import java.util.Set;

/**
 * One installed map provider, as {@link BpfRuntime#providers()} describes it: for tools such as
 * the shell's {@code providers} command, which show what serves which map type and how many maps
 * depend on it.
 *
 * @param origin where the provider comes from: its bundle's symbolic name in a framework, or the
 *     provider's class name in a standalone runtime
 * @param version its bundle's version (a standalone runtime's is the one given when added)
 * @param types the map types it serves
 * @param liveMaps maps it made that are still attached to it, in every open instance
 * @param detachedMaps maps made by an earlier registration of the same origin (a bundle stopped
 *     or updated since), which now answer ENODEV, in every open instance
 */
public record ProviderInfo(String origin, String version, Set<MapType> types, int liveMaps, int detachedMaps) {
    public ProviderInfo {
        types = Set.copyOf(types);
    }
}
