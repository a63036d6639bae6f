package org.bpfmaps.core.net;

import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;

/** An ErrorSink that keeps every errno and formatted reason, for assertions. */
final class Errors implements ErrorSink {
    final List<Errno> errnos = new ArrayList<>();
    final List<String> reasons = new ArrayList<>();

    @Override
    public int fail(Errno errno, String why, long a, long b) {
        errnos.add(errno);
        reasons.add(String.format(why, a, b));
        return errno.ret();
    }

    Errno last() {
        return errnos.isEmpty() ? null : errnos.get(errnos.size() - 1);
    }

    String lastReason() {
        return reasons.isEmpty() ? null : reasons.get(reasons.size() - 1);
    }
}
