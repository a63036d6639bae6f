package org.bpfmaps.shell;

import java.util.List;
import java.util.Map;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.bpfmaps.core.api.Bpf;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The Gogo command {@code bpf:prog} ({@link ProgCommand}), documented for {@code help} by its service properties. */
@Component(service = ProgCommands.class, immediate = true, property = {
    "osgi.command.scope=bpf",
    "osgi.command.function=prog",
    "bpf.command.summary=" + ProgCommands.SUMMARY,
    "bpf.command.description=The instance's programs in bpftool's grammar: show them, pin them, attach them "
            + "to a sockmap or sockhash and detach them (XDP programs attach to devices with net attach). prog "
            + "load loads the Java code a bundle registers under NAME (a ProgramProvider service; bpftool loads an "
            + "ELF file instead) and prints its id and the fd it leaves open in the instance, which prog close FD "
            + "closes (a pin or an attachment keeps the program). A failure prints an Error line, then why.",
    "bpf.command.syntax=prog [OPTIONS] { show | list } [PROG]",
    "bpf.command.syntax=prog [OPTIONS] pin PROG FILE",
    "bpf.command.syntax=prog [OPTIONS] load NAME TYPE [map idx IDX MAP]... [pinned FILE]",
    "bpf.command.syntax=prog [OPTIONS] close FD",
    "bpf.command.syntax=prog [OPTIONS] attach PROG ATTACH_TYPE MAP",
    "bpf.command.syntax=prog [OPTIONS] detach PROG ATTACH_TYPE MAP",
    "bpf.command.syntax=prog help",
    "bpf.command.arguments=PROG: id PROG_ID | pinned FILE | name PROG_NAME",
    "bpf.command.arguments=MAP: id MAP_ID | pinned FILE | name MAP_NAME",
    "bpf.command.arguments=TYPE: sk_skb | sk_msg | xdp | socket_filter",
    "bpf.command.arguments=IDX: The program's map index (0, 1, ... without a gap) MAP fills, as bpftool's map idx.",
    "bpf.command.arguments=ATTACH_TYPE: sk_msg_verdict | sk_skb_verdict | sk_skb_stream_verdict | "
            + "sk_skb_stream_parser (and the legacy msg_verdict, skb_verdict, stream_verdict, stream_parser)",
    "bpf.command.arguments=NAME: the name a bundle registers its program code under (Tab offers them)",
    "bpf.command.arguments=FD: a program's fd in the instance, as prog load prints it",
    "bpf.command.options=-j, --json: Print JSON.",
    "bpf.command.options=-p, --pretty: Print JSON, indented (implies --json).",
    "bpf.command.examples=prog load verdict sk_skb pinned /sys/fs/bpf/verdict",
    "bpf.command.examples=prog attach pinned /sys/fs/bpf/verdict sk_skb_stream_verdict name sm",
    "bpf.command.examples=prog load xsk_def_prog xdp map idx 0 name xsks pinned /sys/fs/bpf/xsk_def_prog",
    "bpf.command.examples=prog show"})
public final class ProgCommands {
    static final String SUMMARY = "Programs of the instance: show, pin, load by name, attach to socket maps, close";

    private final Bpf bpf;
    private final DocumentedCommand doc;

    @Activate
    public ProgCommands(@Reference(name = "bpf") Bpf bpf, Map<String, Object> properties) {
        this.bpf = bpf;
        this.doc = DocumentedCommand.of(properties::get);
    }

    @Descriptor("Programs of the instance: prog { show | list } [PROG], pin, load, attach, detach, close")
    public void prog(CommandSession session, String... args) {
        BpfCommands.run(session, args, () -> doc.doc(List.of()),
                (out, err) -> new ProgCommand(bpf).run(BpfCommands.words(args), out, err));
    }
}
