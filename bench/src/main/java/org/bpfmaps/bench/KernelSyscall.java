package org.bpfmaps.bench;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The real {@code bpf(2)} through JNA's direct mapping of {@code syscall(2)}, for the kernel
 * baseline. Layouts are the kernel's {@code union bpf_attr} on x86_64.
 */
final class KernelSyscall {
    private static final long SYS_BPF = 321;
    static final int ATTR_SIZE = 128;

    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private KernelSyscall() {
    }

    static native long syscall(long number, long cmd, Pointer attr, long size);

    /** bpf(cmd, attr): the result, or -errno. */
    static long bpf(int cmd, Memory attr) {
        long r = syscall(SYS_BPF, cmd, attr, ATTR_SIZE);
        return r < 0 ? -Native.getLastError() : r;
    }

    /**
     * Why a KernelBench cannot run: EPERM means this process may not call bpf(2) (it needs root or
     * CAP_BPF), and the benchmark says it is skipped (scripts/bench.sh leaves it out beforehand);
     * any other errno is a failure.
     */
    static IllegalStateException refused(String what, long ret) {
        if (ret == -1) {
            return new IllegalStateException("KernelBench skipped: bpf(2) " + what
                    + " is not allowed here (EPERM: needs root or CAP_BPF)");
        }
        return new IllegalStateException("bpf(2) " + what + " failed: errno " + -ret);
    }

    /** MAP_CREATE of an unnamed map; the fd or -errno. */
    static int createMap(int type, int keySize, int valueSize, int maxEntries) {
        Memory a = new Memory(ATTR_SIZE);
        a.clear();
        a.setInt(0, type);
        a.setInt(4, keySize);
        a.setInt(8, valueSize);
        a.setInt(12, maxEntries);
        return (int) bpf(0, a);
    }

    /** Whether this process may call bpf(2) (root or CAP_BPF, and a kernel with BPF syscalls). */
    static boolean allowed() {
        try {
            int fd = createMap(2, 4, 8, 1);
            if (fd < 0) {
                return false;
            }
            close(fd);
            return true;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false;
        }
    }

    static void close(int fd) {
        NativeLibrary.getInstance("c").getFunction("close").invokeInt(new Object[] {fd});
    }
}
