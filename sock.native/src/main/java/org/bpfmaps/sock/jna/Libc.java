package org.bpfmaps.sock.jna;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The C library's calls this bundle makes, bound by JNA's direct mapping when the class
 * initialises. The only class that names JNA: when JNA or its native part is missing, its
 * initialisation fails, and {@link NativeCalls} says so instead of anything crashing.
 */
final class Libc {
    static final int AF_UNIX = 1;
    static final int SOCK_DGRAM = 2;
    /** The fds are not inherited by a program the JVM executes. */
    static final int SOCK_CLOEXEC = 0x80000;

    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private Libc() {
    }

    static native int socketpair(int domain, int type, int protocol, int[] sv) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;
}
