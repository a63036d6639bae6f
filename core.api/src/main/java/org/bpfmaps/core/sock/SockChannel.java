package org.bpfmaps.core.sock;

import java.io.IOException;
import java.nio.channels.ByteChannel;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The application's side of a socket whose I/O the core owns (its data path runs programs on
 * what it receives and sends): the channel the application reads and writes instead of the
 * socket's own. {@link #read} gives what the verdict passed ({@code SK_PASS}) and what other
 * sockets redirected into it ({@code BPF_F_INGRESS}); {@link #write} sends through the socket's
 * SK_MSG program, if it has one, else straight out. Blocking by default; a non-blocking channel
 * reads and writes what it can now (0 when nothing). Thread-safe: reads and writes may come from
 * different threads.
 *
 * @since 1.2
 */
@ProviderType
public interface SockChannel extends ByteChannel {
    /** The socket this channel reads and writes. */
    BpfSocket socket();

    /** Blocking (the default) or not; returns this channel. */
    SockChannel configureBlocking(boolean block);

    boolean isBlocking();

    /**
     * Half-closes the socket after the bytes queued to it are written (its FIN follows them).
     * The read side stays open.
     */
    void shutdownOutput() throws IOException;

    /**
     * Closes the socket: what was queued out of it is still written first (as the kernel sends a
     * closed socket's send queue), what was queued for the application goes. Never fails.
     */
    @Override
    void close();

    /** Bytes the data path holds for this socket now: received and not yet decided, queued in and out. */
    long bufferedBytes();
}
