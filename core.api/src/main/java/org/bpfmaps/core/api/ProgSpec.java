package org.bpfmaps.core.api;

import org.bpfmaps.core.prog.ProgramCode;

/**
 * A program's blueprint, as cilium/ebpf's {@code ProgramSpec}: what PROG_LOAD needs but the maps
 * (which belong to an instance: {@link BpfProgram#load(Bpf, ProgSpec, BpfMap...)} takes them).
 * Checked when loaded, by the rules of PROG_LOAD, which it becomes.
 *
 * @param code the code, or null to load the code a bundle contributes as {@code codeName}
 * @param license "GPL" unless said otherwise
 */
public record ProgSpec(ProgType type, ProgramCode code, String codeName, String name, int expectedAttachType,
        String license) {

    /** A program running this code, of the type the code says. */
    public static ProgSpec of(ProgramCode code) {
        return new ProgSpec(code.progType(), code, null, "", 0, "GPL");
    }

    /** A program running the code a bundle contributes under {@code codeName}. */
    public static ProgSpec named(ProgType type, String codeName) {
        return new ProgSpec(type, null, codeName, "", 0, "GPL");
    }

    public ProgSpec withName(String progName) {
        return new ProgSpec(type, code, codeName, progName, expectedAttachType, license);
    }

    public ProgSpec withExpectedAttachType(int attachType) {
        return new ProgSpec(type, code, codeName, name, attachType, license);
    }

    public ProgSpec withLicense(String lic) {
        return new ProgSpec(type, code, codeName, name, expectedAttachType, lic);
    }

    /** The PROG_LOAD attr this spec stands for, with these map fds. */
    public ProgLoadAttr toAttr(int... mapFds) {
        ProgLoadAttr a = new ProgLoadAttr();
        a.progType = type.number();
        a.code = code;
        a.codeName = codeName;
        a.progName = name;
        a.expectedAttachType = expectedAttachType;
        a.license = license;
        a.mapFds = mapFds;
        return a;
    }

    @Override
    public String toString() {
        return type.bpftoolName() + "(" + (code != null ? code.getClass().getName() : "named " + codeName)
                + (name == null || name.isEmpty() ? "" : ", name=" + name) + ")";
    }
}
