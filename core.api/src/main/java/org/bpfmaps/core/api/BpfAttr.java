package org.bpfmaps.core.api;

/**
 * The attribute block of one {@code bpf(2)} command: the fields of {@code union bpf_attr} that the
 * command reads and writes. Each command has its own subclass; the dispatcher answers EINVAL when a
 * command is given another command's attr, as the kernel answers a non-zero field it does not read.
 *
 * <p>An attr also carries the reason for the last failure of the call it was passed to: after a
 * negative return, {@link #errno()} and {@link #errorMessage()} say what was wrong, naming the field
 * and the limit. The message is formatted only when asked for.
 *
 * <p>An attr is owned by its caller and is not thread-safe; reuse it call after call to stay
 * allocation-free.
 */
public abstract class BpfAttr implements ErrorSink {
    private Errno errno;
    private String why;
    private long a;
    private long b;

    @Override
    public final int fail(Errno errno, String why, long a, long b) {
        this.errno = errno;
        this.why = why;
        this.a = a;
        this.b = b;
        return -errno.code();
    }

    /**
     * Records a failure whose errno already came back from a lower layer, keeping the reason that
     * layer left if it left one for the same errno.
     */
    public final int failed(int ret, String why, long a, long b) {
        Errno e = Errno.of(ret);
        if (e == null) {
            e = Errno.EINVAL;
        }
        if (this.errno == e && this.why != null) {
            return ret;
        }
        fail(e, why, a, b);
        return ret;
    }

    /** Forgets the last failure; the dispatcher calls this at the start of every command. */
    public final void clearError() {
        errno = null;
        why = null;
    }

    /** The errno of the last failed call made with this attr, or null after a success. */
    public final Errno errno() {
        return errno;
    }

    /**
     * Why the last call failed: a sentence naming the field and the limit, or the errno's text when
     * no more is known; null after a success.
     */
    public final String errorMessage() {
        if (errno == null) {
            return null;
        }
        if (why == null) {
            return errno.text();
        }
        return String.format(why, a, b);
    }
}
