package org.bpfmaps.shell;

import java.io.PrintStream;
import java.util.List;
import java.util.Objects;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.xdp.NetDevice;
import org.bpfmaps.core.xdp.NetDevices;

/**
 * {@code dev ...}: the instance's network devices ({@link NetDevices}), which XSK sockets bind
 * to: listed with their queues and the sockets bound to each, and added. Devices are no BPF
 * objects (no fd, no id), so they are named by name. The grammar and output follow the other
 * commands': subcommands abbreviate in the order of {@link #COMMANDS}, {@code -j}/{@code -p}
 * anywhere, an {@code Error:} line with the core's reason on the next and exit code 255.
 */
public final class DevCommand {
    static final String USAGE = """
            Usage: dev { show | list } [NAME]
                   dev add NAME queues N
                   dev help

                   NAME := a device name: 1 to 15 bytes, not . or .., no '/', ':' or white space
                   N := 1..4096 (queue pairs, ids 0 to N - 1)
                   OPTIONS := { {-j|--json} [{-p|--pretty}] }
            """;

    private interface Sub {
        int run(DevCommand c, Output out, Args a);
    }

    private record Entry(String name, Sub sub) {
    }

    /** The subcommands, in the order an abbreviation resolves in. */
    private static final List<Entry> COMMANDS = List.of(
            new Entry("show", DevCommand::show),
            new Entry("list", DevCommand::show),
            new Entry("help", (c, out, a) -> CommandFrame.help(out, USAGE)),
            new Entry("add", DevCommand::add));

    private final Bpf bpf;

    public DevCommand(Bpf bpf) {
        this.bpf = Objects.requireNonNull(bpf, "bpf");
    }

    static List<String> commandNames() {
        return COMMANDS.stream().map(Entry::name).toList();
    }

    /** Runs {@code dev WORDS...}: 0, or 255 after an {@code Error:} line or the usage. */
    public int run(List<String> words, PrintStream stdout, PrintStream stderr) {
        return CommandFrame.run(words, stdout, stderr, USAGE, (out, w) -> {
            Entry command = COMMANDS.get(CommandFrame.choose(commandNames(), w));
            return command.sub().run(this, out, new Args(w, w.isEmpty() ? 0 : 1));
        });
    }

    /** {@code dev show [NAME]}: every device (a JSON array), or one (an object). */
    private int show(Output out, Args a) {
        if (a.argc() > 1) {
            throw new Usage();
        }
        NetDevices devices = NetDevices.of(bpf);
        if (a.argc() == 1) {
            String name = a.next();
            NetDevice d = devices.byName(name);
            if (d == null) {
                out.error("no device '" + name + "'", "dev list shows the instance's devices");
                return -1;
            }
            print(out, List.of(d), false);
            return 0;
        }
        print(out, devices.list(), true);
        return 0;
    }

    private void print(Output out, List<NetDevice> devices, boolean array) {
        JsonWriter j = out.json();
        if (j != null && array) {
            j.startArray();
        }
        for (NetDevice d : devices) {
            if (j != null) {
                XskText.devJson(j, bpf, d);
            } else {
                out.print(XskText.devPlain(bpf, d));
            }
        }
        if (j != null && array) {
            j.endArray();
        }
    }

    /** {@code dev add NAME queues N}: a device with the next free ifindex, shown as {@code dev show} shows it. */
    private int add(Output out, Args a) {
        if (a.argc() != 3 || !Args.isPrefix(a.peek(1), "queues")) {
            throw new Usage();
        }
        String name = a.next();
        a.next();
        String count = a.next();
        long queues = XskCommand.u32(count);
        if (queues < 0) {
            out.error("invalid queues '" + count + "'", "queues: a number from 1 to " + NetDevices.MAX_QUEUES);
            return -1;
        }
        XdpReason why = new XdpReason();
        // a count past int reaches the core as -1: out of its range as the u32 was
        int ifindex = NetDevices.of(bpf).add(name, queues > Integer.MAX_VALUE ? -1 : (int) queues, why);
        if (ifindex < 0) {
            out.error("can't add device '" + name + "': " + XdpReason.errno(ifindex),
                    why.text.replace("queues -1", "queues " + count));
            return -1;
        }
        print(out, List.of(NetDevices.of(bpf).byIndex(ifindex)), true);
        return 0;
    }
}
