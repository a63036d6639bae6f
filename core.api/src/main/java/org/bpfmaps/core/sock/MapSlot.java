package org.bpfmaps.core.sock;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An element of a map that holds a socket, as tools show it: the map's id and the element's key
 * ({@link Sockets#slots}). Compared by content.
 *
 * @param key the key's bytes as the map's commands take them (a copy is kept and given)
 * @since 1.2
 */
public record MapSlot(int mapId, byte[] key) {
    public MapSlot {
        key = key.clone();
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MapSlot s && s.mapId == mapId && Arrays.equals(s.key, key);
    }

    @Override
    public int hashCode() {
        return 31 * mapId + Arrays.hashCode(key);
    }

    /** {@code map 7 key 01 00 00 00}, the key as bpftool prints bytes. */
    @Override
    public String toString() {
        return "map " + Integer.toUnsignedString(mapId) + " key " + HexFormat.ofDelimiter(" ").formatHex(key);
    }
}
