/**
 * AF_XDP sockets of the core's socket layer, the user-memory half of XDP: a {@link
 * org.bpfmaps.core.xdp.Umem} (one off-heap region cut into equal frames), the four
 * single-producer single-consumer {@link org.bpfmaps.core.xdp.XdpRing}s laid out and ordered as
 * the kernel's (FILL and COMPLETION carry frame addresses, RX and TX descriptors), the
 * {@link org.bpfmaps.core.xdp.XdpSocket} that binds them to a queue of one of the instance's
 * {@link org.bpfmaps.core.xdp.NetDevices}, and its {@link org.bpfmaps.core.xdp.XdpStatistics}.
 *
 * <p>The sockets are sockets of the core ({@link org.bpfmaps.core.sock.SocketKind#XDP},
 * registered through {@link org.bpfmaps.core.sock.Sockets}), so that they outlive an update of the
 * bundle whose XSKMAPs hold them and that socket maps tell them apart by kind. Setup and bind follow
 * net/xdp/xsk.c and net/xdp/xdp_umem.c of Linux 6.18, errno for errno, as recorded on this kernel.
 *
 * <p>1.0: {@link org.bpfmaps.core.xdp.XdpSocket}, {@link org.bpfmaps.core.xdp.XdpRing},
 * {@link org.bpfmaps.core.xdp.RingType}, {@link org.bpfmaps.core.xdp.Umem},
 * {@link org.bpfmaps.core.xdp.UmemConfig}, {@link org.bpfmaps.core.xdp.NetDevice},
 * {@link org.bpfmaps.core.xdp.NetDevices}, {@link org.bpfmaps.core.xdp.XdpStatistics}.
 *
 * <p>1.1: XDP programs on devices without a link: {@link org.bpfmaps.core.xdp.XdpAttach} (bpftool's
 * {@code net attach xdp} over netlink, with {@code dev_xdp_attach}'s rules) and
 * {@link org.bpfmaps.core.xdp.XdpAttachment}, what runs on a device ({@code net show}, {@code XdpAttach.list}).
 * The RX path: {@link org.bpfmaps.core.xdp.RxQueue} (frames through a device's XDP program,
 * zero copy into a bound socket's UMEM) and its {@link org.bpfmaps.core.xdp.RxQueueStatistics},
 * {@code NetDevices.rxQueue}, {@code receive}, {@code onPass} and {@code onTransmit} with their
 * {@link org.bpfmaps.core.xdp.FrameListener}, {@code XdpSocket.kick} (sendto: the TX ring out through
 * the device), {@code XdpSocket.pollRx} (poll for POLLIN), and {@link org.bpfmaps.core.xdp.XskMapLookup}, which an XSKMAP's ops implement.
 * NAPI polls: {@code RxQueue.receive(FrameSource, int)} with {@link org.bpfmaps.core.xdp.FrameSource},
 * {@code RxQueue.awaitFill}, the need_wakeup protocol's {@code XdpRing.Producer.needsWakeup} and
 * {@code XdpSocket.wakeupRx}.
 */
@Export
@Version("1.1.0")
package org.bpfmaps.core.xdp;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
