package org.bpfmaps.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Compares a recorded result with what the dispatcher answered, as the op's {@link CheckMode}
 * says, and describes the first difference.
 *
 * <p>Only the fields the corpus recorded are compared (the dispatcher's side may say more, e.g.
 * every info field after an info_len of 8); a recorded field the replay did not produce is a
 * difference, so a corpus field this runner does not know yet can never pass unnoticed.
 */
final class ResultMatcher {
    private ResultMatcher() {
    }

    /** The lists whose order depends on hash seeds, compared as multisets in UNORDERED mode. */
    private static final Set<String> UNORDERED_LISTS = Set.of("keys", "entries", "values");

    static Mismatch compare(int index, String op, CheckMode mode, Map<String, Object> expected, Observed got) {
        if (mode == CheckMode.OBSERVED) {
            return null;
        }
        long ret = Json.bigInteger(expected.get("ret")).longValue();
        String errno = (String) expected.get("errno");
        // ret 0 stands for any fd or success (the fd number is not recorded); -1 for any failure
        if ((ret >= 0) != (got.ret >= 0)) {
            return Mismatch.field(index, op, "ret", ret + (errno != null ? " " + errno : ""),
                    got.ret + (got.ret < 0 ? " " + got.errno() : ""), got.errorMessage);
        }
        if (!Objects.equals(errno, got.errno())) {
            return Mismatch.field(index, op, "errno", String.valueOf(errno), String.valueOf(got.errno()),
                    got.errorMessage);
        }
        if (mode == CheckMode.RET_ONLY) {
            return null;
        }
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            String field = e.getKey();
            // info_observed: what the kernel's JIT and verifier made; recorded, never compared (FORMAT.md)
            if (field.equals("ret") || field.equals("errno") || field.equals("info_observed")) {
                continue;
            }
            if (field.equals("out_batch") && mode == CheckMode.UNORDERED) {
                continue;
            }
            String detail = field.endsWith("errno") ? got.errorMessage : null;
            if (!got.fields.containsKey(field)) {
                return Mismatch.field(index, op, field, Json.render(e.getValue()), "<absent>", detail);
            }
            Object actual = got.fields.get(field);
            if (field.equals("out_batch") && e.getValue() instanceof String exp && actual instanceof String act
                    && act.length() > exp.length()) {
                // the runner's out_batch buffer has room for a key or a 4-byte bucket cursor, and
                // the kernel wrote only the one the map type uses
                actual = act.substring(0, exp.length());
            }
            boolean multiset = mode == CheckMode.UNORDERED && UNORDERED_LISTS.contains(field);
            Diff d = diff(field, e.getValue(), actual, multiset);
            if (d != null) {
                return Mismatch.field(index, op, d.path, d.expected, d.got, detail);
            }
        }
        return null;
    }

    /** Where two values differ, rendered for the failure line. */
    private record Diff(String path, String expected, String got) {
    }

    private static Diff diff(String path, Object exp, Object act, boolean multiset) {
        if (exp instanceof Map<?, ?> em) {
            if (!(act instanceof Map<?, ?> am)) {
                return new Diff(path, Json.render(exp), Json.render(act));
            }
            for (Map.Entry<?, ?> e : em.entrySet()) {
                String p = path + "." + e.getKey();
                if (!am.containsKey(e.getKey())) {
                    return new Diff(p, Json.render(e.getValue()), "<absent>");
                }
                Diff d = diff(p, e.getValue(), am.get(e.getKey()), false);
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (exp instanceof List<?> el) {
            if (!(act instanceof List<?> al)) {
                return new Diff(path, Json.render(exp), Json.render(act));
            }
            if (el.size() != al.size()) {
                return new Diff(path, el.size() + (el.size() == 1 ? " element " : " elements ") + Json.render(el),
                        al.size() + (al.size() == 1 ? " element " : " elements ") + Json.render(al));
            }
            return multiset ? multisetDiff(path, el, al) : orderedDiff(path, el, al);
        }
        if (exp instanceof Number en && act instanceof Number an) {
            return Json.sameNumber(en, an) ? null : new Diff(path, Json.render(exp), Json.render(act));
        }
        return Objects.equals(exp, act) ? null : new Diff(path, Json.render(exp), Json.render(act));
    }

    private static Diff orderedDiff(String path, List<?> exp, List<?> act) {
        for (int i = 0; i < exp.size(); i++) {
            Diff d = diff(path + "[" + i + "]", exp.get(i), act.get(i), false);
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    /**
     * Matches every expected element with a distinct equal actual element. Greedy matching is
     * exact here: elements match by equality of the fields the corpus records, and all elements of
     * one list record the same fields.
     */
    private static Diff multisetDiff(String path, List<?> exp, List<?> act) {
        List<Object> left = new ArrayList<>(act);
        for (Object e : exp) {
            int hit = -1;
            for (int i = 0; i < left.size() && hit < 0; i++) {
                if (diff(path, e, left.get(i), false) == null) {
                    hit = i;
                }
            }
            if (hit < 0) {
                return new Diff(path, "an element " + Json.render(e) + " (in any order)",
                        "none among " + Json.render(left));
            }
            left.remove(hit);
        }
        return null;
    }
}
