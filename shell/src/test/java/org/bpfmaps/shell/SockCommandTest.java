package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.SocketState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sock ...} on a real instance with real loopback sockets: what each subcommand opens and
 * shows (plain and JSON), the maps a socket is in, closing, the pair one connect makes on a
 * listener of the shell, and bad input: an Error line with the detail, exit 255, and nothing left
 * behind. Completion of socket fds.
 */
class SockCommandTest {
    private final SockShell sh = new SockShell();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        sh.close();
    }

    private static Emulator.Result ok(String out) {
        return new Emulator.Result(0, out, "");
    }

    private static Emulator.Result error(String what, String detail) {
        return new Emulator.Result(255, "", "Error: " + what + "\n" + (detail == null ? "" : "  " + detail + "\n"));
    }

    private int port(int fd) {
        return ((InetSocketAddress) sh.at(fd).localAddress()).getPort();
    }

    private String cookie(int fd) {
        return Long.toUnsignedString(sh.at(fd).cookie());
    }

    /** {@code sock listen 0} on fd 3, then {@code sock connect} to it: client on 4, accepted end on 5. */
    private int pair() {
        assertEquals(0, sh.sock("listen 0").exit());
        int p = port(3);
        Emulator.Result r = sh.sock("connect 127.0.0.1 " + p);
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(List.of(3, 4, 5), sh.fds());
        return p;
    }

    @Test
    void listenThenConnectMakesAnEstablishedPairInOneCommand() {
        Emulator.Result listen = sh.sock("listen 0");
        int p = port(3);
        assertEquals(ok("3: tcp  state LISTEN  cookie " + cookie(3) + "\n\tlocal 127.0.0.1:" + p + "\n"), listen);
        Emulator.Result connect = sh.sock("connect 127.0.0.1 " + p);
        int c = port(4);
        assertEquals(ok("4: tcp  state ESTABLISHED  cookie " + cookie(4) + "\n\tlocal 127.0.0.1:" + c
                + "  remote 127.0.0.1:" + p + "\n"
                + "5: tcp  state ESTABLISHED  cookie " + cookie(5) + "\n\tlocal 127.0.0.1:" + p
                + "  remote 127.0.0.1:" + c + "\n"), connect);
        assertEquals(sh.at(4).localAddress(), sh.at(5).remoteAddress(), "the accepted end is the client's peer");
        // the list shows the same, in fd order; abbreviations as bpftool's (l is list)
        assertEquals(ok(listen.stdout() + connect.stdout()), sh.sock("list"));
        assertEquals(sh.sock("list"), sh.sock("l"));
        assertEquals(sh.sock("list"), sh.sock(""), "bare sock is sock show");
        assertEquals(ok(listen.stdout()), sh.sock("show 3"));
    }

    @Test
    void theMapsASocketIsInAreListedByIdAndKey() throws IOException {
        pair();
        assertEquals(0, sh.map("create /sys/fs/bpf/sm type sockmap key 4 value 4 entries 4 name sm").exit());
        assertEquals(0, sh.map("create /sys/fs/bpf/sh type sockhash key 4 value 8 entries 4 name sh").exit());
        // the value is an fd of the instance, as bpftool's value is an fd of its process
        assertEquals(ok(""), sh.map("update pinned /sys/fs/bpf/sm key 0 0 0 0 value 4 0 0 0"));
        assertEquals(ok(""), sh.map("update pinned /sys/fs/bpf/sm key 3 0 0 0 value 3 0 0 0"));
        assertEquals(ok(""), sh.map("update pinned /sys/fs/bpf/sh key 7 0 0 0 value 5 0 0 0 0 0 0 0"));
        assertEquals(ok(""), sh.map("update pinned /sys/fs/bpf/sm key 1 0 0 0 value 5 0 0 0"));
        String p = Integer.toString(port(3));
        String c = Integer.toString(port(4));
        assertEquals(ok("3: tcp  state LISTEN  cookie " + cookie(3) + "\n\tlocal 127.0.0.1:" + p + "\n"
                + "\tmap 1  key 03 00 00 00\n"
                + "4: tcp  state ESTABLISHED  cookie " + cookie(4) + "\n\tlocal 127.0.0.1:" + c + "  remote 127.0.0.1:" + p
                + "\n\tmap 1  key 00 00 00 00\n"
                + "5: tcp  state ESTABLISHED  cookie " + cookie(5) + "\n\tlocal 127.0.0.1:" + p + "  remote 127.0.0.1:" + c
                + "\n\tmap 2  key 07 00 00 00\n\tmap 1  key 01 00 00 00\n"), sh.sock("list"));
        assertEquals(ok("{\"fd\":5,\"kind\":\"tcp\",\"state\":\"ESTABLISHED\",\"cookie\":" + cookie(5)
                + ",\"local\":\"127.0.0.1:" + p + "\",\"remote\":\"127.0.0.1:" + c + "\",\"maps\":["
                + "{\"id\":2,\"key\":[\"0x07\",\"0x00\",\"0x00\",\"0x00\"]},"
                + "{\"id\":1,\"key\":[\"0x01\",\"0x00\",\"0x00\",\"0x00\"]}]}\n"), sh.sock("-j show 5"));
        assertEquals(ok("{\n    \"fd\": 3,\n    \"kind\": \"tcp\",\n    \"state\": \"LISTEN\",\n"
                + "    \"cookie\": " + cookie(3) + ",\n    \"local\": \"127.0.0.1:" + p + "\",\n"
                + "    \"maps\": [{\n            \"id\": 1,\n"
                + "            \"key\": [\"0x03\",\"0x00\",\"0x00\",\"0x00\"\n            ]\n"
                + "        }\n    ]\n}\n"), sh.sock("show -p 3"));

        // the client closes: it leaves its map; its peer gets the FIN and stays, in CLOSE_WAIT
        BpfSocket peer = sh.at(5);
        assertEquals(ok(""), sh.sock("close 4"));
        assertEquals(-1, ((SocketChannel) peer.channel()).read(ByteBuffer.allocate(1)), "the FIN arrived");
        assertEquals(List.of(3, 5), sh.fds());
        Emulator.Result five = sh.sock("show 5");
        assertTrue(five.stdout().startsWith("5: tcp  state CLOSE_WAIT  cookie "), five.stdout());
        assertTrue(five.stdout().endsWith("\n\tmap 2  key 07 00 00 00\n\tmap 1  key 01 00 00 00\n"), five.stdout());
        assertEquals(new Emulator.Result(228, "", "Error: lookup failed: No space left on device\n"
                + "  a lookup from user space returns the socket's cookie: value_size must be 8, not 4\n"),
                sh.map("lookup pinned /sys/fs/bpf/sm key 1 0 0 0"), "value_size 4: no cookie to give");
        assertEquals(ok("null\n"), sh.sock("-j close 5"));
        assertEquals(ok("Found 0 elements\n"), sh.map("dump pinned /sys/fs/bpf/sh"), "closed: out of the sockhash");
    }

    @Test
    void udpAndUnixSockets() throws IOException {
        Emulator.Result udp = sh.sock("udp 0");
        assertEquals(ok("3: udp  state CLOSE  cookie " + cookie(3) + "\n\tlocal 127.0.0.1:" + port(3) + "\n"), udp);
        Path path = dir.resolve("s");
        Emulator.Result listen = sh.sock("unix listen " + path);
        assertEquals(ok("4: unix_stream  state LISTEN  cookie " + cookie(4) + "\n\tlocal " + path + "\n"), listen);
        Emulator.Result connect = sh.sock("unix " + path);
        assertEquals(0, connect.exit(), connect.stderr());
        assertEquals("5: unix_stream  state ESTABLISHED  cookie " + cookie(5) + "\n\tremote " + path + "\n"
                + "6: unix_stream  state ESTABLISHED  cookie " + cookie(6) + "\n\tlocal " + path + "\n", connect.stdout());
        assertEquals(0, sh.map("create /sys/fs/bpf/sm type sockmap key 4 value 8 entries 4 name sm").exit());
        for (int fd = 3; fd <= 6; fd++) {
            Emulator.Result r = sh.map("update pinned /sys/fs/bpf/sm key " + (fd - 3) + " 0 0 0 value " + fd
                    + " 0 0 0 0 0 0 0");
            if (fd == 4) {
                // a Unix listener is no socket a sockmap takes (sock_map_sk_state_allowed)
                assertEquals(new Emulator.Result(256 - 95, "", "Error: update failed: Operation not supported\n"
                        + "  Unix stream socket not connected (state LISTEN)\n"), r, "EOPNOTSUPP");
            } else {
                assertEquals(ok(""), r, "fd " + fd);
            }
        }
        assertTrue(Files.exists(path), "the socket's file");
        assertEquals(ok(""), sh.sock("close 4"));
        assertTrue(Files.exists(path), "stays when the socket closes, as in the kernel");
        Emulator.Result again = sh.sock("unix listen " + path);
        assertEquals(255, again.exit());
        assertTrue(again.stderr().startsWith("Error: can't listen on " + path + ": "), again.stderr());
    }

    @Test
    void ipv6AddressesInTheirShortForm() {
        assertEquals(List.of("::1", "::", "2001:db8::1", "2001:db8:0:1:1:1:1:1", "1::", "fe80::1:0:0:1"),
                List.of(SocketText.ipv6(v6("::1")), SocketText.ipv6(v6("::")), SocketText.ipv6(v6("2001:db8:0:0:0:0:0:1")),
                        SocketText.ipv6(v6("2001:db8:0:1:1:1:1:1")), SocketText.ipv6(v6("1:0:0:0:0:0:0:0")),
                        SocketText.ipv6(v6("fe80:0:0:0:1:0:0:1"))));
    }

    private static byte[] v6(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void ipv6PairsAndBracketedHosts() {
        Emulator.Result listen = sh.sock("listen ::1 0");
        int p = port(3);
        assertEquals(ok("3: tcp  state LISTEN  cookie " + cookie(3) + "\n\tlocal [::1]:" + p + "\n"), listen);
        Emulator.Result connect = sh.sock("connect [::1] " + p);
        assertEquals(0, connect.exit(), connect.stderr());
        int c = port(4);
        assertEquals("4: tcp  state ESTABLISHED  cookie " + cookie(4) + "\n\tlocal [::1]:" + c + "  remote [::1]:" + p
                + "\n5: tcp  state ESTABLISHED  cookie " + cookie(5) + "\n\tlocal [::1]:" + p + "  remote [::1]:" + c
                + "\n", connect.stdout(), "states read from tcp6");
    }

    /**
     * Random command lines from the grammar's words and bad ones: every answer is a success or an
     * Error line or the usage with exit 255, never an internal error; only loopback, and only ports
     * the instance opened or port 1 (refused).
     */
    @Test
    void randomCommandLinesAnswerCleanly() {
        long seed = Long.getLong("bpfmaps.sock.seed", System.nanoTime());
        java.util.Random rnd = new java.util.Random(seed);
        List<String> vocabulary = List.of("show", "list", "listen", "connect", "udp", "unix", "close", "help", "l",
                "c", "u", "s", "-j", "-p", "--frob", "0", "1", "3", "4", "5", "70000", "-1", "x", "", "127.0.0.1",
                "::1", "[::1]", "1:2:3:zz", dir.resolve("u").toString(), dir.resolve("nosuch/x").toString());
        for (int i = 0; i < 300; i++) {
            List<String> words = new java.util.ArrayList<>();
            for (int n = rnd.nextInt(5); n > 0; n--) {
                words.add(vocabulary.get(rnd.nextInt(vocabulary.size())));
            }
            Emulator.Result r = sh.sock(words);
            String line = String.join(" ", words) + " (seed " + seed + ")";
            assertTrue(r.exit() == 0 || r.exit() == 255, line + ": " + r);
            assertFalse(r.stderr().contains("internal error") || r.stdout().contains("internal error"), line + ": " + r);
            assertTrue(r.exit() == 0 || r.stderr().startsWith("Error: ") || r.stderr().equals(SockCommand.USAGE)
                    || r.stdout().contains("\"error\"") || r.stdout().equals("null\n"), line + ": " + r);
        }
    }

    @Test
    void manyOpenConnectCloseCyclesLeaveNoFdBehind() throws IOException {
        cycle(); // the first loads the classes (jar files stay open)
        long before = openFds();
        for (int i = 0; i < 200; i++) {
            cycle();
        }
        assertEquals(List.of(), sh.fds());
        assertTrue(openFds() <= before, "the process's fds: " + before + " before, " + openFds() + " after");
    }

    /** A listener, a pair on it, and a refused connect; then every fd closed. */
    private void cycle() {
        assertEquals(0, sh.sock("listen 0").exit());
        int p = port(3);
        assertEquals(0, sh.sock("connect 127.0.0.1 " + p).exit());
        for (int fd = 3; fd <= 5; fd++) {
            assertEquals(0, sh.sock("close " + fd).exit());
        }
        assertEquals(255, sh.sock("connect 127.0.0.1 " + p).exit(), "refused: the listener closed");
    }

    private static long openFds() throws IOException {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void aListenerTheShellDidNotOpenIsNotAcceptedOn() throws IOException {
        ServerSocketChannel app = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int p = ((InetSocketAddress) app.getLocalAddress()).getPort();
        Emulator.Result r = sh.sock("connect 127.0.0.1 " + p);
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(List.of(3), sh.fds(), "the client only: the application accepts on its listener");
        try (SocketChannel accepted = app.accept()) {
            assertEquals(sh.at(3).localAddress(), accepted.getRemoteAddress());
        }
        app.close();
    }

    @Test
    void oneShotClientsOfOneShellShareItsListenersAndAnotherShellDoesNot() {
        assertEquals(0, sh.sock("listen 0").exit());
        int p = port(3);
        // another shell's connect: the client only, its connection left in the listener's queue
        Emulator.Result other = SockShell.sock(new SockCommand(sh.bpf), List.of("connect", "127.0.0.1", "" + p));
        assertEquals(0, other.exit(), other.stderr());
        assertEquals(List.of(3, 4), sh.fds());
        // this shell's next connect accepts its own connection, and the one queued before it too
        Emulator.Result r = sh.sock("connect 127.0.0.1 " + p);
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(List.of(3, 4, 5, 6, 7), sh.fds());
        assertEquals(sh.at(4).localAddress(), sh.at(6).remoteAddress(), "the one queued before");
        assertEquals(sh.at(5).localAddress(), sh.at(7).remoteAddress(), "its own");
        for (int fd = 4; fd <= 7; fd++) {
            assertEquals(SocketState.ESTABLISHED, sh.at(fd).state(), "fd " + fd);
        }
    }

    @Test
    void badInputIsAnErrorWithItsReasonAndLeavesNothingBehind() throws IOException {
        int p = pair();
        int map = sh.bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 4, 1));
        assertEquals(6, map);
        List<Integer> before = sh.fds();
        int closed;
        try (ServerSocketChannel gone = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            closed = ((InetSocketAddress) gone.getLocalAddress()).getPort();
        }
        assertAll(
                () -> assertEquals(error("can't listen on 127.0.0.1:" + p + ": Address already in use", null),
                        sh.sock("listen " + p)),
                () -> assertEquals(error("can't connect to 127.0.0.1:" + closed + ": Connection refused", null),
                        sh.sock("connect 127.0.0.1 " + closed)),
                () -> assertEquals(error("invalid port '70000'", "a port is a number 0..65535 (0: the kernel picks one)"),
                        sh.sock("listen 70000")),
                () -> assertEquals(error("invalid port 'http'", "a port is a number 0..65535 (0: the kernel picks one)"),
                        sh.sock("udp 127.0.0.1 http")),
                () -> assertEquals(error("invalid host '1:2:3:zz'", "neither an IPv4 or IPv6 address nor a name that "
                        + "resolves"), sh.sock("listen 1:2:3:zz 0")),
                () -> assertEquals(error("fd 99 is not a socket", "no fd 99 is open in the instance; sock list shows "
                        + "the sockets"), sh.sock("close 99")),
                () -> assertEquals(error("fd 6 is not a socket", "it is another object of the instance (a map: bpf "
                        + "close fd=6 closes any fd)"), sh.sock("close 6")),
                () -> assertEquals(error("invalid fd 'x'", "an fd is a number 0..2147483647; sock list shows the "
                        + "sockets' fds"), sh.sock("show x")),
                () -> assertEquals(error("unrecognized option '--frob'", null), sh.sock("--frob list")),
                () -> assertEquals("{\"error\":\"fd 99 is not a socket\",\"detail\":\"no fd 99 is open in the instance; "
                        + "sock list shows the sockets\"}\n", sh.sock("-j close 99").stdout()),
                () -> assertEquals(new Emulator.Result(255, "", SockCommand.USAGE), sh.sock("frob")),
                () -> assertEquals(new Emulator.Result(255, "", SockCommand.USAGE), sh.sock("listen")),
                () -> assertEquals(new Emulator.Result(255, "", SockCommand.USAGE), sh.sock("connect 127.0.0.1")),
                () -> assertEquals(new Emulator.Result(255, "", SockCommand.USAGE), sh.sock("close 3 4")),
                () -> assertEquals(new Emulator.Result(255, "", SockCommand.USAGE), sh.sock("unix")),
                () -> assertEquals(new Emulator.Result(255, "null\n", ""), sh.sock("-j frob")),
                () -> assertEquals(new Emulator.Result(0, "", SockCommand.USAGE), sh.sock("help")));
        assertEquals(before, sh.fds(), "no socket made or closed by a failure");
        assertTrue(sh.bpf.close(map) == 0, "the map fd was not closed by sock close");
    }

    @Test
    void aSocketWhoseChannelClosedShowsClosedUntilItsFdCloses() throws IOException {
        pair();
        sh.at(4).channel().close(); // the application closes it under the shell
        Emulator.Result r = sh.sock("show 4");
        assertEquals(ok("4: tcp  state CLOSED  cookie " + cookie(4) + "\n"), r, "no addresses: closed");
        assertEquals(ok(""), sh.sock("close 4"));
        assertNull(sh.at(4));
    }

    @Test
    void completionOffersTheSubcommandsAndTheSocketFds() {
        pair();
        assertEquals(0, sh.map("create /sys/fs/bpf/sm type sockmap key 4 value 4 entries 4 name sm").exit());
        Completion c = new Completion(sh.bpf, sh.host::mapTypes, List::of);
        assertEquals(SockCommand.commandNames().stream().sorted().toList(), c.candidates("sock ", 5));
        assertEquals(List.of("close", "connect"), c.candidates("sock c", 6));
        assertEquals(List.of("3", "4", "5"), c.candidates("sock close ", 11), "the socket fds, no map fd");
        assertEquals(List.of("3", "4", "5"), c.candidates("bpf:sock -j show ", 17));
        assertEquals(List.of("4"), c.candidates("sock list 4", 11));
        assertEquals(List.of(), c.candidates("sock close 3 ", 13));
        assertEquals(List.of(), c.candidates("sock listen ", 12), "ports are the user's");
        assertTrue(c.candidates("sock unix ", 10).contains("listen"));
        assertTrue(c.candidates("sock unix listen ", 17).contains("pom.xml"), "paths, from the working directory");
        assertEquals(List.of("--json", "--pretty"), c.candidates("sock show --", 12));
        // a sockmap's value is a socket fd: offered after value, beside hex
        assertEquals(0, sh.map("create /sys/fs/bpf/a type array key 4 value 4 entries 4 name a").exit());
        for (String handle : List.of("pinned /sys/fs/bpf/sm", "name sm", "id 1")) {
            String line = "map update " + handle + " key 0 0 0 0 value ";
            assertEquals(List.of("3", "4", "5", "hex"), c.candidates(line, line.length()), handle);
        }
        String array = "map update pinned /sys/fs/bpf/a key 0 0 0 0 value ";
        assertEquals(List.of("hex"), c.candidates(array, array.length()), "an array's value is bytes");
        String nosuch = "map update pinned /sys/fs/bpf/nosuch key 0 0 0 0 value ";
        assertEquals(List.of("hex"), c.candidates(nosuch, nosuch.length()));
        assertEquals(6, sh.bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 4, 1)),
                "completion left no fd open: the next is the lowest after the sockets'");
        assertFalse(c.candidates("sock --", 7).isEmpty());
    }
}
