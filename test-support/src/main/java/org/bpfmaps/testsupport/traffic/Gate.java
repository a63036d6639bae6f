package org.bpfmaps.testsupport.traffic;

/**
 * Read credit for a slow reader: the reader takes at most as many bytes as the test (or a rate
 * it drives) has granted, and waits for more otherwise. The reader's pauses are then steps the
 * test decides, not sleeps. {@link #open()} lifts the limit (and releases a waiting reader for
 * good, as on close).
 */
public final class Gate {
    private long credit;
    private boolean open;

    /** Lets the reader take {@code bytes} more. */
    public synchronized void grant(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("grant: bytes " + bytes + " < 0");
        }
        credit += bytes;
        notifyAll();
    }

    /** No limit any more. */
    public synchronized void open() {
        open = true;
        notifyAll();
    }

    /** Bytes granted and not yet taken. */
    public synchronized long credit() {
        return credit;
    }

    /** Waits for credit and takes up to {@code want} bytes of it; returns how many it took (> 0). */
    synchronized int acquire(int want) throws InterruptedException {
        while (credit == 0 && !open) {
            wait();
        }
        if (open) {
            return want;
        }
        int n = (int) Math.min(want, credit);
        credit -= n;
        return n;
    }

    /** Gives back credit taken and not used (a read returned fewer bytes than it took). */
    synchronized void refund(int bytes) {
        if (!open && bytes > 0) {
            credit += bytes;
        }
    }
}
