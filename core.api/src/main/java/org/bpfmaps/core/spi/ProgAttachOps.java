package org.bpfmaps.core.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Implemented by the {@link MapOps} of a map that programs attach to (SOCKMAP, SOCKHASH: the
 * kernel's {@code sock_map_progs} answers only for them). PROG_ATTACH / PROG_DETACH / PROG_QUERY
 * on a map whose ops do not implement it answer EOPNOTSUPP, as {@code sock_map_prog_lookup}.
 *
 * <p>The core keeps the attachments ({@link MapPrograms}) and gives them to the ops once, right
 * after {@link MapProvider#alloc} or {@link MapProvider#restore} and before any element command.
 *
 * @since 2.5
 */
@ConsumerType
public interface ProgAttachOps {
    void bindPrograms(MapPrograms programs);
}
