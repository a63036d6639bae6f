package org.bpfmaps.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.InvalidPathException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.spi.ObjectHost;

/**
 * {@code sock ...}: real sockets as objects of the instance, opened, listed and closed from the
 * shell, so that a sockmap can be filled by hand ({@code map update ... value FD 0 0 0}). Each
 * socket is a {@code java.nio} channel registered with the core ({@link Sockets#register}): its
 * fd is in the instance's table beside the maps, and it lives until that fd is closed
 * ({@code sock close FD}) or the instance ends, whichever command or client made it.
 *
 * <p>The grammar and output follow bpftool's: subcommands abbreviate in the order of
 * {@link #COMMANDS} ({@code sock l} is {@code sock list}), options anywhere ({@code -j},
 * {@code -p}), {@code sock show} in the layout of {@code map show}, failures as an {@code Error:}
 * line with this project's detail on the next, exit code 255. Plain Java, tested without a
 * framework; {@link SockCommands} is the Gogo adapter.
 */
public final class SockCommand {
    /** The address a HOST-less {@code listen} or {@code udp} binds: loopback, never every interface unasked. */
    static final String DEFAULT_HOST = "127.0.0.1";

    static final String USAGE = """
            Usage: sock { show | list } [FD]
                   sock listen  [HOST] PORT
                   sock connect HOST PORT
                   sock udp     [HOST] PORT
                   sock unix    [listen] PATH
                   sock close   FD
                   sock help

                   HOST := an IPv4 or IPv6 address, or a host name (default: 127.0.0.1)
                   PORT := 0..65535 (0: the kernel picks one)
                   OPTIONS := { {-j|--json} [{-p|--pretty}] }
            """;

    private interface Sub {
        int run(SockCommand c, Output out, Args a);
    }

    private record Entry(String name, Sub sub) {
    }

    /** The subcommands, in the order an abbreviation resolves in. */
    private static final List<Entry> COMMANDS = List.of(
            new Entry("show", SockCommand::show),
            new Entry("list", SockCommand::show),
            new Entry("help", (c, out, a) -> help(out)),
            new Entry("listen", SockCommand::listen),
            new Entry("connect", SockCommand::connect),
            new Entry("udp", SockCommand::udp),
            new Entry("unix", SockCommand::unix),
            new Entry("close", SockCommand::close));

    private final Bpf bpf;
    private final ShellListeners listeners;

    /** With a record of listeners of its own (one-off use, tests). */
    public SockCommand(Bpf bpf) {
        this(bpf, new ShellListeners());
    }

    SockCommand(Bpf bpf, ShellListeners listeners) {
        this.bpf = Objects.requireNonNull(bpf, "bpf");
        this.listeners = Objects.requireNonNull(listeners, "listeners");
    }

    /** The subcommands in the order abbreviations resolve in (for completion). */
    static List<String> commandNames() {
        return COMMANDS.stream().map(Entry::name).toList();
    }

    /**
     * Runs one command, as {@code sock WORDS...}.
     *
     * @return 0, or 255 after an {@code Error:} line or the usage
     */
    public int run(List<String> words, PrintStream stdout, PrintStream stderr) {
        return CommandFrame.run(words, stdout, stderr, USAGE, this::main);
    }

    private int main(Output out, List<String> w) {
        Entry command = COMMANDS.get(CommandFrame.choose(commandNames(), w));
        return command.sub().run(this, out, CommandFrame.afterCommand(w));
    }

    /** {@code sock help}: the usage on standard error, {@code null} in JSON mode, as bpftool's do_help. */
    static int help(Output out) {
        return CommandFrame.help(out, USAGE);
    }

    /** {@code sock show [FD]}: every socket of the instance (a JSON array), or one (an object). */
    private int show(Output out, Args a) {
        if (a.argc() > 1) {
            throw new Usage();
        }
        if (a.argc() == 1) {
            int fd = socketFd(out, a.next());
            if (fd < 0) {
                return -1;
            }
            print(out, List.of(fd), false);
            return 0;
        }
        print(out, List.copyOf(Sockets.list(bpf).keySet()), true);
        return 0;
    }

    /** Shows these socket fds in order: plain entries, or JSON (an array, or the one object). */
    private void print(Output out, List<Integer> fds, boolean array) {
        JsonWriter j = out.json();
        if (j != null && array) {
            j.startArray();
        }
        for (int fd : fds) {
            BpfSocket s = Sockets.byFd(bpf, fd);
            if (s == null) {
                continue; // closed meanwhile by another client
            }
            SocketText.View v = SocketText.View.of(bpf, fd, s);
            if (j != null) {
                SocketText.json(j, v);
            } else {
                out.print(SocketText.plain(v));
            }
        }
        if (j != null && array) {
            j.endArray();
        }
    }

    /** {@code sock close FD}: closes a socket's fd, which closes the socket (nothing else holds it). */
    private int close(Output out, Args a) {
        if (a.argc() != 1) {
            throw new Usage();
        }
        int fd = socketFd(out, a.next());
        if (fd < 0) {
            return -1;
        }
        bpf.close(fd);
        if (out.isJson()) {
            out.json().nul();
        }
        return 0;
    }

    /** The fd a word names when it is a socket's; else -1 after an Error line that says what it is. */
    private int socketFd(Output out, String word) {
        int fd = number(word);
        if (fd < 0) {
            out.error("invalid fd '" + word + "'", "an fd is a number 0.." + Integer.MAX_VALUE + "; sock list shows "
                    + "the sockets' fds");
            return -1;
        }
        if (Sockets.byFd(bpf, fd) != null) {
            return fd;
        }
        boolean open = ObjectHost.of(bpf).map(h -> h.id(fd) >= 0).orElse(false);
        out.error("fd " + fd + " is not a socket", open ? "it is another object of the instance (a map: bpf close fd="
                + fd + " closes any fd)" : "no fd " + fd + " is open in the instance; sock list shows the sockets");
        return -1;
    }

    /** A decimal number 0..Integer.MAX_VALUE, or -1. */
    private static int number(String word) {
        try {
            return Integer.parseInt(word);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code sock listen [HOST] PORT}: a TCP listener. */
    private int listen(Output out, Args a) {
        InetSocketAddress addr = hostPort(out, a, true);
        return addr == null ? -1 : listen(out, SockChannels.family(addr), addr);
    }

    /** A listener of the shell bound to {@code addr}, registered and shown. */
    private int listen(Output out, ProtocolFamily family, SocketAddress addr) {
        ServerSocketChannel l = null;
        try {
            l = ServerSocketChannel.open(family);
            l.bind(addr);
            l.configureBlocking(false); // only the shell accepts on it, never waiting (see connect)
        } catch (IOException | RuntimeException e) {
            return failed(out, "can't listen on " + SocketText.address(addr), e, l);
        }
        return made(out, List.of(l), l);
    }

    /** {@code sock udp [HOST] PORT}: a bound UDP socket. */
    private int udp(Output out, Args a) {
        InetSocketAddress addr = hostPort(out, a, true);
        if (addr == null) {
            return -1;
        }
        DatagramChannel d = null;
        try {
            d = DatagramChannel.open(SockChannels.family(addr));
            d.bind(addr);
        } catch (IOException | RuntimeException e) {
            return failed(out, "can't bind UDP socket to " + SocketText.address(addr), e, d);
        }
        return made(out, List.of(d), null);
    }

    /** {@code sock connect HOST PORT}: a TCP client; on a listener of the shell, the accepted end too. */
    private int connect(Output out, Args a) {
        InetSocketAddress addr = hostPort(out, a, false);
        return addr == null ? -1 : connect(out, addr);
    }

    /** {@code sock unix listen PATH} or {@code sock unix PATH}: a Unix stream listener, or a client. */
    private int unix(Output out, Args a) {
        boolean listen = a.argc() == 2 && Args.isPrefix(a.peek(), "listen");
        if (a.argc() != (listen ? 2 : 1)) {
            throw new Usage();
        }
        if (listen) {
            a.next();
        }
        String path = a.next();
        UnixDomainSocketAddress addr;
        try {
            addr = UnixDomainSocketAddress.of(path);
        } catch (InvalidPathException e) {
            out.error("invalid path '" + path + "'", e.getMessage());
            return -1;
        }
        return listen ? listen(out, StandardProtocolFamily.UNIX, addr) : connect(out, addr);
    }

    /**
     * Connects a new stream socket to {@code addr}, bounded by {@link SockChannels#TIMEOUT_MS}. When a
     * listener the shell opened is there, the connection is accepted on it and both ends are
     * registered (client first), so that one command makes an established pair.
     */
    private int connect(Output out, SocketAddress addr) {
        String where = SocketText.address(addr);
        ServerSocketChannel own = listeners.find(addr);
        List<NetworkChannel> made = new ArrayList<>();
        SocketChannel c = null;
        try {
            c = SocketChannel.open(addr instanceof UnixDomainSocketAddress ? StandardProtocolFamily.UNIX
                    : SockChannels.family((InetSocketAddress) addr));
            made.add(c);
            if (own == null) {
                SockChannels.connect(c, addr);
            } else {
                synchronized (own) { // one connect-and-accept at a time on a listener: each gets its own
                    SockChannels.connect(c, addr);
                    made.addAll(SockChannels.accept(own, c));
                }
            }
        } catch (IOException | RuntimeException e) {
            return failed(out, "can't connect to " + where, e, c); // accept closed what it had accepted
        }
        return made(out, made, null);
    }

    /**
     * Registers the channels, in order, and shows them (JSON: an array). A failure to register one
     * closes it and those after it and unregisters those before, so that a failed command leaves
     * nothing behind.
     */
    private int made(Output out, List<? extends NetworkChannel> channels, ServerSocketChannel listener) {
        List<Integer> fds = new ArrayList<>();
        for (int i = 0; i < channels.size(); i++) {
            Reason why = new Reason();
            int fd = Sockets.register(bpf, channels.get(i), why);
            if (fd < 0) {
                for (int j = i; j < channels.size(); j++) {
                    SockChannels.closeQuietly(channels.get(j));
                }
                for (int f : fds) {
                    bpf.close(f); // closes its channel: the fd held it
                }
                out.error("can't register socket: " + Libbpf.strerror(fd), why.text);
                return -1;
            }
            fds.add(fd);
        }
        if (listener != null) {
            listeners.add(listener);
        }
        print(out, fds, true);
        return 0;
    }

    /** The dispatcher's reason for a failed registration. */
    private static final class Reason implements ErrorSink {
        String text;

        @Override
        public int fail(Errno errno, String why, long a, long b) {
            text = why.replace("%d", Long.toString(a));
            return errno.ret();
        }
    }

    /** The Error line of a socket call that failed, its channel closed; -1. */
    private static int failed(Output out, String what, Exception e, NetworkChannel ch) {
        SockChannels.closeQuietly(ch);
        String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        out.error(what + ": " + reason, null);
        return -1;
    }

    /**
     * {@code [HOST] PORT} (the host optional where {@code optionalHost}), or null after an Error
     * line; the usage when the words do not fit.
     */
    private static InetSocketAddress hostPort(Output out, Args a, boolean optionalHost) {
        if (a.argc() != 2 && !(optionalHost && a.argc() == 1)) {
            throw new Usage();
        }
        String host = a.argc() == 2 ? a.next() : DEFAULT_HOST;
        String portWord = a.next();
        int port = number(portWord);
        if (port < 0 || port > 65535) {
            out.error("invalid port '" + portWord + "'", "a port is a number 0..65535 (0: the kernel picks one)");
            return null;
        }
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), port);
        } catch (UnknownHostException | SecurityException e) {
            out.error("invalid host '" + host + "'", "neither an IPv4 or IPv6 address nor a name that resolves");
            return null;
        }
    }
}
