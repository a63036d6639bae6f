package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code map dump}, {@code lookup}, {@code getnext} and {@code update} of SOCKMAP and SOCKHASH maps
 * holding real sockets print what bpftool 7.1 printed for the same maps on a 6.18 kernel
 * ({@code src/test/resources/sockmap/sockmap.txt}, recorded by {@code record.py} with sockets
 * made in Python): a value of 8 bytes is the cookie, every lookup of a value of 4 bytes is ENOSPC
 * (a dump shows every SOCKMAP slot so, and counts 0), an empty slot is {@code <no entry>}. Cookies
 * are compared as each world's own. Where CIDR keys are shown ({@code -C}, or a console), plain
 * output adds the socket behind each element; JSON never changes.
 */
class SockMapDumpTest {
    private static final Path RECORDING = Path.of("src/test/resources/sockmap/sockmap.txt");

    private final SockShell sh = new SockShell();
    /** The recording's socket names to this world's fds: L listener, C client, A accepted, U UDP. */
    private final Map<String, Integer> fds = new java.util.HashMap<>();

    @AfterEach
    void close() {
        sh.close();
    }

    /** The sockets and maps of record.py: sm8 (0 = L, 2 = C), sm4 (1 = U), sh8 and sh4 (5 = A). */
    private void setUp() {
        ok(sh.sock("listen 0"));
        fds.put("L", 3);
        int p = ((InetSocketAddress) sh.at(3).localAddress()).getPort();
        ok(sh.sock("connect 127.0.0.1 " + p));
        fds.put("C", 4);
        fds.put("A", 5);
        ok(sh.sock("udp 0"));
        fds.put("U", 6);
        ok(sh.map("create /sys/fs/bpf/rec_sock_sm8 type sockmap key 4 value 8 entries 4 name sm8"));
        ok(sh.map("create /sys/fs/bpf/rec_sock_sm4 type sockmap key 4 value 4 entries 2 name sm4"));
        ok(sh.map("create /sys/fs/bpf/rec_sock_sh8 type sockhash key 4 value 8 entries 4 name sh8"));
        ok(sh.map("create /sys/fs/bpf/rec_sock_sh4 type sockhash key 4 value 4 entries 4 name sh4"));
        put("sm8", 0, "L");
        put("sm8", 2, "C");
        put("sm4", 1, "U");
        put("sh8", 5, "A");
        put("sh4", 5, "A");
    }

    private static void ok(Emulator.Result r) {
        assertEquals(0, r.exit(), r.stderr());
    }

    private void put(String map, int key, String sock) {
        String value = fds.get(sock) + (map.endsWith("8") ? " 0 0 0 0 0 0 0" : " 0 0 0");
        ok(sh.map("update pinned /sys/fs/bpf/rec_sock_" + map + " key " + key + " 0 0 0 value " + value));
    }

    /** The recording's cookie placeholders as this world's cookies, in bpftool's two forms. */
    private String cookies(String text) {
        for (Map.Entry<String, Integer> e : fds.entrySet()) {
            if (sh.at(e.getValue()) == null) {
                continue; // closed: no value shows its cookie any more
            }
            byte[] b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, sh.at(e.getValue()).cookie())
                    .array();
            List<String> json = new ArrayList<>();
            for (byte x : b) {
                json.add(String.format("\"0x%02x\"", x & 0xff));
            }
            text = text.replace("@cookie(" + e.getKey() + ")", HexFormat.ofDelimiter(" ").formatHex(b))
                    .replace("@jcookie(" + e.getKey() + ")", String.join(",", json));
        }
        return text;
    }

    @Test
    void printsWhatBpftoolPrintedForMapsOfRealSockets() throws IOException {
        setUp();
        List<String> mismatches = new ArrayList<>();
        String mode = "";
        for (Recording.Step step : Recording.read(RECORDING).steps()) {
            String line = step.command();
            String option = line.startsWith("-") ? line.substring(0, 2) : "";
            if (!option.equals(mode)) {
                // record.py starts each mode from the same state: a new client C in sm8's slot 2
                mode = option;
                int p = ((InetSocketAddress) sh.at(fds.get("L")).localAddress()).getPort();
                Emulator.Result r = sh.sock("connect 127.0.0.1 " + p);
                ok(r);
                List<Integer> made = sh.fds().subList(sh.fds().size() - 2, sh.fds().size());
                fds.put("C", made.get(0));
                put("sm8", 2, "C");
            }
            String words = option.isEmpty() ? line : line.substring(3);
            if (words.startsWith("!close ")) {
                ok(sh.sock("close " + fds.get(words.substring(7))));
                continue;
            }
            Emulator.Result got = sh.map(option + " " + words);
            String want = cookies(step.stdout());
            String out = BpftoolRecordingTest.withoutDetail(got.stdout());
            String err = BpftoolRecordingTest.withoutDetailLines(got.stderr());
            if (got.exit() != step.exit() || !want.equals(out) || !step.stderr().equals(err)) {
                mismatches.add(line + "\n  bpftool: exit " + step.exit() + "\n" + want + step.stderr() + "  shell: exit "
                        + got.exit() + "\n" + got.stdout() + got.stderr());
            }
        }
        if (!mismatches.isEmpty()) {
            fail(mismatches.size() + " command(s) differ from bpftool:\n" + String.join("\n", mismatches));
        }
    }

    private static final Pattern NOTE = Pattern.compile("(?m)^socket: fd (\\d+)  (\\S+)  state (\\S+)  cookie (\\d+)(.*)$");

    @Test
    void withCidrsRuleTheSocketBehindEachElementIsShown() throws IOException {
        setUp();
        String l = SocketText.address(sh.at(3).localAddress());
        String c = SocketText.address(sh.at(4).localAddress());
        String u = SocketText.address(sh.at(6).localAddress());
        String sm8 = sh.map("-C dump pinned /sys/fs/bpf/rec_sock_sm8").stdout();
        assertEquals(sh.map("dump pinned /sys/fs/bpf/rec_sock_sm8").stdout(), sm8.replaceAll("(?m)^socket: .*\n", ""),
                "bpftool's lines, with the notes between them");
        assertEquals("key: 00 00 00 00  value: " + hex8(3) + "\n"
                + "socket: fd 3  tcp  state LISTEN  cookie " + sh.at(3).cookie() + "  local " + l + "\n"
                + "key: 01 00 00 00  value: <no entry>\n"
                + "key: 02 00 00 00  value: " + hex8(4) + "\n"
                + "socket: fd 4  tcp  state ESTABLISHED  cookie " + sh.at(4).cookie() + "  local " + c + "  remote " + l
                + "\n"
                + "key: 03 00 00 00  value: <no entry>\n"
                + "Found 2 elements\n", sm8);
        // value_size 4: bpftool can only say ENOSPC for every slot; the note tells the full one
        assertEquals("key:\n00 00 00 00\nvalue:\nNo space left on device\n"
                + "key:\n01 00 00 00\nvalue:\nNo space left on device\n"
                + "socket: fd 6  udp  state CLOSE  cookie " + sh.at(6).cookie() + "  local " + u + "\n"
                + "Found 0 elements\n", sh.map("--cidr dump pinned /sys/fs/bpf/rec_sock_sm4").stdout());
        String sh4 = sh.map("-C dump pinned /sys/fs/bpf/rec_sock_sh4").stdout();
        Matcher m = NOTE.matcher(sh4);
        assertTrue(m.find(), sh4);
        assertEquals(List.of("5", "tcp", "ESTABLISHED", Long.toString(sh.at(5).cookie()), "  local " + l + "  remote " + c),
                List.of(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)));
        assertEquals("key: 02 00 00 00  value: " + hex8(4) + "\n"
                + "socket: fd 4  tcp  state ESTABLISHED  cookie " + sh.at(4).cookie() + "  local " + c + "  remote " + l
                + "\n", sh.map("-C lookup pinned /sys/fs/bpf/rec_sock_sm8 key 2 0 0 0").stdout(), "lookup too");
        // JSON stays bpftool's
        assertEquals(sh.map("-j dump pinned /sys/fs/bpf/rec_sock_sm8"), sh.map("-j -C dump pinned /sys/fs/bpf/rec_sock_sm8"));
        assertFalse(sh.map("-p -C dump pinned /sys/fs/bpf/rec_sock_sm4").stdout().contains("socket"));
        // a socket that closed leaves its element: no note for it
        sh.at(4).channel().close();
        String after = sh.map("-C dump pinned /sys/fs/bpf/rec_sock_sm8").stdout();
        assertEquals("key: 00 00 00 00  value: " + hex8(3) + "\n"
                + "socket: fd 3  tcp  state LISTEN  cookie " + sh.at(3).cookie() + "  local " + l + "\n"
                + "key: 01 00 00 00  value: <no entry>\n"
                + "key: 02 00 00 00  value: <no entry>\n"
                + "key: 03 00 00 00  value: <no entry>\n"
                + "Found 1 element\n", after);
        // maps that hold no sockets get no notes
        ok(sh.map("create /sys/fs/bpf/a type array key 4 value 4 entries 1 name a"));
        assertEquals(sh.map("dump pinned /sys/fs/bpf/a"), sh.map("-C dump pinned /sys/fs/bpf/a"));
    }

    /** A socket's cookie as bpftool prints an 8-byte value. */
    private String hex8(int fd) {
        return HexFormat.ofDelimiter(" ").formatHex(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder())
                .putLong(0, sh.at(fd).cookie()).array());
    }
}
