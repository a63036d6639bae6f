package org.bpfmaps.shell;

import java.util.List;
import java.util.Map;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.bpfmaps.core.api.Bpf;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The Gogo command {@code bpf:link} ({@link LinkCommand}), documented for {@code help} by its service properties. */
@Component(service = LinkCommands.class, immediate = true, property = {
    "osgi.command.scope=bpf",
    "osgi.command.function=link",
    "bpf.command.summary=" + LinkCommands.SUMMARY,
    "bpf.command.description=bpftool's link object: the instance's BPF links (XDP links, made by LINK_CREATE), shown "
            + "as bpftool 7.1 shows them (id, type, program), pinned, and detached (LINK_DETACH: the device stops "
            + "running the program; the link stays, with its fds, pins and id, until its last reference goes). "
            + "Error lines and exit codes are bpftool's.",
    "bpf.command.syntax=link [OPTIONS] { show | list } [LINK]",
    "bpf.command.syntax=link [OPTIONS] pin LINK FILE",
    "bpf.command.syntax=link [OPTIONS] detach LINK",
    "bpf.command.syntax=link help",
    "bpf.command.arguments=LINK: id LINK_ID | pinned FILE",
    "bpf.command.options=-j, --json: Print JSON as bpftool: show [{id, type, prog_id}], pin and detach null.",
    "bpf.command.options=-p, --pretty: Print JSON, indented (implies --json).",
    "bpf.command.examples=link show",
    "bpf.command.examples=link pin id 1 /sys/fs/bpf/xdp_link",
    "bpf.command.examples=link detach pinned /sys/fs/bpf/xdp_link"})
public final class LinkCommands {
    static final String SUMMARY = "BPF links of the instance: show, pin, detach (bpftool's link)";

    private final Bpf bpf;
    private final DocumentedCommand doc;

    @Activate
    public LinkCommands(@Reference(name = "bpf") Bpf bpf, Map<String, Object> properties) {
        this.bpf = bpf;
        this.doc = DocumentedCommand.of(properties::get);
    }

    @Descriptor("BPF links of the instance: link { show | list } [LINK], pin, detach")
    public void link(CommandSession session, String... args) {
        BpfCommands.run(session, args, () -> doc.doc(List.of()),
                (out, err) -> new LinkCommand(bpf).run(BpfCommands.words(args), out, err));
    }
}
