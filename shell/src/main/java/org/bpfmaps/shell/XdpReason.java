package org.bpfmaps.shell;

import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;

/**
 * The core's reason for a failed XSK socket or device call, kept as text for the detail line
 * under an {@code Error:} line: the core's format string with both of its numbers.
 */
final class XdpReason implements ErrorSink {
    String text;
    Errno errno;

    @Override
    public int fail(Errno errno, String why, long a, long b) {
        this.errno = errno;
        this.text = String.format(why, a, b);
        return errno.ret();
    }

    /** {@code Invalid argument (EINVAL)}: the errno's text and its name, as the kernel's errno would be read. */
    static String errno(int ret) {
        String name = Errno.nameOf(ret);
        return Libbpf.strerror(ret) + (name == null ? "" : " (" + name + ")");
    }
}
