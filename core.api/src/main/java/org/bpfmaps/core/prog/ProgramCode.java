package org.bpfmaps.core.prog;

import org.bpfmaps.core.api.ProgType;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The code of a program: what PROG_LOAD takes in place of instructions. Implement the family's
 * functional interface ({@link SkSkbProgram}, {@link SkMsgProgram}), which says the type.
 */
@ConsumerType
public interface ProgramCode {
    /** The program type this code runs as; PROG_LOAD of another type is EINVAL. */
    ProgType progType();
}
