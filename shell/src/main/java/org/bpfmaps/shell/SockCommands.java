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
 * The Gogo command {@code bpf:sock} ({@link SockCommand}), documented for {@code help} by the
 * {@code bpf.command.*} service properties ({@link DocumentedCommand}); Tab completes it from the
 * live sockets ({@link Completion}). One component per framework, immediate so that Gogo's
 * getting and releasing it around each command does not make a new one: its record of the
 * listeners the shell opened ({@link ShellListeners}) is shared by every session and every
 * one-shot client of a running instance, as the sockets themselves are (they are the instance's).
 */
@Component(service = SockCommands.class, immediate = true, property = {
    "osgi.command.scope=bpf",
    "osgi.command.function=sock",
    "bpf.command.summary=" + SockCommands.SUMMARY,
    "bpf.command.description=Real sockets as objects of the default instance, beside its maps: each has an fd "
            + "in the instance's table (map update MAP key ... value FD 0 0 0 puts it in a sockmap or sockhash), a "
            + "cookie that never changes, and a state read from the kernel whenever it is shown. A socket belongs "
            + "to the instance, not to the command or client that opened it, and lives until sock close FD or "
            + "the instance's end. listen, udp and unix listen open listening and bound sockets; connect and "
            + "unix PATH open clients, and where they reach a listener the shell opened, the accepted end too "
            + "(client first): an established pair in one command. map dump shows the socket behind each "
            + "element of a sockmap or sockhash on a console, or with -C. A failure prints an Error line, then "
            + "why, and exits with 255; it leaves no socket behind.",
    "bpf.command.syntax=sock [OPTIONS] { show | list } [FD]",
    "bpf.command.syntax=sock [OPTIONS] listen [HOST] PORT",
    "bpf.command.syntax=sock [OPTIONS] connect HOST PORT",
    "bpf.command.syntax=sock [OPTIONS] udp [HOST] PORT",
    "bpf.command.syntax=sock [OPTIONS] unix [listen] PATH",
    "bpf.command.syntax=sock [OPTIONS] close FD",
    "bpf.command.syntax=sock help",
    "bpf.command.arguments=show: The instance's sockets, or the one at FD: fd, kind, state, cookie, local and "
            + "remote addresses, and each map element (map id and key) that holds it.",
    "bpf.command.arguments=list: The same as show.",
    "bpf.command.arguments=listen: A TCP socket listening on HOST:PORT (port 0: the kernel picks one, shown).",
    "bpf.command.arguments=connect: A TCP socket connected to HOST:PORT; on a listener the shell opened, the "
            + "connection is accepted too and both ends are shown, the client first.",
    "bpf.command.arguments=udp: A UDP socket bound to HOST:PORT.",
    "bpf.command.arguments=unix: With listen, a Unix stream socket listening at PATH (the file stays when the "
            + "socket closes, as in the kernel); without, one connected to PATH, and accepted too on a listener "
            + "the shell opened.",
    "bpf.command.arguments=close: Close the socket's fd: the socket closes and leaves every map.",
    "bpf.command.arguments=help: The usage in bpftool's form, on standard error.",
    "bpf.command.arguments=HOST: An IPv4 or IPv6 address, or a host name; default 127.0.0.1.",
    "bpf.command.arguments=PORT: 0..65535.",
    "bpf.command.arguments=FD: A socket's fd in the instance (sock list shows them).",
    "bpf.command.arguments=PATH: The path of a Unix socket.",
    "bpf.command.options=-j, --json: Print JSON: each socket an object (fd, kind, state, cookie, local, remote, "
            + "maps: [{id, key}]); show and the commands that open sockets print an array, show FD the object, "
            + "close null, a failure {\"error\":...}.",
    "bpf.command.options=-p, --pretty: Print JSON, indented (implies --json).",
    "bpf.command.options=--help: Display this help message.",
    "bpf.command.examples=sock listen 4000",
    "bpf.command.examples=sock connect 127.0.0.1 4000",
    "bpf.command.examples=map create /sys/fs/bpf/sm type sockmap key 4 value 4 entries 8 name sm",
    "bpf.command.examples=map update pinned /sys/fs/bpf/sm key 0 0 0 0 value 4 0 0 0",
    "bpf.command.examples=sock list",
    "bpf.command.examples=sock -j show 4",
    "bpf.command.examples=sock close 4"})
public final class SockCommands {
    static final String SUMMARY = "Sockets of the instance (TCP, UDP, Unix): open, list with the maps they are in, "
            + "close";

    private final Bpf bpf;
    private final ShellListeners listeners = new ShellListeners();
    /** The usage, from this component's own properties: what help sock prints. */
    private final DocumentedCommand doc;

    @Activate
    public SockCommands(@Reference(name = "bpf") Bpf bpf, Map<String, Object> properties) {
        this.bpf = bpf;
        this.doc = DocumentedCommand.of(properties::get);
    }

    /** {@code sock ...}: the instance's sockets. */
    @Descriptor("Sockets of the instance: sock { show | list } [FD], listen, connect, udp, unix, close")
    public void sock(CommandSession session, String... args) {
        BpfCommands.run(session, args, () -> doc.doc(List.of()),
                (out, err) -> new SockCommand(bpf, listeners).run(BpfCommands.words(args), out, err));
    }
}
