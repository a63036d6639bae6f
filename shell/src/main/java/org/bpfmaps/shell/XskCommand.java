package org.bpfmaps.shell;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.xdp.NetDevice;
import org.bpfmaps.core.xdp.NetDevices;
import org.bpfmaps.core.xdp.RingType;
import org.bpfmaps.core.xdp.UmemConfig;
import org.bpfmaps.core.xdp.XdpRing;
import org.bpfmaps.core.xdp.XdpSocket;
import org.bpfmaps.core.spi.ObjectHost;

/**
 * {@code xsk ...}: AF_XDP sockets of the instance ({@link XdpSocket}) from the shell. {@code create}
 * makes one with its UMEM and its four rings, as an application does with {@code socket(AF_XDP)},
 * XDP_UMEM_REG and the ring setsockopts; {@code bind} binds it to a device's queue; {@code show}
 * prints its rings (producer and consumer indices, filled and free) and its XDP_STATISTICS; its fd
 * goes into an XSKMAP with {@code map update ... value FD 0 0 0}. Setup errors are the core's,
 * which are the kernel's (EINVAL for a ring size that is no power of two, a frame size or headroom
 * out of range, ...): an {@code Error:} line naming the field and the errno, the core's reason with
 * the limit on the next, exit code 255, and no socket left behind.
 */
public final class XskCommand {
    /** Frames and frame size of a UMEM when not given: xdpsock's NUM_FRAMES and libxdp's XSK_UMEM__DEFAULT_FRAME_SIZE. */
    static final int DEFAULT_FRAMES = 4096;
    static final int DEFAULT_FRAME_SIZE = 4096;
    /** Entries of each ring when not given: libxdp's XSK_RING_{PROD,CONS}__DEFAULT_NUM_DESCS. */
    static final int DEFAULT_RING = 2048;

    static final String USAGE = """
            Usage: xsk { show | list } [FD]
                   xsk create [frames N] [frame-size S] [headroom H] [rx N] [tx N] [fill N] [comp N]
                   xsk bind FD dev NAME queue Q [{ copy | zerocopy }]
                   xsk fill FD [N]
                   xsk read FD [count N] [wait MS] [forward]
                   xsk close FD
                   xsk help

                   frames := UMEM frames (default 4096); frame-size := 2048..4096, a power of two
                   (default 4096); headroom := 0..frame-size - 704 (default 0)
                   rx, tx, fill, comp := ring entries, a power of two (default 2048 each)
                   NAME := a device (dev list shows them); Q := a queue id of the device
                   fill := N of the application's frames into the FILL ring (default: all it holds)
                   read := up to N received frames (default: all there are), waiting up to MS ms
                   (default 0) for them; each frame goes back to the FILL ring (forward: out of the
                   TX ring first, as xdpsock's l2fwd, then back through the COMPLETION ring)
                   OPTIONS := { {-j|--json} [{-p|--pretty}] }
            """;

    /** create's keywords, in the usage's order, each with its default. */
    static final List<String> CREATE = List.of("frames", "frame-size", "headroom", "rx", "tx", "fill", "comp");

    private interface Sub {
        int run(XskCommand c, Output out, Args a);
    }

    private record Entry(String name, Sub sub) {
    }

    private static final List<Entry> COMMANDS = List.of(
            new Entry("show", XskCommand::show),
            new Entry("list", XskCommand::show),
            new Entry("help", (c, out, a) -> CommandFrame.help(out, USAGE)),
            new Entry("create", XskCommand::create),
            new Entry("bind", XskCommand::bind),
            new Entry("close", XskCommand::close),
            new Entry("fill", XskCommand::fill),
            new Entry("read", XskCommand::read));

    private final Bpf bpf;

    public XskCommand(Bpf bpf) {
        this.bpf = Objects.requireNonNull(bpf, "bpf");
    }

    static List<String> commandNames() {
        return COMMANDS.stream().map(Entry::name).toList();
    }

    /** Runs {@code xsk WORDS...}: 0, or 255 after an {@code Error:} line or the usage. */
    public int run(List<String> words, PrintStream stdout, PrintStream stderr) {
        return CommandFrame.run(words, stdout, stderr, USAGE, (out, w) -> {
            Entry command = COMMANDS.get(CommandFrame.choose(commandNames(), w));
            return command.sub().run(this, out, CommandFrame.afterCommand(w));
        });
    }

    /** A decimal u32 (0..4294967295), or -1. */
    static long u32(String word) {
        try {
            return Integer.toUnsignedLong(Integer.parseUnsignedInt(word));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code xsk show [FD]}: every XSK socket (a JSON array), or one (an object). */
    private int show(Output out, Args a) {
        if (a.argc() > 1) {
            throw new Usage();
        }
        JsonWriter j = out.json();
        if (a.argc() == 1) {
            int fd = xskFd(out, a.next());
            if (fd < 0) {
                return -1;
            }
            print(out, fd, XdpSocket.byFd(bpf, fd));
            return 0;
        }
        if (j != null) {
            j.startArray();
        }
        XskText.sockets(bpf).forEach((fd, s) -> print(out, fd, s));
        if (j != null) {
            j.endArray();
        }
        return 0;
    }

    private void print(Output out, int fd, XdpSocket s) {
        if (out.isJson()) {
            XskText.xskJson(out.json(), bpf, fd, s);
        } else {
            out.print(XskText.xskPlain(bpf, fd, s));
        }
    }

    /**
     * {@code xsk create ...}: {@code socket(AF_XDP)}, XDP_UMEM_REG, then the FILL, COMPLETION, RX and
     * TX rings, in the order an application (libxdp's {@code xsk_umem__create}, {@code xsk_socket__create})
     * sets them up; the first failure closes the socket and names the field.
     */
    private int create(Output out, Args a) {
        Map<String, Long> v = new LinkedHashMap<>();
        v.put("frames", (long) DEFAULT_FRAMES);
        v.put("frame-size", (long) DEFAULT_FRAME_SIZE);
        v.put("headroom", 0L);
        for (String ring : List.of("rx", "tx", "fill", "comp")) {
            v.put(ring, (long) DEFAULT_RING);
        }
        while (a.argc() > 0) {
            String kw = a.next();
            if (!CREATE.contains(kw) || a.argc() == 0) {
                throw new Usage();
            }
            String word = a.next();
            long n = u32(word);
            if (n < 0) {
                out.error("invalid " + kw + " '" + word + "'", kw + ": a number from 0 to 4294967295");
                return -1;
            }
            v.put(kw, n);
        }
        XdpReason why = new XdpReason();
        int fd = XdpSocket.open(bpf, why);
        if (fd < 0) {
            out.error("can't create XSK socket: " + XdpReason.errno(fd), why.text);
            return -1;
        }
        XdpSocket s = XdpSocket.byFd(bpf, fd);
        long frames = v.get("frames");
        long size = v.get("frame-size");
        UmemConfig umem = new UmemConfig(frames * size, (int) size, (int) (long) v.get("headroom"), 0, 0);
        int r = s.registerUmem(umem, why);
        String field = null;
        if (r < 0) {
            // the core names XDP_UMEM_REG's fields; the shell's are frames, frame-size and headroom
            field = why.text.startsWith("chunk_size") ? "frame-size " + size
                    : why.text.startsWith("headroom") ? "headroom " + v.get("headroom") : "frames " + frames;
        }
        String[] names = {"fill", "comp", "rx", "tx"};
        RingType[] types = {RingType.FILL, RingType.COMPLETION, RingType.RX, RingType.TX};
        for (int i = 0; r >= 0 && i < types.length; i++) {
            r = s.createRing(types[i], (int) (long) v.get(names[i]), why);
            if (r < 0) {
                field = names[i] + " " + v.get(names[i]);
            }
        }
        if (r < 0) {
            bpf.close(fd);
            out.error("can't create XSK socket: " + field + ": " + XdpReason.errno(r), why.text);
            return -1;
        }
        if (out.isJson()) {
            out.json().startArray();
        }
        print(out, fd, s);
        if (out.isJson()) {
            out.json().endArray();
        }
        return 0;
    }

    /** {@code xsk bind FD dev NAME queue Q [copy | zerocopy]}: {@code bind(sockaddr_xdp)} with the kernel's errnos. */
    private int bind(Output out, Args a) {
        if (a.argc() != 5 && a.argc() != 6 || !Args.isPrefix(a.peek(1), "dev") || !Args.isPrefix(a.peek(3), "queue")) {
            throw new Usage();
        }
        int fd = xskFd(out, a.next());
        if (fd < 0) {
            return -1;
        }
        a.next();
        String name = a.next();
        a.next();
        String qWord = a.next();
        int flags = 0;
        if (a.argc() == 1) {
            String mode = a.next();
            if (Args.isPrefix(mode, "copy")) {
                flags = XdpSocket.XDP_COPY;
            } else if (Args.isPrefix(mode, "zerocopy")) {
                flags = XdpSocket.XDP_ZEROCOPY;
            } else {
                throw new Usage();
            }
        }
        long queue = u32(qWord);
        if (queue < 0) {
            out.error("invalid queue '" + qWord + "'", "queue: a number from 0 to 4294967295 (dev list shows the "
                    + "devices' queues)");
            return -1;
        }
        NetDevice d = NetDevices.of(bpf).byName(name);
        XdpReason why = new XdpReason();
        // no device of that name: the kernel's answer to an ifindex with no device (ENODEV), by ifindex 0
        int r = XdpSocket.byFd(bpf, fd).bind(d == null ? 0 : d.ifindex(), (int) queue, flags, 0, why);
        if (r < 0) {
            out.error("can't bind XSK socket " + fd + " to " + name + " queue " + qWord + ": " + XdpReason.errno(r),
                    d == null ? "no device '" + name + "'; dev list shows the instance's devices" : why.text);
            return -1;
        }
        print(out, fd, XdpSocket.byFd(bpf, fd));
        return 0;
    }

    /** {@code xsk fill FD [N]}: the application's frames into the FILL ring, for the device to receive into. */
    private int fill(Output out, Args a) {
        if (a.argc() != 1 && a.argc() != 2) {
            throw new Usage();
        }
        int fd = xskFd(out, a.next());
        if (fd < 0) {
            return -1;
        }
        long n = Long.MAX_VALUE;
        if (a.argc() == 1) {
            String word = a.next();
            n = u32(word);
            if (n < 0) {
                out.error("invalid count '" + word + "'", "fill: a number of frames from 0 to 4294967295");
                return -1;
            }
        }
        XdpSocket s = XdpSocket.byFd(bpf, fd);
        if (s.umem() == null || s.ring(RingType.FILL) == null) {
            out.error("can't fill XSK socket " + fd + ": it has no UMEM or FILL ring", null);
            return -1;
        }
        XskFrames frames = XskFrames.of(s);
        int put = frames.fill(n);
        if (out.isJson()) {
            out.json().startObject();
            out.json().numberField("fd", fd);
            out.json().numberField("filled", put);
            out.json().numberField("held", frames.held());
            out.json().endObject();
        } else {
            out.print(fd + ": fill  " + put + " frames  (the application holds " + frames.held() + ")\n");
        }
        return 0;
    }

    /**
     * {@code xsk read FD [count N] [wait MS] [forward]}: received frames from the RX ring, each shown
     * (a UDP frame as its addresses and payload, another as its bytes) and given back to the FILL
     * ring, with {@code forward} after going out of the TX ring (through the device's {@code tx}
     * output, {@code dev add ... tx OUT}).
     */
    private int read(Output out, Args a) {
        if (a.argc() < 1) {
            throw new Usage();
        }
        int fd = xskFd(out, a.next());
        if (fd < 0) {
            return -1;
        }
        long count = -1;
        long wait = 0;
        boolean forward = false;
        while (a.argc() > 0) {
            String kw = a.next();
            if (Args.isPrefix(kw, "forward") && !forward) {
                forward = true;
                continue;
            }
            boolean isCount = Args.isPrefix(kw, "count");
            if (!isCount && !Args.isPrefix(kw, "wait") || a.argc() == 0) {
                throw new Usage();
            }
            String word = a.next();
            long n = u32(word);
            if (n < 0 || !isCount && n > 3_600_000) {
                out.error("invalid " + (isCount ? "count" : "wait") + " '" + word + "'", isCount
                        ? "count: a number of frames from 0 to 4294967295" : "wait: milliseconds from 0 to 3600000");
                return -1;
            }
            if (isCount) {
                count = n;
            } else {
                wait = n;
            }
        }
        XdpSocket s = XdpSocket.byFd(bpf, fd);
        XdpRing rx = s.ring(RingType.RX);
        if (rx == null || s.umem() == null) {
            out.error("can't read XSK socket " + fd + ": it has no UMEM or RX ring", null);
            return -1;
        }
        int max = (int) Math.min(count < 0 ? rx.size() : count, rx.size());
        List<XskFrames.Received> got;
        long sentBefore = XskFrames.of(s).sent();
        try {
            got = XskFrames.of(s).read(max, count < 0 ? 1 : max, wait * 1_000_000L, forward);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.error("interrupted", null);
            return -1;
        }
        if (out.isJson()) {
            out.json().startArray();
        }
        for (XskFrames.Received r : got) {
            XskText.frame(out, r);
        }
        if (out.isJson()) {
            out.json().endArray();
        } else {
            out.print("Found " + got.size() + " frame" + (got.size() == 1 ? "" : "s") + "\n");
            if (forward) {
                long sent = XskFrames.of(s).sent() - sentBefore;
                out.print("Sent " + sent + " frame" + (sent == 1 ? "" : "s") + "\n");
            }
        }
        return 0;
    }

    /** {@code xsk close FD}: closes the XSK socket's fd: it leaves its queue and every XSKMAP. */
    private int close(Output out, Args a) {
        if (a.argc() != 1) {
            throw new Usage();
        }
        int fd = xskFd(out, a.next());
        if (fd < 0) {
            return -1;
        }
        bpf.close(fd);
        if (out.isJson()) {
            out.json().nul();
        }
        return 0;
    }

    /** The fd a word names when it is an XSK socket's; else -1 after an Error line that says what it is. */
    private int xskFd(Output out, String word) {
        long fd = u32(word);
        if (fd < 0 || fd > Integer.MAX_VALUE) {
            out.error("invalid fd '" + word + "'", "an fd is a number 0.." + Integer.MAX_VALUE
                    + "; xsk list shows the XSK sockets' fds");
            return -1;
        }
        int f = (int) fd;
        if (XdpSocket.byFd(bpf, f) != null) {
            return f;
        }
        String what = Sockets.byFd(bpf, f) != null ? "it is a socket of another kind (sock list shows it)"
                : ObjectHost.of(bpf).map(h -> h.id(f) >= 0).orElse(false) ? "it is another object of the instance"
                : "no fd " + f + " is open in the instance; xsk list shows the XSK sockets";
        out.error("fd " + f + " is not an XSK socket", what);
        return -1;
    }
}
