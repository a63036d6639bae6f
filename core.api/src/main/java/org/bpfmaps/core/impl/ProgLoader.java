package org.bpfmaps.core.impl;

import java.util.Set;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.prog.ProgramCode;
import org.bpfmaps.core.xdp.NetDevices;

/**
 * PROG_LOAD of Java code ({@code bpf_prog_load} in kernel/bpf/syscall.c), with the kernel's
 * checks in its order, as measured on 6.18: prog_flags; no instructions (E2BIG); the BTF and
 * device attach fields socket programs do not take; the license (a NULL one is EFAULT, before
 * the type); the type ({@code find_prog_type}: EINVAL); the name ({@code bpf_obj_name_cpy});
 * then what the verifier would refuse: log_level, code of another type, maps that are no maps.
 */
final class ProgLoader {
    private ProgLoader() {
    }

    /**
     * The prog_flags an SK_SKB or SK_MSG program loads with on 6.18: STRICT_ALIGNMENT,
     * ANY_ALIGNMENT, TEST_RND_HI32, TEST_STATE_FREQ, XDP_HAS_FRAGS, XDP_DEV_BOUND_ONLY,
     * TEST_REG_INVARIANTS. SLEEPABLE (0x10) is EINVAL for them, and so is TOKEN_FD without a token.
     */
    static final int PROG_FLAGS = 0xef;
    /** {@code BPF_F_XDP_HAS_FRAGS}: the program takes multi-buffer frames; accepted, nothing changes here. */
    static final int XDP_HAS_FRAGS = 1 << 5;
    /** {@code BPF_F_XDP_DEV_BOUND_ONLY}: with prog_ifindex, the program attaches to that device only. */
    static final int DEV_BOUND_ONLY = 1 << 6;
    /** {@code BPF_LOG_LEVEL1 | BPF_LOG_LEVEL2 | BPF_LOG_STATS | BPF_LOG_FIXED}. */
    private static final int LOG_LEVELS = 0xf;
    /** {@code license_is_gpl_compatible} in include/linux/license.h. */
    private static final Set<String> GPL = Set.of("GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
            "Dual MIT/GPL", "Dual MPL/GPL");

    static int load(Instance in, ProgLoadAttr a) {
        if ((a.progFlags & ~PROG_FLAGS) != 0) {
            return a.fail(Errno.EINVAL, "prog_flags 0x%x: a program here takes only 0x%x (no SLEEPABLE, no "
                    + "TOKEN_FD)", a.progFlags, PROG_FLAGS);
        }
        if (a.code == null && a.codeName == null) {
            return a.fail(Errno.E2BIG, "the program has no code (neither code nor codeName): insn_cnt 0");
        }
        boolean devBound = a.progIfindex != 0 && a.progType == ProgType.XDP.number()
                && (a.progFlags & DEV_BOUND_ONLY) != 0;
        if (a.progIfindex != 0 && !devBound) {
            // offload (prog_ifindex without BPF_F_XDP_DEV_BOUND_ONLY) needs a NIC's offload driver, and only
            // XDP and SCHED_CLS programs bind to a device (bpf_prog_dev_bound_init)
            return a.fail(Errno.EINVAL, "prog_ifindex %d: device offload is not supported (an XDP program binds to "
                    + "a device with BPF_F_XDP_DEV_BOUND_ONLY)", a.progIfindex);
        }
        if (a.attachBtfId != 0 || a.attachProgFd != 0) {
            return a.fail(Errno.EINVAL, "attach_btf_id %d / attach_prog_fd %d: a socket program attaches to "
                    + "no BTF target", Integer.toUnsignedLong(a.attachBtfId), a.attachProgFd);
        }
        if (a.license == null) {
            return a.fail(Errno.EFAULT, "license is NULL");
        }
        ProgType type = ProgType.of(a.progType);
        if (type == null) {
            return a.fail(Errno.EINVAL, "prog_type %d is not a BPF program type", Integer.toUnsignedLong(a.progType));
        }
        if (!type.javaFamily()) {
            return a.fail(Errno.EINVAL, "prog_type %d (" + type.bpftoolName() + "): no Java program of this type "
                    + "loads here (sk_skb, sk_msg, xdp and socket_filter do)", a.progType);
        }
        int err = ObjName.check(a.progName, "prog_name", a);
        if (err != 0) {
            return err;
        }
        if (devBound && (a.progFlags & ~(DEV_BOUND_ONLY | XDP_HAS_FRAGS)) != 0) {
            return a.fail(Errno.EINVAL, "prog_flags 0x%x: a program bound to a device takes only "
                    + "BPF_F_XDP_DEV_BOUND_ONLY and BPF_F_XDP_HAS_FRAGS", a.progFlags);
        }
        if (devBound && NetDevices.of(in).byIndex(a.progIfindex) == null) {
            return a.fail(Errno.EINVAL, "prog_ifindex %d: no such device", Integer.toUnsignedLong(a.progIfindex));
        }
        if ((a.logLevel & ~LOG_LEVELS) != 0) {
            return a.fail(Errno.EINVAL, "log_level 0x%x: only 0x%x", a.logLevel, LOG_LEVELS);
        }
        ProgramCode code = a.code;
        ProgramRegistry.Entry source = null;
        if (code == null) {
            source = in.programRegistry().find(a.codeName);
            if (source == null) {
                return a.fail(Errno.ENOENT, "no bundle contributes a program named '" + a.codeName + "'");
            }
            code = source.code();
        }
        MapObject[] maps = new MapObject[a.mapFds == null ? 0 : a.mapFds.length];
        for (int i = 0; i < maps.length; i++) {
            BpfObject o = in.table.get(a.mapFds[i]);
            err = o == null ? a.fail(Errno.EBADF, "mapFds[%d] = %d is not an open fd", i, a.mapFds[i])
                    : !(o instanceof MapObject) ? a.fail(Errno.EINVAL, "mapFds[%d] = %d is a " + o.kind().name()
                            + ", not a map", i, a.mapFds[i])
                    : !o.retain() ? a.fail(Errno.EBADF, "mapFds[%d] = %d was closed", i, a.mapFds[i]) : 0;
            if (err != 0) {
                for (int j = 0; j < i; j++) {
                    maps[j].release();
                }
                return err;
            }
            maps[i] = (MapObject) o;
        }
        String license = a.license.indexOf('\0') >= 0 ? a.license.substring(0, a.license.indexOf('\0')) : a.license;
        ProgObject p = new ProgObject(in, type, ObjName.of(a.progName), a.expectedAttachType,
                a.code == null ? a.codeName : null, code, source, GPL.contains(license), maps);
        if (!p.fits(code)) {
            p.release();
            return a.fail(Errno.EINVAL, "the code is a " + describe(code) + ", not a " + type.bpftoolName()
                    + " program");
        }
        p.boundIfindex = devBound ? a.progIfindex : 0;
        int id = in.table.publish(p);
        if (id < 0) {
            p.release();
            return a.fail(Errno.ENOSPC, "no program id is free");
        }
        in.track(p);
        if (source != null && !in.programRegistry().contains(source)) {
            // the code left while the program was made, unseen by the instance's listener
            p.withdraw(source, in.programRegistry().find(source.name()));
        }
        return ObjCommands.install(in, p, 0, a);
    }

    private static String describe(ProgramCode code) {
        try {
            ProgType t = code.progType();
            return (t == null ? "program of no type" : t.bpftoolName() + " program") + " ("
                    + code.getClass().getName() + ")";
        } catch (RuntimeException | LinkageError e) {
            return "program whose progType() fails (" + code.getClass().getName() + ")";
        }
    }
}
