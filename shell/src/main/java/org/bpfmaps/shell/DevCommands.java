package org.bpfmaps.shell;

import java.util.List;
import java.util.Map;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.bpfmaps.core.api.Bpf;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The Gogo command {@code bpf:dev} ({@link DevCommand}), documented for {@code help} by its
 * {@code bpf.command.*} properties ({@link DocumentedCommand}); Tab completes device names
 * ({@link Completion}). Stateless: the devices are the instance's.
 */
@Component(service = DevCommands.class, immediate = true, property = {
    "osgi.command.scope=bpf",
    "osgi.command.function=dev",
    "bpf.command.summary=" + DevCommands.SUMMARY,
    "bpf.command.description=The network devices of the default instance, which XSK sockets bind to (xsk bind) "
            + "and XDP programs run on (net attach). A device is no BPF object (no fd, no id): a name, an ifindex and "
            + "N RX/TX queue pairs. A fresh instance has lo (ifindex 1, one queue pair); dev add makes more, with the "
            + "next ifindex. Real packets feed a device: the datagrams of a UDP port on loopback (udp ADDR:PORT), "
            + "each received on the queue the RSS hash of its addresses and ports picks, or a pcap file (pcap FILE, "
            + "replayed by dev replay). "
            + "The frames the XDP program passes (pass OUT) and those the device sends (tx OUT: XDP_TX and the XSK "
            + "sockets' TX rings) go to a pcap file or as UDP datagrams to a loopback address. show lists each "
            + "device's XDP program, its feed and outputs with their counts, and each queue with XSK sockets bound or "
            + "frames received, with the sockets' fds and the queue's counters. A failure prints an Error line with "
            + "the errno, then why, and exits with 255; a failed add or set changes nothing.",
    "bpf.command.syntax=dev [OPTIONS] { show | list } [NAME]",
    "bpf.command.syntax=dev [OPTIONS] add NAME [queues N] [udp ADDR:PORT] [pcap FILE] [pass OUT] [tx OUT]",
    "bpf.command.syntax=dev [OPTIONS] set NAME [udp { ADDR:PORT | off }] [pcap { FILE | off }] [pass { OUT | off }] "
            + "[tx { OUT | off }]",
    "bpf.command.syntax=dev [OPTIONS] replay NAME [pcap FILE]",
    "bpf.command.syntax=dev help",
    "bpf.command.arguments=show: The instance's devices, or the one named: ifindex, name, queues, the XDP program, "
            + "feed and outputs, and per queue the XSK sockets bound and the counters: packets, bytes, then exactly "
            + "one of pass, drop, tx, redirect, aborted (the program returned it, threw or returned no verdict), "
            + "redirect_errors (no socket took the frame: none chosen, bound elsewhere, RX ring full), no_buffer "
            + "(an XSK socket is bound and its FILL ring was empty), oversize per frame.",
    "bpf.command.arguments=list: The same as show.",
    "bpf.command.arguments=add: A device NAME with N queue pairs (default 1) and the ends given: EEXIST for a name "
            + "taken, EINVAL for a bad name or a count out of 1..4096, an Error line for a port taken or a file that "
            + "cannot be written.",
    "bpf.command.arguments=set: Replaces the feed, the capture or an output of device NAME, or switches it off.",
    "bpf.command.arguments=replay: Every frame of the pcap FILE (default: the device's own, pcap FILE of add or set) (classic libpcap, microsecond or nanosecond, either "
            + "byte order) received by device NAME on the queue RSS picks, in file order, before the command returns; "
            + "a malformed record stops it with an Error line naming its byte offset, the frames before received.",
    "bpf.command.arguments=help: The usage, on standard error.",
    "bpf.command.arguments=NAME: 1 to 15 bytes, not . or .., no '/', ':' or white space (the kernel's dev_valid_name).",
    "bpf.command.arguments=N: 1..4096.",
    "bpf.command.arguments=ADDR:PORT: A loopback address and port: 127.0.0.1:9000 or [::1]:9000 (a feed on port 0 "
            + "takes any free one; show says which).",
    "bpf.command.arguments=OUT: pcap FILE (a nanosecond capture, written as frames leave) | udp ADDR:PORT (each "
            + "frame's UDP payload as a datagram to that address; other frames count as errors).",
    "bpf.command.options=-j, --json: Print JSON: each device an object (ifindex, name, queues, bound: "
            + "[{queue, xsk: [FD...]}], xdp, udp, pcap, pass, tx, rx: [{queue, packets, bytes, pass, ...}]); show, add "
            + "and set print an array, show NAME the object, replay {dev, frames}, a failure {\"error\":...}.",
    "bpf.command.options=-p, --pretty: Print JSON, indented (implies --json).",
    "bpf.command.options=--help: Display this help message.",
    "bpf.command.examples=dev add eth0 queues 4",
    "bpf.command.examples=dev add eth1 udp 127.0.0.1:24021 pass pcap /tmp/passed.pcap",
    "bpf.command.examples=dev replay eth0 pcap /tmp/capture.pcap",
    "bpf.command.examples=dev list",
    "bpf.command.examples=dev -j show lo"})
public final class DevCommands {
    static final String SUMMARY = "Network devices of the instance: list with counters, add fed by UDP, replay pcap";

    private final Bpf bpf;
    private final DocumentedCommand doc;

    @Activate
    public DevCommands(@Reference(name = "bpf") Bpf bpf, Map<String, Object> properties) {
        this.bpf = bpf;
        this.doc = DocumentedCommand.of(properties::get);
    }

    /** {@code dev ...}: the instance's network devices. */
    /** The feeds and outputs the commands opened on this instance's devices go with the command. */
    @Deactivate
    void deactivate() {
        DeviceEnds.closeAll(bpf);
    }

    @Descriptor("Network devices of the instance: dev { show | list } [NAME], add, set, replay")
    public void dev(CommandSession session, String... args) {
        BpfCommands.run(session, args, () -> doc.doc(List.of()),
                (out, err) -> new DevCommand(bpf).run(BpfCommands.words(args), out, err));
    }
}
