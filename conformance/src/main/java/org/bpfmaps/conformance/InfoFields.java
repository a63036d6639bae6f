package org.bpfmaps.conformance;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.MapType;

/**
 * {@code struct bpf_map_info} under the corpus's field names. Ids and netns numbers differ from
 * machine to machine, so the corpus records only whether they are non-zero; the type is given by
 * name. Every field is produced: the corpus's {@code info} object says which ones it recorded
 * (after an info_len of 8, only type and id).
 */
final class InfoFields {
    private InfoFields() {
    }

    static Map<String, Object> of(MapInfo i) {
        Map<String, Object> m = new LinkedHashMap<>();
        MapType t = i.mapType();
        m.put("type", t != null ? t.name() : (Object) u32(i.type()));
        m.put("id_nonzero", i.id() != 0);
        m.put("key_size", u32(i.keySize()));
        m.put("value_size", u32(i.valueSize()));
        m.put("max_entries", u32(i.maxEntries()));
        m.put("map_flags", u32(i.mapFlags()));
        m.put("name", i.name());
        m.put("ifindex", u32(i.ifindex()));
        m.put("btf_vmlinux_value_type_id", u32(i.btfVmlinuxValueTypeId()));
        m.put("netns_dev_nonzero", i.netnsDev() != 0);
        m.put("netns_ino_nonzero", i.netnsIno() != 0);
        m.put("btf_id", u32(i.btfId()));
        m.put("btf_key_type_id", u32(i.btfKeyTypeId()));
        m.put("btf_value_type_id", u32(i.btfValueTypeId()));
        m.put("btf_vmlinux_id", u32(i.btfVmlinuxId()));
        m.put("map_extra", i.mapExtra());
        m.put("hash", i.hash());
        m.put("hash_size", u32(i.hashSize()));
        return m;
    }

    /** Kernel {@code __u32} fields are unsigned; an int would show 2^31 and up as negative. */
    private static long u32(int v) {
        return Integer.toUnsignedLong(v);
    }
}
