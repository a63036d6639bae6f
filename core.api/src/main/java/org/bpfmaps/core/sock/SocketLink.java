package org.bpfmaps.core.sock;

import org.bpfmaps.core.spi.MapOps;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One element of a map that holds a socket, as the kernel's {@code sk_psock_link} records each map
 * a socket is in: the close listener that a map registers with {@link BpfSocket#onClose} for the
 * element, made to say which map and key it stands for. Nothing else is registered: a map whose
 * listeners implement this makes its elements show in {@link BpfSocket#links} and
 * {@link Sockets#slots}, which tools list ({@code sock list} of the shell); the core never calls
 * these methods under a lock of the socket's.
 *
 * @since 1.2
 */
@ConsumerType
public interface SocketLink extends Runnable {
    /**
     * The element operations of the map that holds the socket; the core finds the map's id from
     * them ({@link org.bpfmaps.core.spi.ObjectHost#mapId}).
     */
    MapOps map();

    /** The element's key as the map's commands take it (a SOCKMAP's index: 4 bytes, host order); a copy. */
    byte[] key();

    /** The socket left every map: takes the element out of its map, if it is still there. */
    @Override
    void run();
}
