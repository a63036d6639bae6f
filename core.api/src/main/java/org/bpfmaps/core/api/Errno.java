package org.bpfmaps.core.api;

/**
 * Linux errno values with the kernel's numbers, as the {@code bpf(2)} syscall returns them
 * (negated). {@link #ENOTSUPP} (524) is the kernel-internal "operation not implemented by this map
 * type" and is deliberately distinct from {@link #EOPNOTSUPP} (95): user space sees both, and the
 * kernel chooses between them per command.
 */
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    ESRCH(3, "No such process"),
    EINTR(4, "Interrupted system call"),
    EIO(5, "Input/output error"),
    ENXIO(6, "No such device or address"),
    E2BIG(7, "Argument list too long"),
    EBADF(9, "Bad file descriptor"),
    EAGAIN(11, "Resource temporarily unavailable"),
    ENOMEM(12, "Cannot allocate memory"),
    EACCES(13, "Permission denied"),
    EFAULT(14, "Bad address"),
    EBUSY(16, "Device or resource busy"),
    EEXIST(17, "File exists"),
    EXDEV(18, "Invalid cross-device link"),
    ENODEV(19, "No such device"),
    ENOTDIR(20, "Not a directory"),
    EISDIR(21, "Is a directory"),
    EINVAL(22, "Invalid argument"),
    EMFILE(24, "Too many open files"),
    ENOSPC(28, "No space left on device"),
    EROFS(30, "Read-only file system"),
    ERANGE(34, "Numerical result out of range"),
    ENAMETOOLONG(36, "File name too long"),
    ENOSYS(38, "Function not implemented"),
    ENOTEMPTY(39, "Directory not empty"),
    ELOOP(40, "Too many levels of symbolic links"),
    /** What LINK_UPDATE of a link whose target went (a detached XDP link) answers. */
    ENOLINK(67, "Link has been severed"),
    EOVERFLOW(75, "Value too large for defined data type"),
    EBADFD(77, "File descriptor in bad state"),
    ENOTSOCK(88, "Socket operation on non-socket"),
    ENOPROTOOPT(92, "Protocol not available"),
    EOPNOTSUPP(95, "Operation not supported"),
    EAFNOSUPPORT(97, "Address family not supported by protocol"),
    ENOBUFS(105, "No buffer space available"),
    ENOTCONN(107, "Transport endpoint is not connected"),
    ENOTSUPP(524, "Unknown error 524");

    private static final Errno[] BY_CODE = new Errno[525];

    static {
        for (Errno e : values()) {
            BY_CODE[e.code] = e;
        }
    }

    private final int code;
    private final String text;

    Errno(int code, String text) {
        this.code = code;
        this.text = text;
    }

    /** The positive errno number. */
    public int code() {
        return code;
    }

    /** What a syscall returns for this error: the negated number. */
    public int ret() {
        return -code;
    }

    /** The C library's text for this errno, as strerror(3) prints it. */
    public String text() {
        return text;
    }

    /** The errno for a positive or negative number, or null when this enum does not name it. */
    public static Errno of(int code) {
        int c = Math.abs(code);
        // Math.abs(Integer.MIN_VALUE) stays negative: no errno, not an index out of bounds
        return c >= 0 && c < BY_CODE.length ? BY_CODE[c] : null;
    }

    /** "ENOENT" for -2 or 2; "0" for success; "errno 123" for a number this enum does not name. */
    public static String nameOf(int code) {
        if (code == 0) {
            return "0";
        }
        Errno e = of(code);
        return e != null ? e.name() : "errno " + Math.abs(code);
    }
}
