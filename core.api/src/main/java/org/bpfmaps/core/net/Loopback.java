package org.bpfmaps.core.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.Errno;

/** The loopback-only rule of this package's network ends: 127.0.0.0/8 and ::1. */
final class Loopback {
    private Loopback() {
    }

    /** True for 127.0.0.0/8 and ::1 (what {@link InetAddress#isLoopbackAddress} says). */
    static boolean is(InetAddress a) {
        return a != null && a.isLoopbackAddress();
    }

    /**
     * Returns {@code a} when it is a resolved loopback address with a port in 0 to 65535.
     *
     * @throws BpfException EINVAL naming the field and the rule
     */
    static InetSocketAddress require(String field, InetSocketAddress a) {
        if (a == null || !is(a.getAddress())) {
            throw new BpfException(Errno.EINVAL, field + " " + a + ": loopback only (127.0.0.0/8 or ::1)");
        }
        return a;
    }
}
