package org.bpfmaps.shell;

/**
 * bpftool's {@code usage()}: the command's help on standard error ({@code null} in JSON mode)
 * and exit code 255, from anywhere in a command. Unwinding as an exception lets every fd the
 * command opened be closed on the way out, where bpftool relies on {@code exit()}.
 */
final class Usage extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Usage() {
        super("usage", null, false, false);
    }
}
