package org.bpfmaps.shell;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for the tests: a stream of documents into Maps (key order kept), Lists,
 * Strings, Longs, Booleans and {@link #NULL}. It takes bpftool's one non-standard escape,
 * {@code \'}, and rejects anything else that is not JSON, so a stray byte in {@code -j} output
 * fails the test that reads it.
 */
final class Json {
    /** JSON's null, distinct from "no document". */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    /** Every document in the text, in order; throws IllegalArgumentException on anything else. */
    static List<Object> documents(String text) {
        Json p = new Json(text);
        List<Object> out = new ArrayList<>();
        p.ws();
        while (p.i < p.s.length()) {
            out.add(p.value());
            p.ws();
        }
        return out;
    }

    private void ws() {
        while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
    }

    private IllegalArgumentException bad(String what) {
        return new IllegalArgumentException(what + " at offset " + i + " of: " + s);
    }

    private void expect(char c) {
        ws();
        if (i >= s.length() || s.charAt(i) != c) {
            throw bad("expected '" + c + "'");
        }
        i++;
    }

    private Object value() {
        ws();
        if (i >= s.length()) {
            throw bad("unexpected end");
        }
        char c = s.charAt(i);
        switch (c) {
            case '{': {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                ws();
                if (s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    ws();
                    String k = string();
                    expect(':');
                    m.put(k, value());
                    ws();
                    if (i < s.length() && s.charAt(i) == ',') {
                        i++;
                        continue;
                    }
                    expect('}');
                    return m;
                }
            }
            case '[': {
                i++;
                List<Object> l = new ArrayList<>();
                ws();
                if (i < s.length() && s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                while (true) {
                    l.add(value());
                    ws();
                    if (i < s.length() && s.charAt(i) == ',') {
                        i++;
                        continue;
                    }
                    expect(']');
                    return l;
                }
            }
            case '"':
                return string();
            default:
                if (s.startsWith("null", i)) {
                    i += 4;
                    return NULL;
                }
                if (s.startsWith("true", i)) {
                    i += 4;
                    return Boolean.TRUE;
                }
                if (s.startsWith("false", i)) {
                    i += 5;
                    return Boolean.FALSE;
                }
                int start = i;
                if (i < s.length() && s.charAt(i) == '-') {
                    i++;
                }
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                if (start == i || (s.charAt(start) == '-' && start + 1 == i)) {
                    throw bad("not a JSON value");
                }
                return Long.parseLong(s.substring(start, i));
        }
    }

    private String string() {
        if (i >= s.length() || s.charAt(i) != '"') {
            throw bad("expected a string");
        }
        i++;
        StringBuilder b = new StringBuilder();
        while (true) {
            if (i >= s.length()) {
                throw bad("unterminated string");
            }
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = s.charAt(i++);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'f' -> b.append('\f');
                case 'b' -> b.append('\b');
                case '"', '\\', '/', '\'' -> b.append(e);
                case 'u' -> {
                    b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> throw bad("bad escape \\" + e);
            }
        }
    }
}
