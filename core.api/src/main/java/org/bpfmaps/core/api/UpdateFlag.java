package org.bpfmaps.core.api;

/** The element flags of an update: BPF_ANY, BPF_NOEXIST, BPF_EXIST. */
public enum UpdateFlag {
    /** Create the element or replace it. */
    ANY(BpfFlags.ANY),
    /** Create the element only if it does not exist (EEXIST otherwise). */
    NOEXIST(BpfFlags.NOEXIST),
    /** Replace the element only if it exists (ENOENT otherwise). */
    EXIST(BpfFlags.EXIST);

    private final long bits;

    UpdateFlag(long bits) {
        this.bits = bits;
    }

    public long bits() {
        return bits;
    }
}
