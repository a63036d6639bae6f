package org.bpfmaps.shell;

import java.util.List;
import java.util.Map;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.bpfmaps.core.api.Bpf;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The Gogo command {@code bpf:net} ({@link NetCommand}), documented for {@code help} by its service properties. */
@Component(service = NetCommands.class, immediate = true, property = {
    "osgi.command.scope=bpf",
    "osgi.command.function=net",
    "bpf.command.summary=" + NetCommands.SUMMARY,
    "bpf.command.description=bpftool's net object for XDP: attach a program to a device of the instance without a "
            + "link (as bpftool does over netlink), detach it, and show what runs on each device. Without overwrite, "
            + "attach fails with EBUSY when a program runs there already; a device whose program a BPF link runs "
            + "refuses link-less attach and detach (EBUSY); native and generic exclude each other (EEXIST). Every "
            + "device here, lo included, has native XDP with zero copy, the mode xdp means; xdpgeneric is accepted "
            + "and shown as generic; xdpoffload is EINVAL. Error lines and exit codes are bpftool's.",
    "bpf.command.syntax=net [OPTIONS] { show | list } [dev NAME]",
    "bpf.command.syntax=net [OPTIONS] attach ATTACH_TYPE PROG dev NAME [overwrite]",
    "bpf.command.syntax=net [OPTIONS] detach ATTACH_TYPE dev NAME",
    "bpf.command.syntax=net help",
    "bpf.command.arguments=ATTACH_TYPE: xdp | xdpgeneric | xdpdrv | xdpoffload",
    "bpf.command.arguments=PROG: id PROG_ID | pinned FILE | name PROG_NAME",
    "bpf.command.arguments=NAME: A device of the instance (dev list shows them).",
    "bpf.command.options=-j, --json: Print JSON as bpftool: show [{\"xdp\":[{devname, ifindex, mode, id}], \"tc\":[], "
            + "\"flow_dissector\":[]}], attach and detach null.",
    "bpf.command.options=-p, --pretty: Print JSON, indented (implies --json).",
    "bpf.command.examples=net attach xdp name xsk_def_prog dev eth1",
    "bpf.command.examples=net show",
    "bpf.command.examples=net detach xdp dev eth1"})
public final class NetCommands {
    static final String SUMMARY = "XDP programs on the instance's devices: attach, detach, show (bpftool's net)";

    private final Bpf bpf;
    private final DocumentedCommand doc;

    @Activate
    public NetCommands(@Reference(name = "bpf") Bpf bpf, Map<String, Object> properties) {
        this.bpf = bpf;
        this.doc = DocumentedCommand.of(properties::get);
    }

    @Descriptor("XDP on the instance's devices: net { show | list } [dev NAME], attach, detach")
    public void net(CommandSession session, String... args) {
        BpfCommands.run(session, args, () -> doc.doc(List.of()),
                (out, err) -> new NetCommand(bpf).run(BpfCommands.words(args), out, err));
    }
}
