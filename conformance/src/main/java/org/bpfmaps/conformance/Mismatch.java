package org.bpfmaps.conformance;

/**
 * The first difference found in a case: which op (-1 for the create) and what differed, or the
 * exception the replay threw.
 */
record Mismatch(int opIndex, String op, String what) {

    /** A field that differs; {@code detail} (the dispatcher's error message) may be null. */
    static Mismatch field(int opIndex, String op, String field, String expected, String got, String detail) {
        String what = field + ": expected " + expected + ", got " + got;
        return new Mismatch(opIndex, op, detail == null ? what : what + " (" + detail + ")");
    }

    /** The replay threw: a bug in the dispatcher or a provider, reported rather than propagated. */
    static Mismatch exception(int opIndex, String op, Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        String at = st.length > 0 ? " at " + st[0] : "";
        return new Mismatch(opIndex, op, "threw " + t + at);
    }

    /** The report line: {@code FAIL <case>: op <index> (<op>) <what>}. */
    String line(String caseName) {
        return "FAIL " + caseName + ": op " + opIndex + " (" + op + ") " + what;
    }
}
