package org.bpfmaps.conformance;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bpfmaps.core.api.Errno;

/**
 * What the dispatcher answered to one op, in the corpus's result shape so that it can be compared
 * field by field with the recorded one: the return value, and output fields as JSON-like values
 * (hex strings, numbers, lists, objects).
 */
final class Observed {
    /** What bpf() returned: an fd, 0, or a negated errno; 0 for walks, which end in end_errno. */
    final int ret;
    /** The attr's reason for the last failure, shown next to errno mismatches; null if none. */
    final String errorMessage;
    final Map<String, Object> fields = new LinkedHashMap<>();

    Observed(int ret, String errorMessage) {
        this.ret = ret;
        this.errorMessage = errorMessage;
    }

    Observed put(String field, Object value) {
        fields.put(field, value);
        return this;
    }

    /** The errno name of a failed call, or null after a success (as the corpus records it). */
    String errno() {
        return ret < 0 ? Errno.nameOf(ret) : null;
    }
}
