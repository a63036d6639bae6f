package org.bpfmaps.core.prog;

import org.bpfmaps.core.api.ProgType;
import org.osgi.annotation.versioning.ConsumerType;

/** An SK_MSG program ({@link ProgType#SK_MSG}): returns an {@link SkAction} for a sent message. */
@ConsumerType
@FunctionalInterface
public interface SkMsgProgram extends ProgramCode {
    int run(SkMsgContext ctx);

    @Override
    default ProgType progType() {
        return ProgType.SK_MSG;
    }
}
