package org.bpfmaps.conformance;

import java.util.Locale;

/** How much of a recorded result an op must reproduce (FORMAT.md, "Check modes"). */
public enum CheckMode {
    /** ret, errno and every output field the corpus recorded. */
    EXACT,
    /** ret and errno exactly; the lists keys, entries and values as multisets; out_batch not at all. */
    UNORDERED,
    /** ret and errno only. */
    RET_ONLY,
    /** Nothing: the kernel's answer is kept for information, but the op still runs for its effect. */
    OBSERVED;

    /** The name the corpus uses: {@code exact}, {@code unordered}, {@code ret_only}, {@code observed}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode with this corpus name, or null. */
    public static CheckMode byJsonName(String name) {
        for (CheckMode m : values()) {
            if (m.jsonName().equals(name)) {
                return m;
            }
        }
        return null;
    }
}
