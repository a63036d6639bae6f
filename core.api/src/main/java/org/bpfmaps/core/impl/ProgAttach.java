package org.bpfmaps.core.impl;

import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ProgAttachAttr;
import org.bpfmaps.core.api.ProgQueryAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.api.BpfAttr;

/**
 * PROG_ATTACH, PROG_DETACH and PROG_QUERY to a map ({@code bpf_prog_attach}, {@code bpf_prog_detach},
 * {@code bpf_prog_query} in kernel/bpf/syscall.c, then {@code sock_map_get_from_fd},
 * {@code sock_map_prog_detach}, {@code sock_map_bpf_prog_query} in net/core/sock_map.c), with the
 * checks in the order 6.18 makes them (corpus/prog-sockmap-6.18.json):
 * <ul>
 * <li>attach: bytes past the struct; the attach type; the program fd (EBADF, not a program or not
 * the attach type's program type: EINVAL); attach_flags, replace_bpf_fd, relative_fd,
 * expected_revision (EINVAL); the target fd (EBADF, not a map: EINVAL); a map that takes no
 * programs (EOPNOTSUPP); the slot (EBUSY).
 * <li>detach: the same up to the attach type, then the fields, the target, the program (fd 0 is
 * no program: 6.18 requires one), its type, the map, the slot (ENOENT when not the attached one).
 * </ul>
 */
final class ProgAttach {
    private ProgAttach() {
    }

    /** {@code attach_type_to_prog_type} for the attach types a map takes; null for the others. */
    static ProgType progTypeOf(int attachType) {
        switch (attachType) {
            case ProgAttachAttr.SK_SKB_STREAM_PARSER:
            case ProgAttachAttr.SK_SKB_STREAM_VERDICT:
            case ProgAttachAttr.SK_SKB_VERDICT:
                return ProgType.SK_SKB;
            case ProgAttachAttr.SK_MSG_VERDICT:
                return ProgType.SK_MSG;
            default:
                return null;
        }
    }

    static int attach(Instance in, ProgAttachAttr a) {
        ProgType want = common(a);
        if (want == null) {
            return -a.errno().code();
        }
        ProgObject p = prog(in, a.attachBpfFd, want, a);
        if (p == null) {
            return -a.errno().code();
        }
        int err = fields(a);
        if (err != 0) {
            return err;
        }
        MapProgSlots slots = slots(in, a.targetFd, a);
        if (slots == null) {
            return -a.errno().code();
        }
        return slots.update(a.attachType, p, null, a);
    }

    static int detach(Instance in, ProgAttachAttr a) {
        ProgType want = common(a);
        if (want == null) {
            return -a.errno().code();
        }
        int err = fields(a);
        if (err != 0) {
            return err;
        }
        MapObject m = map(in, a.targetFd, a);
        if (m == null) {
            return -a.errno().code();
        }
        ProgObject p = prog(in, a.attachBpfFd, want, a);
        if (p == null) {
            return -a.errno().code();
        }
        MapProgSlots slots = slots(m, a);
        return slots == null ? -a.errno().code() : slots.update(a.attachType, null, p, a);
    }

    static int query(Instance in, ProgQueryAttr a) {
        if (a.tail != 0) {
            return a.fail(Errno.EINVAL, "the attr has non-zero bytes past PROG_QUERY's last field (offset 64)");
        }
        if (a.queryFlags != 0) {
            return a.fail(Errno.EINVAL, "query_flags 0x%x: a socket map takes none", a.queryFlags);
        }
        if (progTypeOf(a.attachType) == null) {
            return a.fail(Errno.EINVAL, "attach_type %d: only SK_SKB_STREAM_PARSER (4), SK_SKB_STREAM_VERDICT (5), "
                    + "SK_MSG_VERDICT (7) and SK_SKB_VERDICT (38) are queried here", Integer.toUnsignedLong(a.attachType));
        }
        MapObject m = map(in, a.targetFd, a);
        MapProgSlots slots = m == null ? null : slots(m, a);
        if (slots == null) {
            return -a.errno().code();
        }
        int err = slots.check(a.attachType, a);
        if (err != 0) {
            return err;
        }
        ProgObject p = (ProgObject) slots.program(a.attachType);
        int id = p == null ? 0 : p.id();
        int room = a.progCnt;
        a.attachFlags = 0;
        a.progCnt = id == 0 ? 0 : 1;
        if (room != 0 && a.progIds != null && id != 0) {
            if (a.progIds.length < 1) {
                return a.fail(Errno.EFAULT, "prog_ids has room for no id (prog_cnt %d)", room);
            }
            a.progIds[0] = id;
        }
        return 0;
    }

    /** CHECK_ATTR and the attach type, common to attach and detach; null after a failure. */
    private static ProgType common(ProgAttachAttr a) {
        if (a.tail != 0) {
            a.fail(Errno.EINVAL, "the attr has non-zero bytes past PROG_ATTACH's last field (offset 32)");
            return null;
        }
        ProgType t = progTypeOf(a.attachType);
        if (t == null) {
            a.fail(Errno.EINVAL, "attach_type %d: only SK_SKB_STREAM_PARSER (4), SK_SKB_STREAM_VERDICT (5), "
                    + "SK_MSG_VERDICT (7) and SK_SKB_VERDICT (38) attach here", Integer.toUnsignedLong(a.attachType));
        }
        return t;
    }

    /** The fields a socket map takes none of. */
    private static int fields(ProgAttachAttr a) {
        if (a.attachFlags != 0) {
            return a.fail(Errno.EINVAL, "attach_flags 0x%x: a socket map takes none", Integer.toUnsignedLong(a.attachFlags));
        }
        if (a.replaceBpfFd != 0 || a.relativeFd != 0 || a.expectedRevision != 0) {
            return a.fail(Errno.EINVAL, "replace_bpf_fd %d, relative_fd %d, expected_revision: a socket map "
                    + "takes none (all must be 0)", a.replaceBpfFd, a.relativeFd);
        }
        return 0;
    }

    /** {@code bpf_prog_get_type}: the program of an fd, of the attach type's program type. */
    private static ProgObject prog(Instance in, int fd, ProgType want, BpfAttr a) {
        BpfObject o = in.table.get(fd);
        if (o == null && fd >= 0 && fd < ObjectTable.FIRST_FD) {
            // the table hands out fds from 3, as a process whose 0, 1, 2 are stdio: open files that
            // are no bpf object (a detach with attach_bpf_fd 0, the old API's "no program": 6.18 EINVAL)
            a.fail(Errno.EINVAL, "attach_bpf_fd %d is a standard stream, not a program", fd);
            return null;
        }
        if (o == null) {
            a.fail(Errno.EBADF, "attach_bpf_fd %d is not an open fd", fd);
            return null;
        }
        if (!(o instanceof ProgObject p)) {
            a.fail(Errno.EINVAL, "attach_bpf_fd %d is a " + o.kind().name() + ", not a program", fd);
            return null;
        }
        if (p.type() != want) {
            a.fail(Errno.EINVAL, "attach_bpf_fd %d is a " + p.type().bpftoolName() + " program; the attach type "
                    + "takes " + want.bpftoolName() + " programs", fd);
            return null;
        }
        return p;
    }

    private static MapObject map(Instance in, int fd, BpfAttr a) {
        BpfObject o = in.table.get(fd);
        if (o == null) {
            a.fail(Errno.EBADF, "target_fd %d is not an open fd", fd);
            return null;
        }
        if (!(o instanceof MapObject m)) {
            a.fail(Errno.EINVAL, "target_fd %d is a " + o.kind().name() + ", not a map", fd);
            return null;
        }
        return m;
    }

    private static MapProgSlots slots(Instance in, int fd, BpfAttr a) {
        MapObject m = map(in, fd, a);
        return m == null ? null : slots(m, a);
    }

    /** {@code sock_map_progs}: only a map that takes programs has slots (EOPNOTSUPP). */
    private static MapProgSlots slots(MapObject m, BpfAttr a) {
        if (m.progs == null) {
            a.fail(Errno.EOPNOTSUPP, "a " + m.def.type().name() + " map takes no programs (only SOCKMAP and "
                    + "SOCKHASH do)");
        }
        return m.progs;
    }
}
