package org.bpfmaps.core.api;

/**
 * A map's blueprint, as cilium/ebpf's {@code MapSpec}: everything MAP_CREATE needs, and nothing
 * that depends on a running instance. It is checked when a map is made from it, by the same rules
 * as MAP_CREATE (it becomes exactly that command), so a spec is never "valid" on its own.
 *
 * @param flags map_flags ({@link BpfFlags}); BPF_F_RDONLY / BPF_F_WRONLY restrict the handle
 * @param numaNode used only with {@link BpfFlags#F_NUMA_NODE}
 * @param mapExtra bloom filter hash count and the like; 0 for most types
 */
public record MapSpec(MapType type, int keySize, int valueSize, int maxEntries, int flags, String name,
        int numaNode, long mapExtra) {

    public static MapSpec of(MapType type, int keySize, int valueSize, int maxEntries) {
        return new MapSpec(type, keySize, valueSize, maxEntries, 0, "", 0, 0);
    }

    public MapSpec withFlags(int mapFlags) {
        return new MapSpec(type, keySize, valueSize, maxEntries, mapFlags, name, numaNode, mapExtra);
    }

    public MapSpec withName(String mapName) {
        return new MapSpec(type, keySize, valueSize, maxEntries, flags, mapName, numaNode, mapExtra);
    }

    public MapSpec withNumaNode(int node) {
        return new MapSpec(type, keySize, valueSize, maxEntries, flags | BpfFlags.F_NUMA_NODE, name, node, mapExtra);
    }

    public MapSpec withMapExtra(long extra) {
        return new MapSpec(type, keySize, valueSize, maxEntries, flags, name, numaNode, extra);
    }

    /** The MAP_CREATE attr this spec stands for. */
    public MapCreateAttr toAttr() {
        MapCreateAttr a = new MapCreateAttr(type, keySize, valueSize, maxEntries).flags(flags).name(name);
        a.numaNode = numaNode;
        a.mapExtra = mapExtra;
        return a;
    }

    @Override
    public String toString() {
        return type.bpftoolName() + "(keySize=" + Integer.toUnsignedString(keySize) + ", valueSize="
                + Integer.toUnsignedString(valueSize) + ", maxEntries=" + Integer.toUnsignedString(maxEntries)
                + ", flags=0x" + Integer.toHexString(flags) + (name.isEmpty() ? "" : ", name=" + name) + ")";
    }
}
