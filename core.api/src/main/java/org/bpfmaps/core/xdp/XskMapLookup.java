package org.bpfmaps.core.xdp;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What an XSKMAP's ops give the XDP data path: the socket at an index, as
 * {@code __xsk_map_lookup_elem} (net/xdp/xskmap.c) gives {@code bpf_redirect_map}. Implemented by
 * the map's {@link org.bpfmaps.core.spi.MapOps}; a map whose ops do not implement it holds no XSK
 * sockets, and a redirect through it finds an empty slot.
 *
 * @since 1.1
 */
@ConsumerType
public interface XskMapLookup {
    /**
     * The socket at {@code index} (a u32: a negative int is out of range), or null for an index
     * out of range or an empty slot. Called for every redirected frame on the RX queues' threads:
     * never throws, takes no lock, allocates nothing.
     */
    XdpSocket xskAt(int index);
}
