/**
 * Real packet sources and sinks for the emulated devices of {@link org.bpfmaps.core.xdp}: frames
 * with real Ethernet II / IPv4 or IPv6 / UDP headers and checksums ({@link
 * org.bpfmaps.core.net.EthernetFrames}, parsed back by {@link org.bpfmaps.core.net.UdpFrame}),
 * the RSS {@link org.bpfmaps.core.net.Toeplitz} hash that picks a frame's RX queue, a loopback
 * {@link org.bpfmaps.core.net.UdpSource} whose datagrams become frames handed to a {@link
 * org.bpfmaps.core.net.FrameSink}, a {@link org.bpfmaps.core.net.UdpSink} that sends frames back
 * out as datagrams, and the classic libpcap file format ({@link org.bpfmaps.core.net.PcapReader},
 * {@link org.bpfmaps.core.net.PcapWriter}).
 *
 * <p>Everything here is plain code with no dependency on the device RX path: the path, the shell
 * and tests plug these ends onto devices. Network ends bind and send on loopback only.
 *
 * <p>1.0: {@link org.bpfmaps.core.net.EthernetFrames}, {@link org.bpfmaps.core.net.UdpFrame},
 * {@link org.bpfmaps.core.net.Toeplitz}, {@link org.bpfmaps.core.net.FrameSink}, {@link
 * org.bpfmaps.core.net.UdpSource}, {@link org.bpfmaps.core.net.UdpSink}, {@link
 * org.bpfmaps.core.net.Pcap}, {@link org.bpfmaps.core.net.PcapReader}, {@link
 * org.bpfmaps.core.net.PcapWriter}, {@link org.bpfmaps.core.net.PcapFormatException}, {@link
 * org.bpfmaps.core.net.PcapReplay}.
 */
@Export
@Version("1.0.0")
package org.bpfmaps.core.net;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
