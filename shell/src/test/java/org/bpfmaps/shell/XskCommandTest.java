package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.bpfmaps.core.xdp.RingType;
import org.bpfmaps.core.xdp.XdpRing;
import org.bpfmaps.core.xdp.XdpSocket;
import org.bpfmaps.map.xsk.XskMapProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code dev ...} and {@code xsk ...} on a real instance with the XSKMAP family: devices with
 * their queues and the sockets bound to each, an XSK socket made with its UMEM and rings, bound,
 * put in an XSKMAP and shown (rings, statistics, map slots; plain and JSON), closed; and bad
 * input: the kernel's errno with the field and the limit, exit 255, nothing left behind.
 */
class XskCommandTest {
    private final ProviderHost host = Standalone.create();
    private final BpfInstance bpf;

    XskCommandTest() {
        host.addProvider(new XskMapProvider());
        bpf = host.newInstance(BpfSettings.defaults().withPossibleCpus(2));
    }

    @AfterEach
    void close() {
        bpf.close();
    }

    private static List<String> words(String line) {
        return line.isBlank() ? List.of() : Arrays.asList(line.trim().split(" +"));
    }

    private interface Cmd {
        int run(List<String> words, PrintStream out, PrintStream err);
    }

    private static Emulator.Result run(Cmd c, String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = c.run(words(line), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Emulator.Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Emulator.Result dev(String line) {
        return run(new DevCommand(bpf)::run, line);
    }

    private Emulator.Result xsk(String line) {
        return run(new XskCommand(bpf)::run, line);
    }

    private Emulator.Result map(String line) {
        return run(new MapCommand(bpf)::run, line);
    }

    private Emulator.Result sock(String line) {
        return run(new SockCommand(bpf)::run, line);
    }

    private static Emulator.Result ok(String out) {
        return new Emulator.Result(0, out, "");
    }

    private static Emulator.Result error(String what, String detail) {
        return new Emulator.Result(255, "", "Error: " + what + "\n  " + detail + "\n");
    }

    private String cookie(int fd) {
        return Long.toUnsignedString(Sockets.byFd(bpf, fd).cookie());
    }

    private static final String SMALL = "create frames 8 frame-size 2048 rx 4 tx 4 fill 8 comp 8";

    private String fresh(int fd, String cookie) {
        return fd + ": xsk  cookie " + cookie + "  unbound\n"
                + "\tumem 8 frames of 2048B  headroom 0B  size 16384B\n"
                + "\tfill  size 8  producer 0  consumer 0  filled 0  free 8\n"
                + "\tcomp  size 8  producer 0  consumer 0  filled 0  free 8\n"
                + "\trx    size 4  producer 0  consumer 0  filled 0  free 4\n"
                + "\ttx    size 4  producer 0  consumer 0  filled 0  free 4\n"
                + "\trx_dropped 0  rx_invalid_descs 0  tx_invalid_descs 0\n"
                + "\trx_ring_full 0  rx_fill_ring_empty_descs 0  tx_ring_empty_descs 0\n";
    }

    /** A queue's counters in JSON before any frame. */
    private static String rx(int queue) {
        return "{\"queue\":" + queue + ",\"packets\":0,\"bytes\":0,\"pass\":0,\"drop\":0,\"tx\":0,\"redirect\":0,"
                + "\"aborted\":0,\"redirect_errors\":0,\"no_buffer\":0,\"oversize\":0}";
    }

    private static final String RX0 = rx(0);

    @Test
    void aFreshInstanceHasLoAndDevAddMakesMore() {
        assertEquals(ok("1: lo  queues 1\n"), dev("list"));
        assertEquals(ok("2: eth0  queues 4\n"), dev("add eth0 queues 4"));
        assertEquals(ok("1: lo  queues 1\n2: eth0  queues 4\n"), dev("show"));
        assertEquals(ok("{\"ifindex\":2,\"name\":\"eth0\",\"queues\":4,\"bound\":[],\"xdp\":null,\"udp\":null,\"pcap\":null,\"pass\":null,\"tx\":null,\"rx\":["
                + RX0 + "," + rx(1) + "," + rx(2) + "," + rx(3) + "]}\n"), dev("-j show eth0"));
    }

    @Test
    void devAddRefusesATakenNameAndABadCountWithTheErrno() {
        assertAll(
                () -> assertEquals(error("can't add device 'lo': File exists (EEXIST)", "a device of that name exists"),
                        dev("add lo queues 2")),
                () -> assertEquals(error("can't add device 'x': Invalid argument (EINVAL)", "queues 0: from 1 to 4096"),
                        dev("add x queues 0")),
                () -> assertEquals(error("can't add device 'x': Invalid argument (EINVAL)", "queues 4097: from 1 to 4096"),
                        dev("add x queues 4097")),
                () -> assertEquals(error("can't add device 'x': Invalid argument (EINVAL)",
                        "queues 4294967295: from 1 to 4096"), dev("add x queues 4294967295")),
                () -> assertEquals(error("invalid queues 'many'", "queues: a number from 1 to 4096"),
                        dev("add x queues many")),
                () -> assertEquals(error("can't add device 'a/b': Invalid argument (EINVAL)",
                        "device name: 1 to 15 bytes, not . or .., no '/', ':' or white space"), dev("add a/b queues 1")),
                () -> assertEquals(error("no device 'nope'", "dev list shows the instance's devices"), dev("show nope")),
                () -> assertEquals(ok("1: lo  queues 1\n"), dev("list")), // nothing added by the failures
                () -> assertEquals(255, dev("add x queues").exit()),
                () -> assertTrue(dev("add x queues").stderr().startsWith("Usage: dev")));
    }

    @Test
    void createBindMapShowAndClose() {
        Emulator.Result made = xsk(SMALL);
        assertEquals(ok(fresh(3, cookie(3))), made);
        assertEquals(0, dev("add eth0 queues 2").exit());
        Emulator.Result bound = xsk("bind 3 dev eth0 queue 1");
        assertEquals(0, bound.exit(), bound.stderr());
        assertTrue(bound.stdout().startsWith("3: xsk  cookie " + cookie(3) + "  dev eth0 (ifindex 2)  queue 1\n"),
                bound.stdout());
        assertEquals(ok("1: lo  queues 1\n2: eth0  queues 2\n\tqueue 1  xsk 3\n"), dev("list"));
        assertEquals(ok("{\"ifindex\":2,\"name\":\"eth0\",\"queues\":2,\"bound\":[{\"queue\":1,\"xsk\":[3]}],\"xdp\":null,\"udp\":null,\"pcap\":null,\"pass\":null,\"tx\":null,\"rx\":["
                + RX0 + "," + rx(1) + "]}\n"), dev("-j show eth0"));

        // the application side moves the FILL ring: show reads the shared indices
        XdpRing fill = XdpSocket.byFd(bpf, 3).ring(RingType.FILL);
        assertEquals(3, fill.producer().reserve(3));
        for (int i = 0; i < 3; i++) {
            fill.producer().addr(fill.producer().index() + i, i * 2048L);
        }
        fill.producer().submit(3);

        assertEquals(0, map("create /sys/fs/bpf/xm type xskmap key 4 value 4 entries 4 name xm").exit());
        Emulator.Result put = map("update name xm key 2 0 0 0 value 3 0 0 0");
        assertEquals(ok(""), put);
        String shown = xsk("show 3").stdout();
        assertTrue(shown.contains("\tfill  size 8  producer 3  consumer 0  filled 3  free 5\n"), shown);
        assertTrue(shown.endsWith("\tmap " + mapId() + "  key 02 00 00 00\n"), shown);

        Map<?, ?> j = (Map<?, ?>) Json.documents(xsk("-j show 3").stdout()).get(0);
        assertEquals(List.of("fd", "cookie", "dev", "ifindex", "queue", "umem", "rings", "statistics", "maps"),
                List.copyOf(j.keySet()));
        assertEquals(Map.of("size", 8L, "producer", 3L, "consumer", 0L, "filled", 3L, "free", 5L),
                ((Map<?, ?>) j.get("rings")).get("fill"));
        assertEquals(0L, ((Map<?, ?>) j.get("statistics")).get("rx_fill_ring_empty_descs"));

        // sock list shows it as a socket of the instance
        assertEquals(ok("3: xdp  state CLOSE  cookie " + cookie(3) + "\n\tmap " + mapId() + "  key 02 00 00 00\n"),
                sock("list"));

        assertEquals(ok(""), xsk("close 3"));
        assertNull(Sockets.byFd(bpf, 3));
        assertEquals(ok("1: lo  queues 1\n2: eth0  queues 2\n"), dev("list"));
        assertEquals(ok(""), xsk("list"));
    }

    private String mapId() {
        String show = map("show name xm").stdout();
        return show.substring(0, show.indexOf(':'));
    }

    @Test
    void badSizesGetTheKernelsErrnoNamingTheFieldAndLeaveNoSocket() {
        assertAll(
                () -> assertEquals(error("can't create XSK socket: rx 3: Invalid argument (EINVAL)",
                        "ring size 3: a power of two above 0"), xsk("create frames 8 rx 3")),
                () -> assertEquals(error("can't create XSK socket: fill 0: Invalid argument (EINVAL)",
                        "ring size 0: a power of two above 0"), xsk("create frames 8 fill 0")),
                () -> assertEquals(error("can't create XSK socket: frame-size 3000: Invalid argument (EINVAL)",
                        "chunk_size 3000: a power of two unless the unaligned flag is set"),
                        xsk("create frames 8 frame-size 3000")),
                () -> assertEquals(error("can't create XSK socket: frame-size 1024: Invalid argument (EINVAL)",
                        "chunk_size 1024: from 2048 to the page size (4096)"), xsk("create frames 8 frame-size 1024")),
                () -> assertEquals(error("can't create XSK socket: headroom 1345: Invalid argument (EINVAL)",
                        "headroom 1345: at most chunk_size - 704 (1344)"),
                        xsk("create frames 8 frame-size 2048 headroom 1345")),
                () -> assertEquals(error("can't create XSK socket: frames 0: Invalid argument (EINVAL)",
                        "len 0: holds no chunk of 4096 bytes"), xsk("create frames 0")),
                () -> assertEquals(error("invalid rx 'big'", "rx: a number from 0 to 4294967295"),
                        xsk("create rx big")),
                () -> assertEquals(List.of(), List.copyOf(Sockets.list(bpf).keySet()), "a failed create left a socket"));
        Emulator.Result ok = xsk("create frames 8 frame-size 2048 headroom 1344");
        assertEquals(0, ok.exit(), ok.stderr());
    }

    @Test
    void bindGetsTheKernelsErrnos() {
        assertEquals(0, xsk(SMALL).exit());
        assertEquals(0, xsk(SMALL).exit());
        assertAll(
                () -> assertEquals(error("can't bind XSK socket 3 to lo queue 1: Invalid argument (EINVAL)",
                        "queue 1: the device has 1 queues"), xsk("bind 3 dev lo queue 1")),
                () -> assertEquals(error("can't bind XSK socket 3 to lo queue 0: Operation not supported (EOPNOTSUPP)",
                        "the device has no zero-copy mode"), xsk("bind 3 dev lo queue 0 zerocopy")),
                () -> assertEquals(error("can't bind XSK socket 3 to eth9 queue 0: No such device (ENODEV)",
                        "no device 'eth9'; dev list shows the instance's devices"), xsk("bind 3 dev eth9 queue 0")),
                () -> assertEquals(error("fd 9 is not an XSK socket",
                        "no fd 9 is open in the instance; xsk list shows the XSK sockets"), xsk("bind 9 dev lo queue 0")));
        assertEquals(0, xsk("bind 3 dev lo queue 0 copy").exit());
        assertEquals(error("can't bind XSK socket 3 to lo queue 0: Device or resource busy (EBUSY)",
                "the socket is bound already"), xsk("bind 3 dev lo queue 0"));
        assertEquals(error("can't bind XSK socket 4 to lo queue 0: Device or resource busy (EBUSY)",
                "queue 0 of the device has a socket's UMEM bound already"), xsk("bind 4 dev lo queue 0"));
    }

    @Test
    void jsonAndHelp() {
        Emulator.Result made = xsk("-j " + SMALL);
        assertEquals(0, made.exit(), made.stderr());
        assertTrue(made.stdout().startsWith("[{\"fd\":3,\"cookie\":" + cookie(3) + ",\"dev\":null,\"umem\":"
                + "{\"frames\":8,\"frame_size\":2048,\"headroom\":0,\"size\":16384},\"rings\":{\"fill\":"), made.stdout());
        assertEquals(new Emulator.Result(255, "{\"error\":\"can't create XSK socket: tx 5: Invalid argument (EINVAL)\","
                + "\"detail\":\"ring size 5: a power of two above 0\"}\n", ""), xsk("-j create tx 5"));
        assertEquals(new Emulator.Result(0, "", XskCommand.USAGE), xsk("help"));
        assertEquals(new Emulator.Result(0, "", DevCommand.USAGE), dev("help"));
    }

    @Test
    void completionOffersDevicesAndXskFds() {
        assertEquals(0, dev("add eth0 queues 2").exit());
        assertEquals(0, xsk(SMALL).exit());
        assertEquals(0, sock("udp 0").exit()); // fd 4: a socket, not an XSK one
        Completion c = new Completion(bpf, List::of, List::of);
        assertAll(
                () -> assertEquals(List.of("add", "help", "list", "replay", "set", "show"), c.candidates("dev ", 4)),
                () -> assertEquals(List.of("eth0", "lo"), c.candidates("dev show ", 9)),
                () -> assertEquals(List.of("bind", "close", "create", "fill", "help", "list", "read", "show"),
                        c.candidates("xsk ", 4)),
                () -> assertEquals(List.of("3"), c.candidates("xsk bind ", 9)),
                () -> assertEquals(List.of("eth0"), c.candidates("xsk bind 3 dev e", 16)),
                () -> assertEquals(List.of("copy", "zerocopy"), c.candidates("xsk bind 3 dev lo queue 0 ", 26)),
                () -> assertEquals(List.of("fill", "frame-size", "frames"), c.candidates("xsk create rx 8 f", 17)));
    }
}
