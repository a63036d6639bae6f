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
 * The Gogo command {@code bpf:dev} ({@link DevCommand}), documented for {@code help} by its
 * {@code bpf.command.*} properties ({@link DocumentedCommand}); Tab completes device names
 * ({@link Completion}). Stateless: the devices are the instance's.
 */
@Component(service = DevCommands.class, immediate = true, property = {
    "osgi.command.scope=bpf",
    "osgi.command.function=dev",
    "bpf.command.summary=" + DevCommands.SUMMARY,
    "bpf.command.description=The network devices of the default instance, which XSK sockets bind to (xsk bind). "
            + "A device is no BPF object (no fd, no id): a name, an ifindex and N RX/TX queue pairs. A fresh "
            + "instance has lo (ifindex 1, one queue pair); dev add makes more, with the next ifindex. show lists "
            + "each device's queues that have XSK sockets bound, with their fds. A failure prints an Error line "
            + "with the errno, then why, and exits with 255.",
    "bpf.command.syntax=dev [OPTIONS] { show | list } [NAME]",
    "bpf.command.syntax=dev [OPTIONS] add NAME queues N",
    "bpf.command.syntax=dev help",
    "bpf.command.arguments=show: The instance's devices, or the one named: ifindex, name, queues, and per queue the "
            + "XSK sockets bound.",
    "bpf.command.arguments=list: The same as show.",
    "bpf.command.arguments=add: A device NAME with N queue pairs: EEXIST for a name taken, EINVAL for a bad name "
            + "or a count out of 1..4096.",
    "bpf.command.arguments=help: The usage, on standard error.",
    "bpf.command.arguments=NAME: 1 to 15 bytes, not . or .., no '/', ':' or white space (the kernel's dev_valid_name).",
    "bpf.command.arguments=N: 1..4096.",
    "bpf.command.options=-j, --json: Print JSON: each device an object (ifindex, name, queues, bound: "
            + "[{queue, xsk: [FD...]}]); show and add print an array, show NAME the object, a failure {\"error\":...}.",
    "bpf.command.options=-p, --pretty: Print JSON, indented (implies --json).",
    "bpf.command.options=--help: Display this help message.",
    "bpf.command.examples=dev add eth0 queues 4",
    "bpf.command.examples=dev list",
    "bpf.command.examples=dev -j show lo"})
public final class DevCommands {
    static final String SUMMARY = "Network devices of the instance (XSK sockets bind to their queues): list, add";

    private final Bpf bpf;
    private final DocumentedCommand doc;

    @Activate
    public DevCommands(@Reference(name = "bpf") Bpf bpf, Map<String, Object> properties) {
        this.bpf = bpf;
        this.doc = DocumentedCommand.of(properties::get);
    }

    /** {@code dev ...}: the instance's network devices. */
    @Descriptor("Network devices of the instance: dev { show | list } [NAME], dev add NAME queues N")
    public void dev(CommandSession session, String... args) {
        BpfCommands.run(session, args, () -> doc.doc(List.of()),
                (out, err) -> new DevCommand(bpf).run(BpfCommands.words(args), out, err));
    }
}
