package org.bpfmaps.core.impl;

/**
 * An OSGi version (major.minor.micro.qualifier), compared as OSGi compares them. Kept here so that
 * the core needs no OSGi class outside a framework.
 */
record BundleVersion(int major, int minor, int micro, String qualifier) implements Comparable<BundleVersion> {
    static final BundleVersion ZERO = new BundleVersion(0, 0, 0, "");

    static BundleVersion parse(String s) {
        if (s == null || s.isBlank()) {
            return ZERO;
        }
        String[] p = s.trim().split("\\.", 4);
        try {
            return new BundleVersion(Integer.parseInt(p[0]), p.length > 1 ? Integer.parseInt(p[1]) : 0,
                    p.length > 2 ? Integer.parseInt(p[2]) : 0, p.length > 3 ? p[3] : "");
        } catch (NumberFormatException e) {
            return ZERO;
        }
    }

    @Override
    public int compareTo(BundleVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Integer.compare(micro, o.micro);
        }
        return c != 0 ? c : qualifier.compareTo(o.qualifier);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + micro + (qualifier.isEmpty() ? "" : "." + qualifier);
    }
}
