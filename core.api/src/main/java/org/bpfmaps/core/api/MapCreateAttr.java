package org.bpfmaps.core.api;

/**
 * The attr of {@link BpfCmd#MAP_CREATE}. Sizes and counts are the kernel's {@code __u32}: a Java int
 * read as unsigned, so {@code 0x80000000} means 2^31, not a negative number.
 */
public final class MapCreateAttr extends BpfAttr {
    public int mapType;
    public int keySize;
    public int valueSize;
    public int maxEntries;
    public int mapFlags;
    public int innerMapFd;
    /** Read only when {@link BpfFlags#F_NUMA_NODE} is in {@link #mapFlags}. */
    public int numaNode;
    /** At most 15 characters of {@code [A-Za-z0-9_.]}; null or empty for none. */
    public String mapName;
    public int mapIfindex;
    public int btfFd;
    public int btfKeyTypeId;
    public int btfValueTypeId;
    public int btfVmlinuxValueTypeId;
    public long mapExtra;
    public int valueTypeBtfObjFd;
    public int mapTokenFd;

    public MapCreateAttr() {
    }

    /** The four fields every map needs, the rest zero. */
    public MapCreateAttr(MapType type, int keySize, int valueSize, int maxEntries) {
        this.mapType = type.number();
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
    }

    public MapCreateAttr flags(int mapFlags) {
        this.mapFlags = mapFlags;
        return this;
    }

    public MapCreateAttr name(String mapName) {
        this.mapName = mapName;
        return this;
    }
}
