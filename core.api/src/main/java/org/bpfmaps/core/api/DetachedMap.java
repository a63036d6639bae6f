package org.bpfmaps.core.api;

/**
 * A map whose provider has gone, as {@link BpfRuntime#detachedMaps()} lists it: its fds answer
 * ENODEV to element commands until a provider of its type returns and takes it back, with every
 * element. Until then the core holds its contents and their memory.
 *
 * @param id the map's id, which it keeps
 * @param type its type
 * @param name its name (empty if none)
 * @param origin the provider that made it (bundle symbolic name, or a label)
 * @param elements the elements kept; {@code -1} when unknown (a bloom filter cannot count them)
 * @param bytes the bytes the kept contents take
 * @param reason why it is still detached: null while no provider of the type is installed, else
 *     the returning provider's refusal or a failed export
 */
public record DetachedMap(int id, MapType type, String name, String origin, long elements, long bytes,
        String reason) {
}
