package org.bpfmaps.shell;

import org.bpfmaps.core.api.MapType;

/** The map types bpftool treats specially when it reads and prints values. */
final class MapKinds {
    private MapKinds() {
    }

    /**
     * The last type whose name bpftool 7.1 knows (its libbpf 1.1 stops at user_ringbuf): it
     * refuses newer names at create and shows newer types by number ({@code type 33}).
     */
    static final MapType LAST_NAMED = MapType.USER_RINGBUF;

    /** {@link MapType#perCpu()} by the type's number; false for a number Linux does not define. */
    static boolean isPerCpu(int type) {
        MapType t = MapType.of(type);
        return t != null && t.perCpu();
    }

    static boolean isMapOfMaps(int type) {
        return type == MapType.ARRAY_OF_MAPS.number() || type == MapType.HASH_OF_MAPS.number();
    }

    static boolean isMapOfProgs(int type) {
        return type == MapType.PROG_ARRAY.number();
    }

    /** The types whose values written are socket fds (what Tab offers after {@code value}). */
    static boolean holdsSockets(int type) {
        return type == MapType.SOCKMAP.number() || type == MapType.SOCKHASH.number();
    }

    /** bpftool's name of a type number ({@code libbpf_bpf_map_type_str}), or null when it has none. */
    static String name(int type) {
        MapType t = MapType.of(type);
        return t != null && t.number() <= LAST_NAMED.number() ? t.bpftoolName() : null;
    }

    /** {@code map_type_from_str}: the exact name (no abbreviation, no other case), or -1. */
    static int fromName(String name) {
        for (MapType t : MapType.values()) {
            if (t.number() <= LAST_NAMED.number() && t.bpftoolName().equals(name)) {
                return t.number();
            }
        }
        return -1;
    }

    static int roundUp8(int n) {
        return (n + 7) & ~7;
    }

    /** The bytes a lookup writes: one rounded slot per possible CPU for per-CPU types. */
    static int valueBufferSize(int type, int valueSize, int possibleCpus) {
        return isPerCpu(type) ? roundUp8(valueSize) * possibleCpus : valueSize;
    }
}
