package org.bpfmaps.core.impl;

/**
 * Text that goes into a failure's reason, which is a {@link String#format} pattern formatted only
 * when the message is asked for ({@code BpfAttr.errorMessage}): a provider's exception may hold a
 * {@code %}, which would make that later formatting throw instead of explaining.
 */
final class Reasons {
    private Reasons() {
    }

    /** An exception as text for a reason, safe as a format pattern. */
    static String of(Throwable e) {
        return e.toString().replace("%", "%%");
    }
}
