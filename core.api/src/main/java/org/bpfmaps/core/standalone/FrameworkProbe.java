package org.bpfmaps.core.standalone;

import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/**
 * Whether a class was loaded by an OSGi framework. A class of its own so that a plain JVM without
 * the OSGi API on the class path (the embedding case) meets the missing classes here, as a
 * {@link LinkageError} that means "no framework", and nowhere else.
 */
final class FrameworkProbe {
    private FrameworkProbe() {
    }

    /** The symbolic name of the bundle that loaded {@code c}, or null outside a framework. */
    static String bundleOf(Class<?> c) {
        try {
            return Loaded.bundleOf(c);
        } catch (LinkageError noOsgiApi) {
            return null;
        }
    }

    /** Touches the OSGi API only when called, so that its absence surfaces in the catch above. */
    private static final class Loaded {
        static String bundleOf(Class<?> c) {
            Bundle b = FrameworkUtil.getBundle(c);
            return b == null ? null : b.getSymbolicName();
        }
    }
}
