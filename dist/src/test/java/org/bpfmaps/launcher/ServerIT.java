package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One-shot commands against a running instance ({@code bpfmaps.jar --server}), and what a client
 * that sends garbage, stalls, leaves mid-command or floods the socket does to it: nothing that
 * another client sees.
 */
class ServerIT {
    private static final String CREATE = "map create /sys/fs/bpf/a type array key 4 value 8 entries 4 name a";
    private static final String NOTE = "bpfmaps: no instance is running (start one with `bpfmaps --server`): this "
            + "command runs in a fresh one, and its maps end with it\n";

    @TempDir
    Path runtime;
    private final List<RunningServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() throws Exception {
        for (RunningServer s : servers) {
            s.close();
        }
    }

    private RunningServer start(String... jvmOptions) throws Exception {
        RunningServer s = RunningServer.start(runtime, jvmOptions);
        servers.add(s);
        return s;
    }

    private static void assertNoTrace(String stderr) {
        assertFalse(stderr.contains("\tat ") || stderr.contains("Exception"), "no stack trace:\n" + stderr);
    }

    @Test
    void oneShotCommandsRunInTheRunningInstanceAndShareItsMaps() throws Exception {
        RunningServer s = start();
        JarRun create = s.client(CREATE.split(" "));
        assertEquals(0, create.exitCode(), create::toString);
        assertEquals("", create.out() + create.err(), "no note: the command ran in the instance");

        JarRun update = s.client("map", "update", "pinned", "/sys/fs/bpf/a", "key", "1", "0", "0", "0", "value", "7", "0",
                "0", "0", "0", "0", "0", "0");
        assertEquals(0, update.exitCode(), update::toString);
        JarRun dump = s.client("bpf:map", "dump", "name", "a");
        assertAll(dump::toString,
                () -> assertEquals(0, dump.exitCode()),
                () -> assertTrue(dump.out().contains("key: 01 00 00 00  value: 07 00 00 00 00 00 00 00\n")),
                () -> assertTrue(dump.out().endsWith("Found 4 elements\n")),
                () -> assertEquals("", dump.err()));

        // A failure: bpftool's Error line on stderr and its exit code, as in-process.
        JarRun bad = s.client("map", "lookup", "pinned", "/sys/fs/bpf/nosuch", "key", "0", "0", "0", "0");
        JarRun local = JarRun.run("map lookup pinned /sys/fs/bpf/nosuch key 0 0 0 0\n");
        assertAll(bad::toString,
                () -> assertEquals(local.exitCode(), bad.exitCode()),
                () -> assertEquals(local.err(), bad.err()),
                () -> assertEquals(local.out(), bad.out()),
                () -> assertTrue(bad.err().startsWith("Error: ")));

        // A one-word command; and one that Gogo does not know.
        JarRun providers = s.client("providers");
        assertEquals(0, providers.exitCode(), providers::toString);
        assertTrue(providers.out().contains("org.bpfmaps.map.array"), providers::toString);
        JarRun unknown = s.client("--", "nosuch");
        assertEquals(255, unknown.exitCode());
        assertEquals("Error: Command not found: nosuch\n", unknown.err(), unknown::toString);

        // Words with spaces and Gogo's special characters arrive as they were typed.
        JarRun named = s.client("map", "show", "name", "a;b $c");
        assertTrue(named.err().contains("a;b $c"), named::toString);

        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(s.socket),
                "only the owner may connect");
        assertNoTrace(s.stderr());
    }

    @Test
    void withoutAnInstanceACommandRunsInProcessAndSaysSoOnce() throws Exception {
        JarRun r = JarRun.run(Map.of("XDG_RUNTIME_DIR", runtime.toString()), "", "map", "create",
                "/sys/fs/bpf/a", "type", "array", "key", "4", "value", "8", "entries", "4", "name", "a");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(NOTE, r.err());
        assertEquals("", r.out());
        JarRun show = JarRun.run(Map.of("XDG_RUNTIME_DIR", runtime.toString()), "", "map", "show");
        assertEquals(NOTE, show.err(), "the map of the run before ended with it");
        assertEquals("", show.out());
    }

    @Test
    void aStaleSocketIsReplacedAndASecondServerRefused() throws Exception {
        // A socket file that no process listens on, as a killed instance leaves it.
        Path socket = runtime.resolve(SocketPath.SOCKET);
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        JarRun fallback = JarRun.run(Map.of("XDG_RUNTIME_DIR", runtime.toString()), "", "map", "show");
        assertEquals(0, fallback.exitCode(), fallback::toString);
        assertEquals(NOTE, fallback.err());

        RunningServer s = start();
        assertEquals(0, s.client(CREATE.split(" ")).exitCode());

        RunningServer second = RunningServer.spawn(runtime);
        servers.add(second);
        assertEquals(255, second.awaitExit(), "a second server ends at once");
        assertTrue(second.stderr().startsWith("Error: an instance already listens on " + socket), second.stderr());
        assertTrue(s.client("map", "show", "name", "a").out().contains("name a"), "the first one still serves");

        // Killed outright: the file stays, and the next server replaces it.
        s.kill();
        assertTrue(Files.exists(socket));
        RunningServer next = start();
        JarRun show = next.client("map", "show");
        assertEquals("", show.out() + show.err(), "a fresh instance, reached through the replaced socket");

        // Stopped as a service is: the socket goes with it.
        next.stop();
        assertFalse(Files.exists(socket), "SIGTERM removes the socket file");
    }

    @Test
    void garbageIsAnsweredWithAnErrorLineAndTheInstanceGoesOn() throws Exception {
        RunningServer s = start();
        assertEquals(0, s.client(CREATE.split(" ")).exitCode());
        try (RawClient c = new RawClient(s.socket)) {
            c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            RawClient.Response r = c.readAll();
            assertEquals(new RawClient.Response("", "Error: not a bpfmaps request (protocol BPF2 expected)\n", 255, true), r);
        }
        try (RawClient c = new RawClient(s.socket)) {
            c.send(ByteBuffer.allocate(8).put(Frames.MAGIC).putInt(Integer.MAX_VALUE).array());
            RawClient.Response r = c.readAll();
            assertEquals("Error: a request of 2147483647 bytes: it must be 8 to 65536\n", r.err());
            assertEquals(255, r.exit());
        }
        try (RawClient c = new RawClient(s.socket)) {
            c.send(ByteBuffer.allocate(18).put(Frames.MAGIC).putInt(10).putInt(1).putInt(2).put((byte) 0xc3)
                    .put((byte) 0x28).array());
            assertEquals("Error: word 1 is not UTF-8\n", c.readAll().err());
        }
        try (RawClient c = new RawClient(s.socket)) {
            c.send(ByteBuffer.allocate(20).put(Frames.MAGIC).putInt(12).putInt(2).putInt(4).put("map ".getBytes(
                    StandardCharsets.US_ASCII)).array());
            assertEquals("Error: word 2 of 2 runs past the end of the request\n", c.readAll().err());
        }
        try (RawClient c = new RawClient(s.socket)) {
            c.send(ByteBuffer.allocate(16).put(Frames.MAGIC_V1).putInt(8).put("map show".getBytes(StandardCharsets.US_ASCII))
                    .array());
            assertEquals("Error: a request of protocol BPF1, from an older bpfmaps: this instance speaks BPF2\n",
                    c.readAll().err());
        }
        try (RawClient c = new RawClient(s.socket)) {
            c.send(ByteBuffer.allocate(12).put(Frames.MAGIC).putInt(100).put("map ".getBytes(StandardCharsets.US_ASCII)).array());
            c.ch.shutdownOutput(); // and no more
            assertEquals("Error: the request ended early: half a request\n", c.readAll().err());
        }
        RawClient.Response ok = RawClient.run(s.socket, "map show name a");
        assertEquals(0, ok.exit(), ok.toString());
        assertTrue(ok.out().startsWith("1: array  name a  flags 0x0\n"), ok.toString());
        assertTrue(s.alive());
        assertNoTrace(s.stderr());
    }

    @Test
    void stalledSilentAndVanishingClientsHoldUpNoOne() throws Exception {
        RunningServer s = start("-Dbpfmaps.server.request.timeout.ms=1000", "-Dbpfmaps.server.write.timeout.ms=1000");
        assertEquals(0, s.client("map", "create", "/sys/fs/bpf/big", "type", "array", "key", "4", "value", "8",
                "entries", "20000", "name", "big").exitCode());

        // More silent connections than may wait for their request, and one with half a request.
        List<RawClient> silent = new ArrayList<>();
        for (int i = 0; i < CommandServer.MAX_PENDING + 16; i++) {
            silent.add(new RawClient(s.socket));
        }
        RawClient half = new RawClient(s.socket);
        half.send(Frames.MAGIC);
        // A dump of 20000 elements (~1 MB) that its client never reads, and one whose client leaves at once.
        RawClient stalled = new RawClient(s.socket);
        stalled.sendRequest("map dump name big");
        try (RawClient gone = new RawClient(s.socket)) {
            gone.sendRequest("map dump name big");
        }

        // Meanwhile another client is served as usual.
        RawClient.Response ok = RawClient.run(s.socket, "map lookup name big key 1 0 0 0");
        assertEquals(0, ok.exit(), ok.toString());
        assertEquals("key: 01 00 00 00  value: 00 00 00 00 00 00 00 00\n", ok.out());

        // The silent ones are dropped at their deadline (or at once, past the limit), without an answer.
        for (RawClient c : silent) {
            RawClient.Response r = c.readAll();
            assertEquals(new RawClient.Response("", "", -1, true), r);
            c.close();
        }
        assertEquals(new RawClient.Response("", "", -1, true), half.readAll());
        half.close();
        // The stalled client's connection is closed once a write waits longer than the write
        // timeout, which the server logs; what the client reads afterwards is a part of the dump,
        // never its end.
        s.awaitStderr("bpfmaps: a client read nothing for 1000 ms: its connection is closed");
        RawClient.Response cut = stalled.readAll();
        stalled.close();
        assertTrue(cut.closed() && cut.exit() == -1 && !cut.out().contains("Found 20000 elements"),
                "cut off: " + cut.out().length() + " bytes, exit " + cut.exit());

        JarRun after = s.client("map", "dump", "name", "big");
        assertEquals(0, after.exitCode());
        assertTrue(after.out().endsWith("Found 20000 elements\n"));
        assertTrue(s.alive());
        assertNoTrace(s.stderr());
    }

    @Test
    void aFloodOfConnectionsIsServedOrRefusedNeverFatal() throws Exception {
        RunningServer s = start();
        assertEquals(0, s.client(CREATE.split(" ")).exitCode());
        ExecutorService pool = Executors.newFixedThreadPool(24);
        try {
            List<Future<?>> garbage = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                long seed = t;
                garbage.add(pool.submit(() -> {
                    Random rnd = new Random(seed);
                    for (int i = 0; i < 25; i++) {
                        try (RawClient c = new RawClient(s.socket)) {
                            byte[] junk = new byte[rnd.nextInt(200_000)];
                            rnd.nextBytes(junk);
                            if (rnd.nextBoolean() && junk.length >= 8) {
                                ByteBuffer.wrap(junk).put(Frames.MAGIC); // a valid start, then noise
                            }
                            c.send(junk);
                        } catch (java.io.IOException e) {
                            // refused, reset or closed by the server: what garbage deserves
                        }
                    }
                    return null;
                }));
            }
            // Real commands in the middle of it: each one answered, or told the instance is busy.
            List<Future<RawClient.Response>> real = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int v = t;
                real.add(pool.submit(() -> RawClient.run(s.socket,
                        "map update name a key " + (v % 4) + " 0 0 0 value " + v + " 0 0 0 0 0 0 0")));
            }
            for (Future<?> f : garbage) {
                f.get(RunningServer.DEADLINE_MS, TimeUnit.MILLISECONDS);
            }
            for (Future<RawClient.Response> f : real) {
                RawClient.Response r = f.get(RunningServer.DEADLINE_MS, TimeUnit.MILLISECONDS);
                assertTrue(r.exit() == 0 && r.err().isEmpty()
                        || r.exit() == 255 && r.err().startsWith("Error: the instance is busy"), r.toString());
            }
        } finally {
            pool.shutdownNow();
        }
        JarRun dump = s.client("map", "dump", "name", "a");
        assertEquals(0, dump.exitCode(), dump::toString);
        assertEquals(4, Pattern.compile("^key: ", Pattern.MULTILINE).matcher(dump.out()).results().count(), dump::toString);
        assertTrue(s.alive());
        assertNoTrace(s.stderr());
    }

    @Test
    void theWrapperScriptBesideTheJarRunsIt() throws Exception {
        Path script = Path.of(System.getProperty("bpfmaps.script"));
        assertTrue(Files.isExecutable(script), script + " is executable");
        RunningServer s = start();
        assertEquals(0, s.client(CREATE.split(" ")).exitCode());
        JarRun r = JarRun.run(s.env(), "", List.of(script.toString()), "map", "show");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().startsWith("1: array  name a  flags 0x0\n"), r::toString);
        JarRun help = JarRun.run(s.env(), "", List.of(script.toString()), "--help");
        assertTrue(help.out().startsWith("usage: java -jar bpfmaps.jar"), help::toString);
    }
}
