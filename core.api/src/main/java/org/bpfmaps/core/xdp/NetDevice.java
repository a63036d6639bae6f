package org.bpfmaps.core.xdp;

/**
 * A network device of an instance: no BPF object (no fd, no id), a name and {@code queues} RX/TX
 * queue pairs (the kernel's {@code real_num_rx_queues} and {@code real_num_tx_queues}, equal here).
 *
 * @param ifindex the device's index, from 1 ({@code lo})
 * @param name its name, at most 15 bytes (IFNAMSIZ - 1)
 * @param queues its queue pairs, ids 0 to queues - 1
 */
public record NetDevice(int ifindex, String name, int queues) {
}
