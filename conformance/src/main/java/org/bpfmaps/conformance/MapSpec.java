package org.bpfmaps.conformance;

import java.util.Map;
import org.bpfmaps.core.api.MapType;

/**
 * The map a case creates: the MAP_CREATE fields as recorded. Sizes are the kernel's {@code __u32}
 * held in an int with the same bits (value_size 2^31 is a case of its own).
 *
 * @param typeName the type as the corpus names it ({@code ARRAY}, {@code UNKNOWN}, ...)
 * @param typeNumber the {@code map_type} passed: {@code type_id} when given, else the named type's number
 * @param numaNode the {@code numa_node} field, or null when the case does not set it
 * @param mapExtra the {@code map_extra} field, or null when the case does not set it
 * @param name the {@code map_name}, or null for none
 */
public record MapSpec(String typeName, int typeNumber, int keySize, int valueSize, int maxEntries, int mapFlags,
        Integer numaNode, Long mapExtra, String name) {

    /** The Linux type, or null for a number Linux does not define. */
    public MapType mapType() {
        return MapType.of(typeNumber);
    }

    /**
     * Whether this is a type Linux defines: such a type is skipped when no provider serves it,
     * while UNSPEC and unknown numbers are always replayed (they must answer EINVAL).
     */
    public boolean isKnownType() {
        MapType t = mapType();
        return t != null && t != MapType.UNSPEC;
    }

    /** {@link MapType#perCpu()}: user space passes round_up(value_size, 8) * CPUs bytes per value. */
    public boolean perCpu() {
        MapType t = mapType();
        return t != null && t.perCpu();
    }

    /** {@code round_up(value_size, 8)}: the stride of one CPU's value. */
    long roundedValueSize() {
        return (Integer.toUnsignedLong(valueSize) + 7) & ~7L;
    }

    /** The bytes of a value as user space passes it, for a machine with {@code cpus} possible CPUs. */
    long valueBufSize(int cpus) {
        return perCpu() ? roundedValueSize() * cpus : Integer.toUnsignedLong(valueSize);
    }

    static MapSpec parse(Object json, String where) {
        Map<String, Object> m = Json.object(json, where);
        String typeName = m.get("type") == null ? null : Json.string(m.get("type"), where + ".type");
        int number;
        if (m.get("type_id") != null) {
            number = Json.u32(m.get("type_id"), where + ".type_id");
            MapType named = typeName == null ? null : MapType.byName(typeName);
            if (named != null && named.number() != number) {
                throw new IllegalArgumentException(where + ": type " + typeName + " is number " + named.number()
                        + ", but type_id is " + Integer.toUnsignedString(number));
            }
        } else {
            MapType t = typeName == null ? null : MapType.byName(typeName);
            if (t == null) {
                throw new IllegalArgumentException(where + ": type " + Json.render(typeName)
                        + " is not a Linux map type; give type_id for a raw type number");
            }
            number = t.number();
        }
        for (String f : new String[] {"key_size", "value_size", "max_entries", "map_flags"}) {
            if (!m.containsKey(f)) {
                throw new IllegalArgumentException(where + ": missing field '" + f + "'");
            }
        }
        return new MapSpec(typeName != null ? typeName : MapType.nameOf(number), number,
                Json.u32(m.get("key_size"), where + ".key_size"),
                Json.u32(m.get("value_size"), where + ".value_size"),
                Json.u32(m.get("max_entries"), where + ".max_entries"),
                Json.u32(m.get("map_flags"), where + ".map_flags"),
                m.get("numa_node") == null ? null : Json.u32(m.get("numa_node"), where + ".numa_node"),
                m.get("map_extra") == null ? null : Json.u64(m.get("map_extra"), where + ".map_extra"),
                m.get("name") == null ? null : Json.string(m.get("name"), where + ".name"));
    }
}
