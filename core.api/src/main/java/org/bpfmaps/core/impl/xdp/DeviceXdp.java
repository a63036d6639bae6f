package org.bpfmaps.core.impl.xdp;

import java.util.concurrent.atomic.AtomicReferenceArray;
import org.bpfmaps.core.impl.ProgObject;

/**
 * The XDP program running on each device of an instance: what the control plane (link-less attach
 * and BPF links, {@code dev_xdp_attach}'s rules) sets and the RX path reads for every frame. The
 * kernel keeps it in {@code dev->xdp_state[mode]} and the driver reads {@code rx_ring->xdp_prog}; one
 * program runs at most per device, since generic and native mode exclude each other (EEXIST).
 *
 * <p>Reads are lock-free (a volatile array element), so an RX queue may look the program up per
 * frame and see a replacement at the next one, as the kernel's RCU-protected pointer.
 */
public final class DeviceXdp {
    /** ifindex → program; devices are few and numbered densely from 1, grown under this lock. */
    private volatile AtomicReferenceArray<ProgObject> byIfindex = new AtomicReferenceArray<>(16);

    /** The program that runs on frames received on {@code ifindex} now, or null. */
    public ProgObject program(int ifindex) {
        AtomicReferenceArray<ProgObject> a = byIfindex;
        return ifindex >= 0 && ifindex < a.length() ? a.get(ifindex) : null;
    }

    /**
     * Makes {@code prog} (null: none) the program of {@code ifindex}; the control plane holds the
     * program's reference and decides the rules, this only publishes.
     *
     * @return the program that ran before, or null
     */
    public synchronized ProgObject set(int ifindex, ProgObject prog) {
        if (ifindex < 0) {
            throw new IllegalArgumentException("ifindex " + ifindex);
        }
        AtomicReferenceArray<ProgObject> a = byIfindex;
        if (ifindex >= a.length()) {
            AtomicReferenceArray<ProgObject> b = new AtomicReferenceArray<>(Math.max(ifindex + 1, a.length() * 2));
            for (int i = 0; i < a.length(); i++) {
                b.set(i, a.get(i));
            }
            byIfindex = a = b;
        }
        return a.getAndSet(ifindex, prog);
    }
}
