package org.bpfmaps.core.sock;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What {@link SocketFactory#open} made: the fd in the instance, and the ends that keep the socket
 * in its state (the peer of a connection, its listener, a pipe's other end), which the caller
 * releases with {@link #close} when done. Closing this never closes the fd: that is the
 * instance's, closed with {@link org.bpfmaps.core.api.Bpf#close} (the last fd closes the socket)
 * or with the instance.
 */
public final class OpenedSocket implements AutoCloseable {
    private final int fd;
    private final List<AutoCloseable> helpers;
    private final AtomicBoolean closed = new AtomicBoolean();

    private OpenedSocket(int fd, List<AutoCloseable> helpers) {
        this.fd = fd;
        this.helpers = helpers;
    }

    /** An fd and the ends to release at {@link #close}, in the order given. */
    public static OpenedSocket of(int fd, AutoCloseable... helpers) {
        return new OpenedSocket(fd, List.of(helpers));
    }

    /** The fd in the instance: a socket's, a non-socket's, or (kind {@code badfd}) a number that is not open. */
    public int fd() {
        return fd;
    }

    /** Releases the helper ends, once; a failing one does not stop the others, and nothing is thrown. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (AutoCloseable h : helpers) {
            try {
                h.close();
            } catch (Exception e) {
                // a helper end that fails to close is closed as far as the caller can tell
            }
        }
    }

    @Override
    public String toString() {
        return "fd " + fd;
    }
}
