package org.bpfmaps.map.hash;

/**
 * How many more elements a map may hold, striped as {@link StripedWords}: the count of free
 * elements of a map whose elements are not all in one free list ({@link HomePool}). Taking a
 * credit is a compare-and-set on the caller's stripe in the common case; running out is exact
 * (see {@link #allEmptyAtOnce}), so E2BIG means max_entries elements exist.
 */
final class Credits extends StripedWords {
    /** n credits, all on stripe 0 (threads take theirs from there the first time). */
    Credits(int n) {
        tops.set(0, Integer.toUnsignedLong(n));
    }

    /** Takes a credit; false when there is none. */
    boolean take() {
        int home = home();
        for (;;) {
            for (int i = 0; i <= stripeMask; i++) {
                if (takeFrom(((home + i) & stripeMask) * PAD)) {
                    return true;
                }
            }
            if (allEmptyAtOnce()) {
                return false;
            }
        }
    }

    private boolean takeFrom(int at) {
        for (;;) {
            long t = tops.get(at);
            long n = t & 0xffff_ffffL;
            if (n == 0) {
                return false;
            }
            if (tops.compareAndSet(at, t, ((t >>> 32) + 1) << 32 | (n - 1))) {
                return true;
            }
        }
    }

    /** Gives a credit back, to the caller's stripe. */
    void give() {
        int at = home() * PAD;
        for (;;) {
            long t = tops.get(at);
            if (tops.compareAndSet(at, t, ((t >>> 32) + 1) << 32 | ((t & 0xffff_ffffL) + 1))) {
                return;
            }
        }
    }
}
