package org.bpfmaps.shell;

/**
 * Numbers as bpftool reads them: with C's {@code strtoul}, whose quirks decide what a user may
 * type. bpftool then truncates the result to the field it fills (a byte, a {@code __u32}).
 */
final class CNumbers {
    private CNumbers() {
    }

    /**
     * {@code strtoul(s, &end, base)} followed by bpftool's check {@code if (*end) error}: the
     * value, or null when characters are left after the number.
     *
     * <p>As glibc: leading white space and one sign are skipped; base 0 reads {@code 0x..} as hex,
     * a leading {@code 0} as octal and anything else as decimal; base 16 also takes a {@code 0x}
     * prefix; a minus sign negates in unsigned arithmetic ({@code -1} is all ones); a value too
     * large saturates to all ones. A string without digits leaves {@code end} at its start, so the
     * empty string reads as 0 while {@code "x"} is an error.
     *
     * @param base 0 or 16
     */
    static Long strtoul(String s, int base) {
        int i = 0;
        int n = s.length();
        while (i < n && isSpace(s.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        int radix = base;
        if ((radix == 0 || radix == 16) && i + 1 < n && s.charAt(i) == '0'
                && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X') && i + 2 < n
                && Character.digit(s.charAt(i + 2), 16) >= 0) {
            // "0x" counts as a prefix only before a hex digit; "0x" alone reads as 0 then 'x'
            radix = 16;
            i += 2;
        } else if (radix == 0) {
            radix = i < n && s.charAt(i) == '0' ? 8 : 10;
        }
        int start = i;
        long value = 0;
        boolean overflow = false;
        while (i < n) {
            int d = Character.digit(s.charAt(i), radix);
            if (d < 0 || s.charAt(i) > 0x7f) {
                break;
            }
            if (Long.compareUnsigned(value, Long.divideUnsigned(-1L - d, radix)) > 0) {
                overflow = true;
            }
            value = value * radix + d;
            i++;
        }
        if (i == start) {
            // no digits: strtoul sets end to the start of the string
            return s.isEmpty() ? 0L : null;
        }
        if (i != n) {
            return null;
        }
        if (overflow) {
            return -1L;
        }
        return negative ? -value : value;
    }

    /** C's isspace in the C locale. */
    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
