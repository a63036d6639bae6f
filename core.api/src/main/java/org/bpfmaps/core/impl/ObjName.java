package org.bpfmaps.core.impl;

import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;

/** The names of maps and programs, as {@code bpf_obj_name_cpy} in kernel/bpf/syscall.c copies them. */
final class ObjName {
    private ObjName() {
    }

    /** The name up to its NUL, as the kernel copies it; "" for none. */
    static String of(String n) {
        if (n == null) {
            return "";
        }
        int nul = n.indexOf('\0');
        return nul >= 0 ? n.substring(0, nul) : n;
    }

    /** {@code bpf_obj_name_cpy}: up to 15 of [A-Za-z0-9_.] and a NUL within 16 bytes, else EINVAL. */
    static int check(String n, String field, ErrorSink a) {
        if (n == null) {
            return 0;
        }
        int len = n.indexOf('\0') >= 0 ? n.indexOf('\0') : n.length();
        if (len >= BpfFlags.OBJ_NAME_LEN) {
            return a.fail(Errno.EINVAL, field + " has %d characters; at most %d fit with the NUL", len,
                    BpfFlags.OBJ_NAME_LEN - 1);
        }
        for (int i = 0; i < len; i++) {
            char c = n.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    || c == '.';
            if (!ok) {
                return a.fail(Errno.EINVAL, field + " character %d (code %d) is not one of [A-Za-z0-9_.]", i, c);
            }
        }
        return 0;
    }
}
