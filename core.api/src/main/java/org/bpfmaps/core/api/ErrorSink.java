package org.bpfmaps.core.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where a failing check leaves the reason for its errno. The reason is kept as a format string and
 * two numbers and turned into text only when someone asks, so that a failure on a fast path (a
 * lookup miss) allocates nothing.
 */
@ConsumerType
public interface ErrorSink {
    /**
     * Records a failure and returns {@code -errno.code()}, so that a check can end with
     * {@code return err.fail(...)}.
     *
     * @param why a {@link String#format} pattern naming the field and the limit, with at most two
     *     {@code %d} for {@code a} and {@code b}; a constant, so that recording allocates nothing
     */
    int fail(Errno errno, String why, long a, long b);

    default int fail(Errno errno, String why, long a) {
        return fail(errno, why, a, 0);
    }

    default int fail(Errno errno, String why) {
        return fail(errno, why, 0, 0);
    }
}
