package org.bpfmaps.core.api;

import java.util.Locale;

/**
 * Program types with the Linux numbers of {@code enum bpf_prog_type} (include/uapi/linux/bpf.h)
 * and the names bpftool prints ({@code sk_skb}, {@code sk_msg}, {@code xdp}). All are named so
 * that numbers stay the kernel's; PROG_LOAD answers EINVAL for a type this project runs no Java
 * program of ({@link #javaFamily()}), as a kernel built without it.
 */
public enum ProgType {
    UNSPEC,
    SOCKET_FILTER,
    KPROBE,
    SCHED_CLS,
    SCHED_ACT,
    TRACEPOINT,
    XDP,
    PERF_EVENT,
    CGROUP_SKB,
    CGROUP_SOCK,
    LWT_IN,
    LWT_OUT,
    LWT_XMIT,
    SOCK_OPS,
    SK_SKB,
    CGROUP_DEVICE,
    SK_MSG,
    RAW_TRACEPOINT,
    CGROUP_SOCK_ADDR,
    LWT_SEG6LOCAL,
    LIRC_MODE2,
    SK_REUSEPORT,
    FLOW_DISSECTOR,
    CGROUP_SYSCTL,
    RAW_TRACEPOINT_WRITABLE,
    CGROUP_SOCKOPT,
    TRACING,
    STRUCT_OPS,
    EXT,
    LSM,
    SK_LOOKUP,
    SYSCALL,
    NETFILTER;

    private static final ProgType[] ALL = values();
    private final String bpftoolName = name().toLowerCase(Locale.ROOT);

    /** The Linux number of this type ({@code BPF_PROG_TYPE_*}). */
    public int number() {
        return ordinal();
    }

    /**
     * Whether this project loads Java programs of this type: SK_SKB, SK_MSG, XDP and SOCKET_FILTER
     * (each with its functional interface in {@code org.bpfmaps.core.prog}; socket filters load,
     * nothing runs them yet).
     */
    public boolean javaFamily() {
        return this == SK_SKB || this == SK_MSG || this == XDP || this == SOCKET_FILTER;
    }

    /** The name bpftool uses: lower case without the {@code BPF_PROG_TYPE_} prefix. */
    public String bpftoolName() {
        return bpftoolName;
    }

    /** The type with this Linux number, or null for a number Linux does not define. */
    public static ProgType of(int number) {
        return number >= 0 && number < ALL.length ? ALL[number] : null;
    }

    /** The type with this bpftool name or enum name (any case), or null. */
    public static ProgType byName(String name) {
        for (ProgType t : ALL) {
            if (t.bpftoolName.equalsIgnoreCase(name)) {
                return t;
            }
        }
        return null;
    }
}
