package org.bpfmaps.sock.jna;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The C library's calls this bundle makes, bound by JNA's direct mapping when the class
 * initialises. The first class to touch JNA: when JNA or its native part is missing, its
 * initialisation fails, and {@link NativeCalls} says so instead of anything crashing (the classes
 * that catch JNA's {@code LastErrorException} are used only once it has loaded).
 */
final class Libc {
    static final int AF_UNIX = 1;
    static final int SOCK_DGRAM = 2;
    /** The fds are not inherited by a program the JVM executes. */
    static final int SOCK_CLOEXEC = 0x80000;
    static final int AF_NETLINK = 16;
    /** {@code include/uapi/linux/netlink.h}: the socket diagnostics family (inet_diag). */
    static final int NETLINK_SOCK_DIAG = 4;
    static final int SOL_SOCKET = 1;
    /** {@code SO_RCVTIMEO_OLD}, a {@code struct timeval} of two longs (asm-generic, x86, arm64). */
    static final int SO_RCVTIMEO = 20;
    /** recv(2) flag: return the datagram's real length even when the buffer is shorter. */
    static final int MSG_TRUNC = 0x20;

    /** Whether {@code size_t}, {@code ssize_t} and {@code long} are 8 bytes, as the mappings below assume. */
    static final boolean LP64 = Native.SIZE_T_SIZE == 8 && Native.LONG_SIZE == 8;

    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private Libc() {
    }

    static native int socketpair(int domain, int type, int protocol, int[] sv) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    /** {@code size_t} and {@code ssize_t} as Java longs: {@link NetlinkTcpStates} checks they are 8 bytes. */
    static native long send(int fd, byte[] buf, long len, int flags) throws LastErrorException;

    static native long recv(int fd, byte[] buf, long len, int flags) throws LastErrorException;

    static native int setsockopt(int fd, int level, int name, long[] value, int len) throws LastErrorException;
}
