package org.bpfmaps.core.prog;

import org.bpfmaps.core.api.ProgType;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An SK_SKB program ({@link ProgType#SK_SKB}): a stream parser returns the length of the next
 * message, a verdict program returns an {@link SkAction}.
 */
@ConsumerType
@FunctionalInterface
public interface SkSkbProgram extends ProgramCode {
    int run(SkSkbContext ctx);

    @Override
    default ProgType progType() {
        return ProgType.SK_SKB;
    }
}
