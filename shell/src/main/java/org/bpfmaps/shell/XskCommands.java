package org.bpfmaps.shell;

import java.util.List;
import java.util.Map;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.bpfmaps.core.api.Bpf;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Gogo command {@code bpf:xsk} ({@link XskCommand}), documented for {@code help} by its
 * {@code bpf.command.*} properties ({@link DocumentedCommand}); Tab completes XSK socket fds and
 * device names ({@link Completion}). Stateless: the sockets are the instance's.
 */
@Component(service = XskCommands.class, immediate = true, property = {
    "osgi.command.scope=bpf",
    "osgi.command.function=xsk",
    "bpf.command.summary=" + XskCommands.SUMMARY,
    "bpf.command.description=AF_XDP (XSK) sockets of the default instance, sockets of the core as sock's are: "
            + "create makes one with its UMEM (frames of frame-size bytes, headroom) and its FILL, COMPLETION, RX "
            + "and TX rings, as socket(AF_XDP), XDP_UMEM_REG and the ring setsockopts; bind binds it to a device's "
            + "queue (dev list shows them) with the kernel's errnos (a queue past the device's: EINVAL, a socket or "
            + "queue taken: EBUSY, zerocopy: EOPNOTSUPP); show prints its rings (size, producer and consumer "
            + "indices, filled and free) and its XDP_STATISTICS. map update MAP key K value FD 0 0 0 puts it in an "
            + "XSKMAP. Sizes are checked as the kernel does: a ring size that is no power of two, a frame size "
            + "outside 2048..4096 or no power of two, a headroom over frame-size - 704: EINVAL. A failure prints "
            + "an Error line naming the field and the errno, then the limit, and exits with 255; it leaves no "
            + "socket behind.",
    "bpf.command.syntax=xsk [OPTIONS] { show | list } [FD]",
    "bpf.command.syntax=xsk [OPTIONS] create [frames N] [frame-size S] [headroom H] [rx N] [tx N] [fill N] [comp N]",
    "bpf.command.syntax=xsk [OPTIONS] bind FD dev NAME queue Q [copy | zerocopy]",
    "bpf.command.syntax=xsk [OPTIONS] fill FD [N]",
    "bpf.command.syntax=xsk [OPTIONS] read FD [count N] [wait MS] [forward]",
    "bpf.command.syntax=xsk [OPTIONS] close FD",
    "bpf.command.syntax=xsk help",
    "bpf.command.arguments=show: The instance's XSK sockets, or the one at FD: fd, cookie, device and queue, UMEM, "
            + "rings, statistics, and each XSKMAP element that holds it.",
    "bpf.command.arguments=list: The same as show.",
    "bpf.command.arguments=create: A new XSK socket with a UMEM and four rings; defaults: frames 4096, frame-size "
            + "4096, headroom 0, 2048 entries per ring.",
    "bpf.command.arguments=bind: Binds the socket at FD to queue Q of device NAME (copy mode; zerocopy: EOPNOTSUPP).",
    "bpf.command.arguments=fill: Puts N of the application's UMEM frames (default: all it holds) in the FILL ring, "
            + "for the device to receive into; without frames there, the device drops what arrives "
            + "(rx_fill_ring_empty_descs).",
    "bpf.command.arguments=read: Reads up to N received frames from the RX ring (default: all there are), waiting up "
            + "to MS milliseconds (default 0) for them as poll() does; prints each (a UDP frame as its addresses and "
            + "payload bytes, another as its bytes) and gives its frame back to the FILL ring; with forward, sends it "
            + "out of the TX ring first, as it is (xdpsock's l2fwd), to the device's tx output.",
    "bpf.command.arguments=close: Closes the socket's fd: it leaves its queue and every XSKMAP.",
    "bpf.command.arguments=help: The usage, on standard error.",
    "bpf.command.arguments=FD: An XSK socket's fd in the instance (xsk list shows them).",
    "bpf.command.arguments=NAME: A device of the instance (dev list shows them).",
    "bpf.command.options=-j, --json: Print JSON: each socket an object (fd, cookie, dev, ifindex, queue, umem, rings: "
            + "{fill, comp, rx, tx: {size, producer, consumer, filled, free}}, statistics, maps); show prints an "
            + "array, show FD and bind the object, create an array, close null, a failure {\"error\":...}.",
    "bpf.command.options=-p, --pretty: Print JSON, indented (implies --json).",
    "bpf.command.options=--help: Display this help message.",
    "bpf.command.examples=xsk create frames 64 frame-size 2048 rx 64 tx 64 fill 64 comp 64",
    "bpf.command.examples=xsk bind 3 dev lo queue 0",
    "bpf.command.examples=map create /sys/fs/bpf/xm type xskmap key 4 value 4 entries 4 name xm",
    "bpf.command.examples=map update pinned /sys/fs/bpf/xm key 0 0 0 0 value 3 0 0 0",
    "bpf.command.examples=xsk fill 3",
    "bpf.command.examples=xsk read 3 wait 1000",
    "bpf.command.examples=xsk -p show 3",
    "bpf.command.examples=xsk close 3"})
public final class XskCommands {
    static final String SUMMARY = "AF_XDP sockets of the instance: create with a UMEM and rings, bind to a device "
            + "queue, fill and read its rings, show rings and statistics, close";

    private final Bpf bpf;
    private final DocumentedCommand doc;

    @Activate
    public XskCommands(@Reference(name = "bpf") Bpf bpf, Map<String, Object> properties) {
        this.bpf = bpf;
        this.doc = DocumentedCommand.of(properties::get);
    }

    /** {@code xsk ...}: the instance's XSK sockets. */
    @Descriptor("AF_XDP sockets of the instance: xsk { show | list } [FD], create, bind, close")
    public void xsk(CommandSession session, String... args) {
        BpfCommands.run(session, args, () -> doc.doc(List.of()),
                (out, err) -> new XskCommand(bpf).run(BpfCommands.words(args), out, err));
    }
}
