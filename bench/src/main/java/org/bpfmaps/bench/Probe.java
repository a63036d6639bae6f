package org.bpfmaps.bench;

/** Prints whether bpf(2) may be called here, so that the bench script can leave KernelBench out. */
public final class Probe {
    private Probe() {
    }

    public static void main(String[] args) {
        System.out.println(KernelSyscall.allowed() ? "bpf-allowed" : "bpf-not-allowed");
    }
}
