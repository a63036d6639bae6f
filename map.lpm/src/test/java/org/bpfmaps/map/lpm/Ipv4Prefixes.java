package org.bpfmaps.map.lpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The IPv4 prefixes of the stress tests ({@link StressTest}, {@link LpmJumpsStressTest}): keys,
 * values that name the prefix they were stored with, and the check of what a reader found.
 */
final class Ipv4Prefixes {
    private Ipv4Prefixes() {
    }

    /** 10.0.0.0/8 and 10.1.2.0/24: stored before the writers start, never changed. */
    static final int[][] STABLE = {{8, 0x0a000000}, {24, 0x0a010200}};

    static int mask(int len) {
        return len == 0 ? 0 : -1 << (32 - len);
    }

    /** A key: host-order prefixlen, then the address in network order. */
    static ByteBuffer key(int len, int address) {
        ByteBuffer b = ByteBuffer.allocate(8).putInt(4, address);
        return b.order(ByteOrder.nativeOrder()).putInt(0, len);
    }

    /** {len << 32 | masked address}: the first word of the prefix's value, which names it. */
    static long id(int len, int address) {
        return ((long) len << 32) | ((address & mask(len)) & 0xffff_ffffL);
    }

    /** The value stored for a prefix: its id, and for 16 bytes the id's complement after it, so a torn value shows. */
    static ByteBuffer value(int len, int address, int valueSize) {
        long v = id(len, address);
        ByteBuffer b = ByteBuffer.allocate(valueSize).order(ByteOrder.nativeOrder()).putLong(0, v);
        return valueSize == 16 ? b.putLong(8, ~v) : b;
    }

    /** The longest stable prefix that covers address a: 24, 8, or 0 outside 10/8. */
    static int stableLength(int a) {
        if ((a & mask(24)) == STABLE[1][1]) {
            return 24;
        }
        return (a & mask(8)) == STABLE[0][1] ? 8 : 0;
    }

    /**
     * Checks the value a lookup of address a found: whole (16-byte values), naming a prefix that
     * covers a, and at least {@code least} bits long.
     */
    static void assertCovers(int a, ByteBuffer v, int valueSize, int least) {
        long got = v.getLong(0);
        if (valueSize == 16) {
            assertEquals(~got, v.getLong(8), "a torn value");
        }
        int len = (int) (got >>> 32);
        int prefix = (int) got;
        assertTrue(((prefix ^ a) & mask(len)) == 0, () -> "/" + len + " " + Integer.toHexString(prefix)
                + " does not cover " + Integer.toHexString(a));
        assertTrue(len >= least, () -> "a /" + len + " for " + Integer.toHexString(a)
                + ", where a prefix of at least /" + least + " covers it");
    }
}
