package org.bpfmaps.conformance;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of the trees jackson-jr makes ({@code Map}, {@code List}, {@code String},
 * {@code Number}, {@code Boolean}, null), each failing with an {@link IllegalArgumentException}
 * that names where in the file the bad value is, so that a malformed corpus is reported as such
 * instead of surfacing later as a puzzling case failure.
 */
final class Json {
    private Json() {
    }

    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    static IllegalArgumentException bad(String where, String what, Object got) {
        return new IllegalArgumentException(where + ": expected " + what + ", found " + render(got));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object v, String where) {
        if (v instanceof Map) {
            return (Map<String, Object>) v;
        }
        throw bad(where, "an object", v);
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object v, String where) {
        if (v instanceof List) {
            return (List<Object>) v;
        }
        throw bad(where, "a list", v);
    }

    static String string(Object v, String where) {
        if (v instanceof String s) {
            return s;
        }
        throw bad(where, "a string", v);
    }

    static boolean bool(Object v, String where) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw bad(where, "true or false", v);
    }

    /** An integer in [min, max]; JSON numbers with a fraction are refused. */
    static long integer(Object v, String where, long min, long max) {
        BigInteger i = bigInteger(v);
        if (i == null || i.compareTo(BigInteger.valueOf(min)) < 0 || i.compareTo(BigInteger.valueOf(max)) > 0) {
            throw bad(where, "an integer in " + min + ".." + max, v);
        }
        return i.longValue();
    }

    /**
     * A kernel {@code __u64} (flags, raw fd values): 0..2^64-1, returned as its 64 bits. Negative
     * numbers down to Long.MIN_VALUE are taken as the same bits, as C would.
     */
    static long u64(Object v, String where) {
        BigInteger i = bigInteger(v);
        if (i == null || i.compareTo(BigInteger.valueOf(Long.MIN_VALUE)) < 0 || i.compareTo(U64_MAX) > 0) {
            throw bad(where, "a 64-bit integer", v);
        }
        return i.longValue();
    }

    /** A kernel {@code __u32}, returned as the int with the same bits. */
    static int u32(Object v, String where) {
        return (int) integer(v, where, 0, 0xffff_ffffL);
    }

    /** A hex string of bytes (validated, not decoded). */
    static String hex(Object v, String where) {
        String s = string(v, where);
        if (!Hex.isHex(s)) {
            throw bad(where, "hex bytes", v);
        }
        return s;
    }

    /**
     * The tree with every object and list made unmodifiable (copies, nulls kept), so that the
     * corpus handed out through {@link CaseOp#args()} and {@link CaseOp#result()} cannot change
     * under a later run.
     */
    static Object freeze(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), freeze(x)));
            return Collections.unmodifiableMap(out);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(x -> out.add(freeze(x)));
            return Collections.unmodifiableList(out);
        }
        return v;
    }

    /** The value of an integral JSON number, or null for anything else. */
    static BigInteger bigInteger(Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return BigInteger.valueOf(((Number) v).longValue());
        }
        if (v instanceof BigInteger b) {
            return b;
        }
        if (v instanceof BigDecimal d) {
            try {
                return d.toBigIntegerExact();
            } catch (ArithmeticException e) {
                return null;
            }
        }
        return null;
    }

    /** Whether two JSON numbers are the same number, whatever Java type each was read as. */
    static boolean sameNumber(Number a, Number b) {
        return toDecimal(a).compareTo(toDecimal(b)) == 0;
    }

    private static BigDecimal toDecimal(Number n) {
        BigInteger i = bigInteger(n);
        return i != null ? new BigDecimal(i) : new BigDecimal(n.toString());
    }

    /**
     * A short, JSON-like rendering for failure lines: strings bare (hex reads better unquoted),
     * lists in brackets, objects in braces; cut after {@code MAX} characters, since a dump of a big
     * map would bury the line it belongs to.
     */
    static String render(Object v) {
        StringBuilder sb = new StringBuilder();
        render(v, sb);
        return sb.length() > MAX ? sb.substring(0, MAX) + "...(" + sb.length() + " chars)" : sb.toString();
    }

    private static final int MAX = 400;

    private static void render(Object v, StringBuilder sb) {
        if (sb.length() > MAX) {
            return;
        }
        if (v instanceof Map<?, ?> m) {
            sb.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                sb.append(e.getKey()).append(": ");
                render(e.getValue(), sb);
                if (it.hasNext()) {
                    sb.append(", ");
                }
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                render(l.get(i), sb);
            }
            sb.append(']');
        } else {
            sb.append(v);
        }
    }
}
