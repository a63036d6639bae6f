package org.bpfmaps.core.spi;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The programs attached to one map (the kernel's {@code struct sk_psock_progs} of a socket map),
 * kept by the core in its map object: PROG_ATTACH, PROG_DETACH and PROG_QUERY are the core's, and
 * the attachments outlive the map's provider (a map detached during its bundle's update keeps
 * them, and the next provider is given the same object). The map's ops read them when they need
 * them, e.g. a socket map at insert ({@code sock_map_link}).
 *
 * @since 2.5
 */
@ProviderType
public interface MapPrograms {
    /**
     * The program attached now under {@code attachType} ({@code enum bpf_attach_type}), or null.
     * The reference is the map's: retain it to keep the program past this call.
     */
    ProgRef program(int attachType);
}
