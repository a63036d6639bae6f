package org.bpfmaps.core.api;

import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Makes isolated instances: each with its own object table, ids and bpffs, sharing only the
 * installed map providers. Tools such as the conformance runner use one so that they never touch
 * a user's maps. Registered as an OSGi service by core.api.
 */
@ProviderType
public interface BpfRuntime {
    /** A new, empty instance; close it to release its maps. */
    BpfInstance newInstance(BpfSettings settings);

    /** The map types some installed provider serves now. */
    Set<MapType> mapTypes();

    /** The framework's default instance (the one registered as the {@link Bpf} service). */
    Bpf defaultInstance();

    /** The installed providers, in the order they were installed. */
    List<ProviderInfo> providers();

    /** The maps whose provider has gone, in every open instance, by id. */
    List<DetachedMap> detachedMaps();

    /**
     * The names program code is contributed under now ({@code ProgramProvider} services, or those a
     * standalone runtime was given), each with its code's type, sorted by name: what PROG_LOAD by
     * {@link ProgLoadAttr#codeName} finds. Of several of a name, the one registered first, which
     * PROG_LOAD takes.
     *
     * @since 2.5
     */
    SortedMap<String, ProgType> programNames();
}
