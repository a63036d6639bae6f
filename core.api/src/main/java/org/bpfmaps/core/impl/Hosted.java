package org.bpfmaps.core.impl;

import java.nio.ByteBuffer;
import java.util.Map;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.spi.HostedObject;

/**
 * A bundle's {@link HostedObject} in the object table: the core counts its references and keeps
 * its id; the bundle answers for info, fdinfo and what freeing it means. The bundle's code is
 * called guarded, as a provider's is: what it throws stays here.
 */
final class Hosted extends BpfObject {
    final HostedObject body;

    Hosted(HostedObject body) {
        super(java.util.Objects.requireNonNull(java.util.Objects.requireNonNull(body, "obj").kind(),
                "obj.kind()"));
        this.body = body;
    }

    @Override
    int info(InfoAttr a) {
        ByteBuffer struct;
        try {
            struct = body.info(id());
        } catch (RuntimeException | LinkageError e) {
            return a.fail(Errno.EFAULT, "the " + kind().name() + "'s info failed: " + Reasons.of(e));
        }
        if (struct == null) {
            return super.info(a);
        }
        return ObjCommands.copyInfo(struct.duplicate().position(0), a);
    }

    @Override
    Map<String, String> fdinfoLines() {
        try {
            Map<String, String> lines = body.fdinfo(id());
            return lines == null ? Map.of() : lines;
        } catch (RuntimeException | LinkageError e) {
            return Map.of();
        }
    }

    @Override
    protected void free() {
        try {
            body.release();
        } catch (RuntimeException | LinkageError e) {
            // the object is gone either way: its fds and pins are, and nothing can undo a close
        }
    }
}
