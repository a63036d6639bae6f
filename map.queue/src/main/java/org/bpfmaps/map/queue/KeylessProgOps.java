package org.bpfmaps.map.queue;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.spi.ProgMapOps;

/**
 * The program helpers of the maps without keys (QUEUE, STACK, BLOOM_FILTER). The verifier lets a
 * program call only push, pop and peek on them ({@code check_map_func_compatibility}), so the
 * keyed helpers answer EINVAL, as loading such a program would fail.
 */
interface KeylessProgOps extends ProgMapOps {
    @Override
    default int progLookupElem(ByteBuffer key, ByteBuffer value) {
        return Errno.EINVAL.ret();
    }

    @Override
    default int progUpdateElem(ByteBuffer key, ByteBuffer value, long flags) {
        return Errno.EINVAL.ret();
    }

    @Override
    default int progDeleteElem(ByteBuffer key) {
        return Errno.EINVAL.ret();
    }
}
