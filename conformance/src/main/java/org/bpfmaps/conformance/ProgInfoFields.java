package org.bpfmaps.conformance;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bpfmaps.core.api.ProgInfo;
import org.bpfmaps.core.api.ProgType;

/**
 * {@code struct bpf_prog_info} under the corpus's field names (corpus/FORMAT.md, {@code prog_info}):
 * the fields wholly inside the bytes written back, ids, times and netns numbers as whether they are
 * non-zero. What the JIT and verifier make ({@code info_observed}: tag, lengths, verified_insns)
 * is not produced; the corpus does not compare it.
 */
final class ProgInfoFields {
    private ProgInfoFields() {
    }

    /** {@code netns_dev} and {@code netns_ino} (u64 each), between gpl_compatible and the JIT fields. */
    private static final int OFF_NETNS_DEV = 88;
    private static final int OFF_NETNS_INO = 96;

    static Map<String, Object> of(ByteBuffer info, int infoLen) {
        int len = Math.min(infoLen, ProgInfo.SIZE);
        ByteBuffer b = ByteBuffer.allocate(ProgInfo.SIZE).order(ByteOrder.nativeOrder());
        for (int i = 0; i < len; i++) {
            b.put(i, info.get(info.position() + i));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        if (len >= 4) {
            int t = b.getInt(ProgInfo.OFF_TYPE);
            ProgType pt = ProgType.of(t);
            m.put("type", pt != null ? pt.name() : (Object) u32(t));
        }
        u32(m, b, len, "id_nonzero", ProgInfo.OFF_ID, true);
        if (len >= ProgInfo.OFF_LOAD_TIME + 8) {
            m.put("load_time_nonzero", b.getLong(ProgInfo.OFF_LOAD_TIME) != 0);
        }
        u32(m, b, len, "created_by_uid", ProgInfo.OFF_CREATED_BY_UID, false);
        u32(m, b, len, "nr_map_ids", ProgInfo.OFF_NR_MAP_IDS, false);
        if (len >= ProgInfo.OFF_NAME + 16) {
            int n = 0;
            while (n < 16 && b.get(ProgInfo.OFF_NAME + n) != 0) {
                n++;
            }
            byte[] name = new byte[n];
            b.get(ProgInfo.OFF_NAME, name);
            m.put("name", new String(name, StandardCharsets.US_ASCII));
        }
        u32(m, b, len, "ifindex", ProgInfo.OFF_IFINDEX, false);
        if (len >= ProgInfo.OFF_GPL_COMPATIBLE + 4) {
            m.put("gpl_compatible", (long) (b.getInt(ProgInfo.OFF_GPL_COMPATIBLE) & 1));
        }
        if (len >= OFF_NETNS_INO + 8) {
            m.put("netns_dev_nonzero", b.getLong(OFF_NETNS_DEV) != 0);
            m.put("netns_ino_nonzero", b.getLong(OFF_NETNS_INO) != 0);
        }
        u32(m, b, len, "btf_id", ProgInfo.OFF_BTF_ID, false);
        u32(m, b, len, "nr_func_info", ProgInfo.OFF_NR_FUNC_INFO, false);
        u32(m, b, len, "nr_line_info", ProgInfo.OFF_NR_LINE_INFO, false);
        u32(m, b, len, "nr_prog_tags", ProgInfo.OFF_NR_PROG_TAGS, false);
        u64(m, b, len, "run_time_ns", ProgInfo.OFF_RUN_TIME_NS);
        u64(m, b, len, "run_cnt", ProgInfo.OFF_RUN_CNT);
        u64(m, b, len, "recursion_misses", ProgInfo.OFF_RECURSION_MISSES);
        u32(m, b, len, "attach_btf_obj_id", ProgInfo.OFF_ATTACH_BTF_OBJ_ID, false);
        u32(m, b, len, "attach_btf_id", ProgInfo.OFF_ATTACH_BTF_ID, false);
        return m;
    }

    private static void u32(Map<String, Object> m, ByteBuffer b, int len, String name, int off, boolean nonzero) {
        if (len >= off + 4) {
            int v = b.getInt(off);
            m.put(name, nonzero ? (Object) (v != 0) : (Object) u32(v));
        }
    }

    private static void u64(Map<String, Object> m, ByteBuffer b, int len, String name, int off) {
        if (len >= off + 8) {
            m.put(name, b.getLong(off)); // run counters: far below 2^63
        }
    }

    private static long u32(int v) {
        return Integer.toUnsignedLong(v);
    }
}
