package org.bpfmaps.core.prog;

import org.bpfmaps.core.api.ProgType;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A socket filter ({@link ProgType#SOCKET_FILTER}): the kernel runs it on every packet a socket
 * it is attached to ({@code SO_ATTACH_BPF}) receives and keeps as many of the packet's first bytes
 * as it returns (0 drops the packet, as {@code sk_filter_trim_cap} in net/core/filter.c).
 *
 * <p>Nothing runs socket filters here yet (no socket takes one): the family exists so that such
 * programs load, are listed, pinned and refused where the kernel refuses them (a socket map's
 * PROG_ATTACH answers EINVAL for a program of this type), with the same checks as the kernel.
 */
@ConsumerType
@FunctionalInterface
public interface SocketFilterProgram extends ProgramCode {
    /**
     * @param packetLength the length of the packet received
     * @return how many of its first bytes to keep: 0 drops it, {@code packetLength} or more keeps it whole
     */
    int run(int packetLength);

    @Override
    default ProgType progType() {
        return ProgType.SOCKET_FILTER;
    }
}
