package org.bpfmaps.core.api;

import org.bpfmaps.core.prog.ProgramCode;

/**
 * The attr of {@link BpfCmd#PROG_LOAD}: the fields of the kernel's PROG_LOAD attr that apply to a
 * Java program. The instructions ({@code insns}, {@code insn_cnt}) are the Java code: either
 * {@link #code} itself or {@link #codeName}, the name under which a bundle contributes the code
 * (a {@link org.bpfmaps.core.prog.ProgramProvider} service). The maps the program uses (the maps
 * its instructions name, or the kernel's {@code fd_array}) are {@link #mapFds}, in the order in
 * which the program's context reaches them.
 *
 * <p>On success the command returns the program's fd.
 */
public final class ProgLoadAttr extends BpfAttr {
    /** {@code enum bpf_prog_type}: {@link ProgType#number()}. */
    public int progType;
    /** The code, or null to load by {@link #codeName}. */
    public ProgramCode code;
    /** The name a bundle contributes the code under, when {@link #code} is null. */
    public String codeName;
    /** The program's license; null is EFAULT (a NULL pointer), as in the kernel. */
    public String license = "GPL";
    /** {@code prog_flags}: alignment and test flags are accepted and change nothing here. */
    public int progFlags;
    /** At most 15 characters of {@code [A-Za-z0-9_.]}; null or empty for none. */
    public String progName;
    /** {@code enum bpf_attach_type}: stored and shown; SK_SKB and SK_MSG take any value at load. */
    public int expectedAttachType;
    /** Verifier log level: 0 to 15 (BPF_LOG_LEVEL1, LEVEL2, STATS, FIXED); there is no log here. */
    public int logLevel;
    /** Ignored, as by the kernel for these types. */
    public int kernVersion;
    /**
     * An XDP program with {@code BPF_F_XDP_DEV_BOUND_ONLY} (0x40) in {@link #progFlags} is bound to
     * this device: it attaches there only, in native mode. Device offload (without that flag) is
     * not supported (EINVAL), as the kernel answers for a device without an offload driver, and
     * other types take no device (EINVAL).
     */
    public int progIfindex;
    /** BTF attach targets: not supported (EINVAL), as the kernel answers for socket programs. */
    public int attachBtfId;
    public int attachProgFd;
    /** The maps the program uses, as fds of the instance; null or empty for none. */
    public int[] mapFds;

    public ProgLoadAttr() {
    }

    /** A program of this type running this code. */
    public ProgLoadAttr(ProgType type, ProgramCode code) {
        this.progType = type.number();
        this.code = code;
    }

    /** A program of this type running the code a bundle contributes under this name. */
    public ProgLoadAttr(ProgType type, String codeName) {
        this.progType = type.number();
        this.codeName = codeName;
    }

    public ProgLoadAttr name(String progName) {
        this.progName = progName;
        return this;
    }

    public ProgLoadAttr expectedAttachType(int attachType) {
        this.expectedAttachType = attachType;
        return this;
    }

    public ProgLoadAttr maps(int... fds) {
        this.mapFds = fds;
        return this;
    }
}
