package org.bpfmaps.core.api;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The {@code bpf(2)} syscall of one instance: one entry point for every command, with the kernel's
 * numbers, attrs and return values. Registered as an OSGi service for the framework's default
 * instance; {@link BpfRuntime} makes isolated ones.
 *
 * <p>Every method returns what the syscall returns (an fd or id, 0, or a negated {@link Errno})
 * and never throws for a caller's mistake; after a negative return the attr's
 * {@link BpfAttr#errorMessage()} says what was wrong. Methods are safe to call from any number of
 * threads, each with its own attr.
 */
@ProviderType
public interface Bpf {
    /**
     * Runs one command. A null attr answers EFAULT (a NULL attr pointer); an attr of another
     * command's kind answers EINVAL; a command this project does not implement yet answers EINVAL
     * with a message saying so, as the kernel answers a command it does not know.
     */
    int bpf(BpfCmd cmd, BpfAttr attr);

    /** {@link #bpf(BpfCmd, BpfAttr)} by the kernel's command number; an unknown number is EINVAL. */
    int bpf(int cmd, BpfAttr attr);

    /** {@code close(2)}: drops the fd's reference; 0, or -EBADF for an fd that is not open. */
    int close(int fd);

    /** {@code mmap(2)} of an MMAPABLE map: 0 with {@link MmapAttr#mapping} set, or a negated errno. */
    int mmap(MmapAttr attr);

    /**
     * {@code mkdir(2)} in this instance's bpffs. 0, or -EEXIST, -ENOENT (missing parent), -EPERM
     * (outside {@code /sys/fs/bpf}, or a name with '.'), -ENOTDIR.
     */
    int mkdir(String path, ErrorSink err);

    /**
     * {@code unlink(2)} / {@code rmdir(2)} in this instance's bpffs: removes a pin (dropping its
     * reference) or an empty directory. 0, or -ENOENT, -ENOTEMPTY, -EPERM, -EBUSY (the root).
     */
    int unlink(String path, ErrorSink err);

    /**
     * The element commands of an open map fd bound once, for {@link BpfMap}'s fast paths; null when
     * the fd is not an open map.
     */
    ElemPath elemPath(int fd);

    /** What /proc/self/fdinfo shows for a map fd, or null when the fd is not an open map. */
    MapFdInfo fdinfo(int fd);

    /**
     * Every map pinned in this instance's bpffs: its path and its map id, in the order in which
     * bpftool's {@code -f} ({@code --bpffs}) finds them with {@code nftw}: depth first, each
     * directory's entries newest first (the kernel's bpffs {@code readdir} order). A map pinned at
     * several paths appears once per path. Empty when nothing is pinned.
     * Tools that walk the bpffs as bpftool does use it: {@code map show -f}, the shell's completion
     * of {@code pinned FILE}.
     */
    java.util.Map<String, Integer> pinnedMaps();

    /** The settings of this instance (possible CPUs, memory budget). */
    BpfSettings settings();
}
