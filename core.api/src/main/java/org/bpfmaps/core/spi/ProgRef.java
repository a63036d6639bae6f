package org.bpfmaps.core.spi;

import org.bpfmaps.core.api.ProgType;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A loaded program as a map's provider sees it: a core object (kind PROG) with an id and a
 * reference count. What holds a program beyond a call (a socket that took it from a map, the
 * kernel's {@code psock_set_prog}) takes a reference with {@link #retain} and gives it back with
 * {@link #release}, as the kernel's {@code bpf_prog_inc} / {@code bpf_prog_put}.
 *
 * @since 2.5
 */
@ProviderType
public interface ProgRef {
    /** The program's id; 0 once it is freed. */
    int id();

    ProgType type();

    /** Takes one more reference; false when the program is already being freed. */
    boolean retain();

    /** Gives one reference back; the last frees the program. */
    void release();
}
