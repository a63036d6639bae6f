package org.bpfmaps.conformance;

import java.nio.ByteBuffer;

/** The corpus's byte notation: lower-case hex, two digits per byte, in memory order. */
final class Hex {
    private Hex() {
    }

    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    /** Whether {@code s} is an even number of hex digits (either case). */
    static boolean isHex(String s) {
        if ((s.length() & 1) != 0) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            // ASCII only: Character.digit would also take other scripts' digits
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }

    /** The bytes of a string that {@link #isHex} accepted. */
    static byte[] decode(String s) {
        if (!isHex(s)) {
            throw new IllegalArgumentException("'" + s + "' is not hex bytes");
        }
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (Character.digit(s.charAt(2 * i), 16) << 4 | Character.digit(s.charAt(2 * i + 1), 16));
        }
        return out;
    }

    /** {@code len} bytes of {@code b} from absolute index {@code at}, position untouched. */
    static String encode(ByteBuffer b, int at, int len) {
        char[] out = new char[2 * len];
        for (int i = 0; i < len; i++) {
            int v = b.get(at + i) & 0xff;
            out[2 * i] = DIGITS[v >>> 4];
            out[2 * i + 1] = DIGITS[v & 0xf];
        }
        return new String(out);
    }
}
