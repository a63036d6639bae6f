package org.bpfmaps.core.api;

/**
 * A failed command of the typed API ({@link BpfMap}), carrying the kernel's {@link Errno} and the
 * message that names the field and the limit.
 *
 * <p>Unchecked on purpose: map operations sit in hot code and in lambdas, and the failures that
 * remain once "not found" is a normal result (a boolean) are programming errors or environment
 * limits (a full map, a frozen map, a detached provider) that a caller handles at a boundary, if
 * at all — the same call cilium/ebpf makes with wrapped sentinel errors.
 */
public class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Errno errno;

    public BpfException(Errno errno, String message) {
        super(errno.name() + ": " + message);
        this.errno = errno;
    }

    /** The exception for a negated errno a command returned, with the attr's reason. */
    public static BpfException of(String what, int ret, BpfAttr attr) {
        Errno e = Errno.of(ret);
        if (e == null) {
            e = Errno.EINVAL;
        }
        String why = attr != null ? attr.errorMessage() : null;
        return new BpfException(e, what + " failed: " + (why != null ? why : e.text()));
    }

    public Errno errno() {
        return errno;
    }
}
