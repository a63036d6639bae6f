package org.bpfmaps.core.prog;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Program code a bundle contributes under a name, registered as an OSGi service (or listed in
 * {@code META-INF/services/org.bpfmaps.core.prog.ProgramProvider} on a plain class path). PROG_LOAD
 * with {@code codeName} loads it.
 *
 * <p>A loaded program outlives the service: when it goes (the bundle stops or is updated), the
 * program keeps its fd, id, pins and attachments and runs as no program ({@code SK_PASS}: traffic
 * passes); when code of the same name and type is registered again, the program runs it. When
 * several services have the same name, the one registered first wins.
 */
@ConsumerType
public interface ProgramProvider {
    /** The name PROG_LOAD asks for; the same every time. */
    String name();

    /** The code; called when a program is loaded or bound again, never per run. */
    ProgramCode code();
}
