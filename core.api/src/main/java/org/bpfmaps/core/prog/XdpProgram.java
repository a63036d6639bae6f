package org.bpfmaps.core.prog;

import org.bpfmaps.core.api.ProgType;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An XDP program ({@link ProgType#XDP}): runs on every frame a device receives on an RX queue,
 * before anything else sees it, and returns an {@link XdpAction}.
 */
@ConsumerType
@FunctionalInterface
public interface XdpProgram extends ProgramCode {
    int run(XdpContext ctx);

    @Override
    default ProgType progType() {
        return ProgType.XDP;
    }
}
