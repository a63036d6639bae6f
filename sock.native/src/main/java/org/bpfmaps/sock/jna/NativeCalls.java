package org.bpfmaps.sock.jna;

/**
 * Whether the native calls can be made in this JVM: tried once, by initialising {@link Libc}. JNA
 * may be absent (an optional import in a framework, a class path without it) or unable to load
 * its native part; then no kind of this bundle can be made, and that is all.
 */
final class NativeCalls {
    /** Why the native calls cannot be made, or null when they can. */
    static final Throwable UNAVAILABLE = probe();

    private NativeCalls() {
    }

    private static Throwable probe() {
        try {
            Class.forName(NativeCalls.class.getPackageName() + ".Libc", true, NativeCalls.class.getClassLoader());
            return null;
        } catch (LinkageError | ClassNotFoundException | RuntimeException e) {
            return e; // NoClassDefFoundError for a missing JNA, UnsatisfiedLinkError for its native part
        }
    }
}
