package org.bpfmaps.core.api;

/**
 * What {@code /proc/self/fdinfo/FD} shows for a map fd, where bpftool reads what
 * {@code struct bpf_map_info} lacks: the memory the map takes ({@code memlock}) and whether it is
 * frozen.
 *
 * @param memlock the bytes the map takes: all of its storage, or for a map that allocates elements as
 *     keys come (BPF_F_NO_PREALLOC) what it holds now (the memory budget is charged for it at its fullest)
 */
public record MapFdInfo(int mapType, int keySize, int valueSize, int maxEntries, int mapFlags, long mapExtra,
        long memlock, int mapId, boolean frozen) {
}
