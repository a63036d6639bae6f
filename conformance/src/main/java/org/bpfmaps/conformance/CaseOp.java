package org.bpfmaps.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * One op of a case: what to do ({@link #kind}, {@link #args}) and what the kernel answered
 * ({@link #result}), checked as {@link #check} says.
 *
 * <p>The fields were validated when the corpus was read, so the typed getters below cannot fail
 * on a well-formed file; the result is kept as the JSON tree it was recorded as, because it is
 * compared field by field with what the dispatcher gives, whatever fields a later corpus adds.
 *
 * @param index the op's position in its case (0-based), as failure lines show it
 * @param args the op's fields as read ({@code op}, {@code check}, {@code result} included); the whole
 *     tree is unmodifiable
 * @param result the recorded result: {@code ret}, {@code errno} and the op's output fields
 */
public record CaseOp(int index, OpKind kind, CheckMode check, Map<String, Object> args,
        Map<String, Object> result) {

    /** The type of each field an op may have; a field not listed (e.g. {@code note}) is ignored. */
    private static final Map<String, BiConsumer<Object, String>> FIELDS = Map.ofEntries(
            Map.entry("key", CaseOp::hexOrNull),
            // null: a NULL pointer (update, lookup)
            Map.entry("value", CaseOp::hexOrNull),
            Map.entry("next_key", CaseOp::hexOrNull),
            Map.entry("value_per_cpu", CaseOp::perCpuList),
            Map.entry("keys", CaseOp::hexList),
            Map.entry("values", CaseOp::hexList),
            Map.entry("values_per_cpu", (v, w) -> {
                List<Object> l = Json.list(v, w);
                for (int i = 0; i < l.size(); i++) {
                    perCpuList(l.get(i), w + "[" + i + "]");
                }
            }),
            Map.entry("flags", Json::u64),
            Map.entry("elem_flags", Json::u64),
            Map.entry("fd_value", Json::u64),
            Map.entry("count", Json::u32),
            Map.entry("info_len", Json::u32),
            Map.entry("in_batch", (v, w) -> {
                if (v != null && !"prev".equals(v)) {
                    Json.hex(v, w);
                }
            }),
            Map.entry("delete", Json::bool),
            Map.entry("label", Json::string),
            Map.entry("kind", Json::string),
            Map.entry("sock", Json::string),
            Map.entry("socks", (v, w) -> {
                List<Object> l = Json.list(v, w);
                for (int i = 0; i < l.size(); i++) {
                    Json.string(l.get(i), w + "[" + i + "]");
                }
            }));

    private static void hexOrNull(Object v, String where) {
        if (v != null) {
            Json.hex(v, where);
        }
    }

    private static void hexList(Object v, String where) {
        List<Object> l = Json.list(v, where);
        for (int i = 0; i < l.size(); i++) {
            Json.hex(l.get(i), where + "[" + i + "]");
        }
    }

    /** A per-CPU value list is repeated across the CPUs, so it needs at least one element. */
    private static void perCpuList(Object v, String where) {
        hexList(v, where);
        if (Json.list(v, where).isEmpty()) {
            throw Json.bad(where, "at least one per-CPU value", v);
        }
    }

    /**
     * Reads and validates one op.
     *
     * @param where the op's place in the file, for messages
     * @param earlier the ops before it in its case, for {@code in_batch: "prev"}
     * @throws IllegalArgumentException naming the field that is missing or of the wrong type
     */
    static CaseOp parse(Object json, int index, String where, List<CaseOp> earlier) {
        Map<String, Object> o = Json.object(json, where);
        String name = Json.string(o.get("op"), where + ".op");
        OpKind kind = OpKind.byJsonName(name);
        if (kind == null) {
            throw new IllegalArgumentException(where + ": unknown op '" + name + "'");
        }
        where = where + " (" + name + ")";
        CheckMode check = CheckMode.EXACT;
        if (o.get("check") != null) {
            String c = Json.string(o.get("check"), where + ".check");
            check = CheckMode.byJsonName(c);
            if (check == null) {
                throw new IllegalArgumentException(where + ": unknown check mode '" + c
                        + "' (exact, unordered, ret_only or observed)");
            }
        }
        for (String f : kind.required()) {
            if (!o.containsKey(f)) {
                throw new IllegalArgumentException(where + ": missing field '" + f + "'");
            }
        }
        if (!kind.oneOf().isEmpty() && kind.oneOf().stream().filter(o::containsKey).count() != 1) {
            throw new IllegalArgumentException(where + ": needs exactly one of " + kind.oneOf());
        }
        for (Map.Entry<String, Object> e : o.entrySet()) {
            BiConsumer<Object, String> type = FIELDS.get(e.getKey());
            if (type != null) {
                type.accept(e.getValue(), where + "." + e.getKey());
            }
        }
        if (kind == OpKind.UPDATE_BATCH) {
            int keys = Json.list(o.get("keys"), where).size();
            for (String f : kind.oneOf()) {
                if (o.containsKey(f) && Json.list(o.get(f), where).size() != keys) {
                    throw new IllegalArgumentException(where + ": " + f + " has "
                            + Json.list(o.get(f), where).size() + " elements for " + keys + " keys");
                }
            }
        }
        if ("prev".equals(o.get("in_batch")) && earlier.stream().noneMatch(p -> p.kind() == OpKind.LOOKUP_BATCH
                || p.kind() == OpKind.LOOKUP_AND_DELETE_BATCH)) {
            throw new IllegalArgumentException(where + ": in_batch \"prev\" with no lookup batch before it");
        }
        Map<String, Object> result = parseResult(o.get("result"), where + ".result");
        return new CaseOp(index, kind, check, o, result);
    }

    /**
     * Validates a result (of an op or of the create): an integer {@code ret}, and an {@code errno}
     * name exactly when ret is negative, since that is what every comparison starts with.
     */
    static Map<String, Object> parseResult(Object json, String where) {
        Map<String, Object> r = Json.object(json, where);
        if (!r.containsKey("ret")) {
            throw new IllegalArgumentException(where + ": missing field 'ret'");
        }
        long ret = Json.integer(r.get("ret"), where + ".ret", Integer.MIN_VALUE, Integer.MAX_VALUE);
        Object errno = r.get("errno");
        if (ret < 0 && !(errno instanceof String)) {
            throw Json.bad(where + ".errno", "an errno name with ret " + ret, errno);
        }
        if (ret >= 0 && errno != null) {
            throw Json.bad(where + ".errno", "null with ret " + ret, errno);
        }
        return r;
    }

    // ---- typed getters of validated fields ----

    boolean has(String field) {
        return args.containsKey(field);
    }

    /** The bytes of a hex field; null when the field is absent or null (a NULL pointer). */
    byte[] bytes(String field) {
        Object v = args.get(field);
        return v == null ? null : Hex.decode((String) v);
    }

    List<byte[]> bytesList(String field) {
        List<byte[]> out = new ArrayList<>();
        for (Object v : (List<?>) args.get(field)) {
            out.add(Hex.decode((String) v));
        }
        return out;
    }

    List<List<byte[]>> bytesLists(String field) {
        List<List<byte[]>> out = new ArrayList<>();
        for (Object l : (List<?>) args.get(field)) {
            List<byte[]> one = new ArrayList<>();
            for (Object v : (List<?>) l) {
                one.add(Hex.decode((String) v));
            }
            out.add(one);
        }
        return out;
    }

    /** A numeric field as its 64 bits, or {@code absent} when the field is not there. */
    long number(String field, long absent) {
        Object v = args.get(field);
        return v == null ? absent : Json.bigInteger(v).longValue();
    }

    String string(String field) {
        return (String) args.get(field);
    }

    boolean flag(String field) {
        return Boolean.TRUE.equals(args.get(field));
    }
}
