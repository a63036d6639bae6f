package org.bpfmaps.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.net.PcapFormatException;
import org.bpfmaps.core.net.PcapReader;
import org.bpfmaps.core.net.PcapReplay;
import org.bpfmaps.core.net.Toeplitz;
import org.bpfmaps.core.net.UdpSource;
import org.bpfmaps.core.xdp.NetDevice;
import org.bpfmaps.core.xdp.NetDevices;
import org.bpfmaps.core.xdp.RxQueueStatistics;

/**
 * {@code dev ...}: the instance's network devices ({@link NetDevices}), which XSK sockets bind
 * to: listed with their queues, the sockets bound to each and each queue's counters
 * ({@link RxQueueStatistics}), and added. A device is fed by real packets: the datagrams of a UDP
 * port on loopback ({@code udp ADDR:PORT}, each on the RX queue RSS picks) or a pcap file replayed
 * ({@code dev replay}); the frames that leave its XDP path go where {@code pass OUT} (XDP_PASS: the
 * network stack) and {@code tx OUT} (XDP_TX and the XSK sockets' TX rings) say: a pcap file or UDP
 * datagrams to a loopback address ({@link DeviceEnds}). Devices are no BPF objects (no fd, no id),
 * so they are named by name. The grammar and output follow the other commands': subcommands
 * abbreviate in the order of {@link #COMMANDS}, {@code -j}/{@code -p} anywhere, an {@code Error:}
 * line with the core's reason on the next and exit code 255.
 */
public final class DevCommand {
    static final String USAGE = """
            Usage: dev { show | list } [NAME]
                   dev add    NAME [queues N] [udp ADDR:PORT] [pcap FILE] [pass OUT] [tx OUT]
                   dev set    NAME [udp { ADDR:PORT | off }] [pcap { FILE | off }] [pass { OUT | off }]
                              [tx { OUT | off }]
                   dev replay NAME [pcap FILE]
                   dev help

                   NAME := a device name: 1 to 15 bytes, not . or .., no '/', ':' or white space
                   N := 1..4096 (queue pairs, ids 0 to N - 1; default 1)
                   ADDR:PORT := a loopback address and port: 127.0.0.1:9000, [::1]:9000 (port 0: any free)
                   OUT := { pcap FILE | udp ADDR:PORT }
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
            new Entry("add", DevCommand::add),
            new Entry("set", DevCommand::set),
            new Entry("replay", DevCommand::replay));

    /** The keywords of add and set, each taking one value (set: also {@code off}). */
    static final List<String> KEYWORDS = List.of("queues", "udp", "pass", "tx", "pcap");

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
            return command.sub().run(this, out, CommandFrame.afterCommand(w));
        });
    }

    /** {@code dev show [NAME]}: every device (a JSON array), or one (an object). */
    private int show(Output out, Args a) {
        if (a.argc() > 1) {
            throw new Usage();
        }
        NetDevices devices = NetDevices.of(bpf);
        if (a.argc() == 1) {
            NetDevice d = device(out, a.next());
            if (d == null) {
                return -1;
            }
            print(out, List.of(d), false);
            return 0;
        }
        print(out, devices.list(), true);
        return 0;
    }

    private NetDevice device(Output out, String name) {
        NetDevice d = NetDevices.of(bpf).byName(name);
        if (d == null) {
            out.error("no device '" + name + "'", "dev list shows the instance's devices");
        }
        return d;
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

    /** The keyword pairs after NAME: each keyword once, in any order; the usage for anything else. */
    private static Map<String, List<String>> pairs(Args a, boolean set) {
        Map<String, List<String>> v = new LinkedHashMap<>();
        while (a.argc() > 0) {
            String kw = null;
            for (String k : KEYWORDS) {
                if (kw == null && Args.isPrefix(a.peek(), k) && (set ? !k.equals("queues") : true)) {
                    kw = k;
                }
            }
            if (kw == null || v.containsKey(kw) || a.argc() < 2) {
                throw new Usage();
            }
            a.next();
            List<String> words = new ArrayList<>();
            words.add(a.next());
            if ((kw.equals("pass") || kw.equals("tx")) && !words.get(0).equals("off")) {
                if (a.argc() == 0) {
                    throw new Usage();
                }
                words.add(a.next()); // OUT := { pcap FILE | udp ADDR:PORT }
            }
            v.put(kw, words);
        }
        return v;
    }

    /** The ends a command opens before it changes anything: all or none reach the device. */
    private final class Opened {
        UdpSource udp;
        boolean udpOff;
        Path pcap;
        boolean pcapOff;
        DeviceEnds.Out pass;
        boolean passOff;
        DeviceEnds.Out tx;
        boolean txOff;
        /** The device the feed delivers to, set once it exists (frames before are the source's sink errors). */
        final AtomicReference<NetDevice> target = new AtomicReference<>();

        void close() {
            for (AutoCloseable c : new AutoCloseable[] {udp, pass, tx}) {
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (Exception e) {
                    // undoing a failed command: nothing more to do
                }
            }
        }

        /** Opens what {@code v} asks for; false after an Error line, with what was opened closed. */
        boolean open(Output out, String name, Map<String, List<String>> v, int queues) {
            for (String kw : List.of("pcap", "pass", "tx", "udp")) {
                List<String> w = v.get(kw);
                if (w == null) {
                    continue;
                }
                if (w.get(0).equals("off")) {
                    switch (kw) {
                        case "udp" -> udpOff = true;
                        case "pcap" -> pcapOff = true;
                        case "pass" -> passOff = true;
                        default -> txOff = true;
                    }
                    continue;
                }
                try {
                    if (kw.equals("pcap")) {
                        pcap = Path.of(w.get(0));
                        try (PcapReader check = PcapReader.open(pcap)) {
                            // a capture that will not replay is refused now, not at the first replay
                            check.snaplen();
                        }
                    } else if (kw.equals("udp")) {
                        InetSocketAddress at = address(out, "udp", w.get(0));
                        if (at == null) {
                            close();
                            return false;
                        }
                        NetDevices devs = NetDevices.of(bpf); // once: of() takes a global lock
                        udp = UdpSource.open(at, queues, (q, frame) -> {
                            NetDevice d = target.get();
                            if (d == null) {
                                throw new IllegalStateException("the device is not there yet");
                            }
                            devs.rxQueue(d.ifindex(), q).receive(frame);
                        });
                    } else {
                        DeviceEnds.Out o = output(out, kw, w);
                        if (o == null) {
                            close();
                            return false;
                        }
                        if (kw.equals("pass")) {
                            pass = o;
                        } else {
                            tx = o;
                        }
                    }
                } catch (IOException | BpfException e) {
                    close();
                    out.error("can't open " + kw + " " + String.join(" ", w) + " for device '" + name + "': "
                            + message(e), null);
                    return false;
                }
            }
            return true;
        }

        /** Puts what was opened on the device, replacing (and closing) what it had. */
        void install(NetDevice d) throws IOException {
            DeviceEnds ends = DeviceEnds.of(bpf);
            target.set(d);
            if (udp != null || udpOff) {
                ends.feed(d.ifindex(), udp);
            }
            if (pcap != null || pcapOff) {
                ends.capture(d.ifindex(), pcap);
            }
            if (pass != null || passOff) {
                ends.pass(d.ifindex(), pass);
            }
            if (tx != null || txOff) {
                ends.tx(d.ifindex(), tx);
            }
        }
    }

    private static String message(Exception e) {
        String m = e.getMessage();
        return e instanceof java.net.BindException ? "Address already in use (EADDRINUSE)"
                : e instanceof java.nio.file.NoSuchFileException ? "No such file or directory (ENOENT)"
                : e instanceof java.nio.file.AccessDeniedException ? "Permission denied (EACCES)"
                : m == null ? e.getClass().getSimpleName() : m;
    }

    private static InetSocketAddress address(Output out, String kw, String word) {
        InetSocketAddress at = DeviceEnds.parseAddress(word);
        if (at == null || !at.getAddress().isLoopbackAddress()) {
            out.error("invalid " + kw + " address '" + word + "'", "ADDR:PORT on loopback: 127.0.0.0/8 or [::1], "
                    + "a port from 0 to 65535 (0: any free one for a feed)");
            return null;
        }
        return at;
    }

    /** {@code pcap FILE} or {@code udp ADDR:PORT}; null after an Error line. */
    private static DeviceEnds.Out output(Output out, String kw, List<String> w) throws IOException {
        if (Args.isPrefix(w.get(0), "pcap")) {
            return new DeviceEnds.PcapOut(Path.of(w.get(1)));
        }
        if (Args.isPrefix(w.get(0), "udp")) {
            InetSocketAddress at = address(out, kw + " udp", w.get(1));
            if (at != null && at.getPort() == 0) {
                out.error("invalid " + kw + " udp address '" + w.get(1) + "'", "datagrams go to a port from 1 to 65535");
                return null;
            }
            return at == null ? null : new DeviceEnds.UdpOut(at);
        }
        throw new Usage();
    }

    /**
     * {@code dev add NAME [queues N] [udp ADDR:PORT] [pass OUT] [tx OUT]}: a device with the next free
     * ifindex and its ends, shown as {@code dev show} shows it. The ends are opened first: a port
     * taken or a file that cannot be written adds nothing.
     */
    private int add(Output out, Args a) {
        if (a.argc() < 1) {
            throw new Usage();
        }
        String name = a.next();
        Map<String, List<String>> v = pairs(a, false);
        String count = v.containsKey("queues") ? v.get("queues").get(0) : "1";
        long queues = XskCommand.u32(count);
        if (queues < 0) {
            out.error("invalid queues '" + count + "'", "queues: a number from 1 to " + NetDevices.MAX_QUEUES);
            return -1;
        }
        XdpReason why = new XdpReason();
        if (queues < 1 || queues > NetDevices.MAX_QUEUES || NetDevices.of(bpf).byName(name) != null) {
            return addFailed(out, name, count, why, NetDevices.of(bpf).add(name, queues > Integer.MAX_VALUE ? -1
                    : (int) queues, why));
        }
        Opened o = new Opened();
        if (!o.open(out, name, v, (int) queues)) {
            return -1;
        }
        // a count past int reaches the core as -1: out of its range as the u32 was
        int ifindex = NetDevices.of(bpf).add(name, (int) queues, why);
        if (ifindex < 0) {
            o.close();
            return addFailed(out, name, count, why, ifindex);
        }
        NetDevice d = NetDevices.of(bpf).byIndex(ifindex);
        return install(out, name, o, d);
    }

    /** Gives the device the ends opened for it and shows it, as {@code dev show} shows it; 0, or -1 after an Error line. */
    private int install(Output out, String name, Opened o, NetDevice d) {
        try {
            o.install(d);
        } catch (IOException e) {
            out.error("can't replace the ends of device '" + name + "': " + message(e), null);
            return -1;
        }
        print(out, List.of(d), true);
        return 0;
    }

    private static int addFailed(Output out, String name, String count, XdpReason why, int ret) {
        out.error("can't add device '" + name + "': " + XdpReason.errno(ret), why.text.replace("queues -1", "queues " + count));
        return -1;
    }

    /** {@code dev set NAME ...}: replaces or switches off the device's feed and outputs; shown as show shows it. */
    private int set(Output out, Args a) {
        if (a.argc() < 1) {
            throw new Usage();
        }
        String name = a.next();
        Map<String, List<String>> v = pairs(a, true);
        if (v.isEmpty()) {
            throw new Usage();
        }
        NetDevice d = device(out, name);
        if (d == null) {
            return -1;
        }
        Opened o = new Opened();
        if (!o.open(out, name, v, d.queues())) {
            return -1;
        }
        return install(out, name, o, d);
    }

    /**
     * {@code dev replay NAME [pcap FILE]}: every record of the capture (FILE, else the device's own,
     * {@code pcap FILE} of add or set) received by the device, on the queue RSS picks for it, in file
     * order, on this thread; prints how many. A malformed record ends the replay with an Error line
     * naming its byte offset, the frames before it received.
     */
    private int replay(Output out, Args a) {
        if (a.argc() != 1 && (a.argc() != 3 || !Args.isPrefix(a.peek(1), "pcap"))) {
            throw new Usage();
        }
        NetDevice d = device(out, a.next());
        if (d == null) {
            return -1;
        }
        String file;
        if (a.argc() == 2) {
            a.next();
            file = a.next();
        } else {
            DeviceEnds.Ends ends = DeviceEnds.of(bpf).get(d.ifindex());
            Path own = ends == null ? null : ends.pcap;
            if (own == null) {
                out.error("device '" + d.name() + "' has no capture to replay",
                        "dev replay " + d.name() + " pcap FILE, or give it one: dev set " + d.name() + " pcap FILE");
                return -1;
            }
            file = own.toString();
        }
        NetDevices devs = NetDevices.of(bpf);
        long[] frames = {0};
        try (PcapReader rd = PcapReader.open(Path.of(file))) {
            PcapReplay.replay(rd, d.queues(), Toeplitz.microsoft(), (q, frame) -> {
                devs.rxQueue(d.ifindex(), q).receive(frame);
                frames[0]++;
            });
        } catch (PcapFormatException e) {
            out.error("can't replay " + file + ": malformed at byte offset " + e.offset() + " after " + frames[0]
                    + " frames", e.getMessage());
            return -1;
        } catch (IOException e) {
            out.error("can't replay " + file + ": " + message(e), null);
            return -1;
        }
        if (out.isJson()) {
            out.json().startObject();
            out.json().stringField("dev", d.name());
            out.json().numberField("frames", frames[0]);
            out.json().endObject();
        } else {
            out.print(d.name() + "  replayed " + frames[0] + " frames\n");
        }
        DeviceEnds.Ends ends = DeviceEnds.of(bpf).get(d.ifindex());
        if (ends != null && ends.pcap != null && ends.pcap.toString().equals(file)) {
            ends.replayed.addAndGet(frames[0]);
        }
        return 0;
    }
}
