package org.bpfmaps.core.sock;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a map that holds sockets gives the data path's redirect helpers: the socket at a key, as
 * {@code __sock_map_lookup_elem} and {@code __sock_hash_lookup_elem} give the redirect helpers of
 * net/core/sock_map.c. Implemented by the map's {@link org.bpfmaps.core.spi.MapOps}; a map whose ops
 * do not implement it holds no sockets, and a redirect through it drops.
 *
 * @since 1.2
 */
@ConsumerType
public interface SocketMapLookup {
    /**
     * The socket at {@code key} (from its position; a SOCKMAP's 4-byte index in host order), or
     * null: no such element, a key of the wrong size, or a socket that closed. Never throws; called
     * on the data path's threads, so it takes no lock for long.
     */
    BpfSocket socketAt(ByteBuffer key);
}
