package org.bpfmaps.itest;

import static org.bpfmaps.itest.Calls.lookup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import aQute.bnd.osgi.Builder;
import aQute.bnd.osgi.Jar;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.GetIdAttr;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ObjAttr;
import org.bpfmaps.core.api.ProgAttachAttr;
import org.bpfmaps.core.api.ProgInfo;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgQueryAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.itest.progbundle.CountingVerdict;
import org.bpfmaps.testsupport.traffic.Gate;
import org.bpfmaps.testsupport.traffic.StreamClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;

/**
 * Issue 19's rule in a real Felix, with traffic flowing: a program outlives the bundle that
 * contributed its code. A test bundle (package {@code org.bpfmaps.itest.progbundle}, made into a
 * jar by bnd here, in two builds) registers a {@code ProgramProvider} through DS: an SK_SKB
 * verdict that counts the bytes it passes in an ARRAY at the key its build names (0, then 1).
 * The program is loaded by name with PROG_LOAD, pinned and attached to a SOCKHASH as
 * SK_SKB_STREAM_VERDICT; the accepted end of a loopback TCP connection goes into the hash, and the
 * test echoes what passes back through the socket's data path channel to the harness's
 * {@link StreamClient}, whose reader takes only what the test grants through a {@link Gate}: the
 * stream advances in steps the test decides, each larger than every buffer between the two ends,
 * so bytes the client receives after a step crossed the verdict after it began.
 *
 * <p>The bundle stopped, then uninstalled: the stream goes on (the program passes, SK_PASS) and the
 * counters stand still, while the program keeps its fd, id, pin and attachment and PROG_LOAD of
 * the name is ENOENT. Started again, or the other build installed, the program runs that code
 * again: its key counts again. At the end the whole stream arrived intact at the client.
 */
class ProgramBundleTrafficTest {
    private static final String CODE_BUNDLE = "org.bpfmaps.itest.counting";
    private static final String PROVIDER = "(&(objectClass=org.bpfmaps.core.prog.ProgramProvider)(component.name="
            + CountingVerdict.class.getName() + "))";
    private static final String PIN = "/sys/fs/bpf/itest_counting";
    /** SO_SNDBUF / SO_RCVBUF of both ends (the kernel doubles it): autotuning would grow them to MiBs. */
    private static final int SOCKET_BUFFER = 64 << 10;
    /**
     * A bound on the bytes the path holds between the client's writer and its reader: four socket
     * buffers (256 KiB each at most, doubled), the data path's budget for the accepted socket
     * (1 MiB, DataPath.Config.defaults()) and the echo's buffer, rounded up.
     */
    private static final long IN_FLIGHT = 4L << 20;
    /** What the test lets through at each step: twice {@link #IN_FLIGHT}. */
    private static final long STEP = 2 * IN_FLIGHT;
    private static final long TOTAL = 12 * STEP;

    private OsgiFramework osgi;
    private Bpf bpf;
    private SockLayer sockets;
    private Path v1;
    private Path v2;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Path work = Files.createDirectories(OsgiFramework.targetDir().resolve("program-bundle"));
        v1 = codeBundle(work, "1.0.0", 0);
        v2 = codeBundle(work, "2.0.0", 1);
        osgi = OsgiFramework.start(getClass().getSimpleName(), List.of(SockMapBundleUpdateTest.SOCKMAP_BUNDLE),
                Map.of(), List.of(OsgiFramework.CORE, OsgiFramework.PROG));
        osgi.awaitMapType(MapType.SOCKHASH, true);
        bpf = osgi.bpf();
        sockets = new SockLayer(osgi);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        if (osgi != null) {
            osgi.close();
        }
    }

    @Test
    void aProgramOutlivesItsCodesBundleWhileTrafficFlows() throws Exception {
        Bundle code = osgi.context().installBundle(v1.toUri().toString());
        code.start();
        osgi.awaitService(PROVIDER);

        int counters = Calls.createArray(bpf, "counters");
        MapCreateAttr h = new MapCreateAttr(MapType.SOCKHASH, 4, 8, 4).name("verdicted");
        int hash = bpf.bpf(BpfCmd.MAP_CREATE, h);
        assertTrue(hash >= 3, h.errorMessage());
        ProgLoadAttr load = new ProgLoadAttr(ProgType.SK_SKB, CountingVerdict.NAME).name("counting").maps(counters);
        int prog = bpf.bpf(BpfCmd.PROG_LOAD, load);
        assertTrue(prog >= 3, () -> "PROG_LOAD by name: " + Errno.nameOf(prog) + " " + load.errorMessage());
        ProgInfo loaded = info(prog);
        assertEquals(0, Calls.pin(bpf, prog, PIN));
        ProgAttachAttr attach = new ProgAttachAttr(hash, prog, ProgAttachAttr.SK_SKB_STREAM_VERDICT);
        assertEquals(0, bpf.bpf(BpfCmd.PROG_ATTACH, attach), attach.errorMessage());

        // a loopback connection; its accepted end takes the verdict from the hash
        ServerSocketChannel server = ServerSocketChannel.open();
        toClose.add(server);
        server.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Gate gate = new Gate();
        StreamClient client = StreamClient.connect((InetSocketAddress) server.getLocalAddress(), 19, gate,
                SOCKET_BUFFER);
        toClose.add(client);
        SocketChannel accepted = server.accept();
        toClose.add(accepted);
        accepted.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
        int fd = sockets.register(bpf, accepted);
        assertEquals(0, Calls.update(bpf, hash, 0, fd), "the accepted end into the hash");
        Echo echo = new Echo(sockets.channel(bpf, fd));
        toClose.add(echo);
        client.start(TOTAL);

        // the code's bundle is there: every byte that reached the client crossed the verdict, counted
        long received = step(client, gate);
        long bound = lookup(bpf, counters, 0);
        assertTrue(bound >= received, "v1 counted " + bound + " bytes, the client received " + received);

        // stopped: the program is kept, runs as none (the stream goes on) and counts nothing
        code.stop();
        osgi.awaitNoService(PROVIDER);
        assertKept(loaded, prog, hash, "the code's bundle stopped");
        long[] stopped = assertPassesUncounted(client, gate, counters, "the code's bundle stopped");

        // started again: the same code is bound again and counts again
        code.start();
        osgi.awaitService(PROVIDER);
        assertLoadableAgain("the code's bundle started again");
        step(client, gate);
        long restarted = lookup(bpf, counters, 0);
        assertTrue(restarted - stopped[0] >= STEP - IN_FLIGHT,
                "counted again after the restart: " + (restarted - stopped[0]) + " bytes");
        assertKept(loaded, prog, hash, "the code's bundle started again");

        // uninstalled, its class loader dropped: as stopped
        code.uninstall();
        osgi.refresh();
        osgi.awaitNoService(PROVIDER);
        assertKept(loaded, prog, hash, "the code's bundle uninstalled");
        long[] uninstalled = assertPassesUncounted(client, gate, counters, "the code's bundle uninstalled");

        // the other build installed: the program runs its code (key 1), not the old one (key 0)
        Bundle other = osgi.context().installBundle(v2.toUri().toString());
        other.start();
        osgi.awaitService(PROVIDER);
        assertLoadableAgain("the second build installed");
        step(client, gate);
        assertEquals(uninstalled[0], lookup(bpf, counters, 0), "the first build's key, after the second came");
        long second = lookup(bpf, counters, 1);
        assertTrue(second >= STEP - IN_FLIGHT, "the second build counted " + second + " bytes");
        assertKept(loaded, prog, hash, "the second build installed");

        // the rest of the stream at full speed: whole, in order, nothing lost while the code was away
        gate.open();
        StreamClient.Result r = client.await(Duration.ofSeconds(60));
        assertTrue(r.intact(), r.toString());
        assertEquals(null, echo.error, "the echo");
        long counted = lookup(bpf, counters, 0) + lookup(bpf, counters, 1);
        System.out.printf("ProgramBundleTrafficTest: %d bytes echoed; the first build counted %d, the second %d,"
                + " %d passed with no code bound%n", TOTAL, lookup(bpf, counters, 0), lookup(bpf, counters, 1),
                TOTAL - counted);
        assertTrue(counted <= TOTAL && TOTAL - counted >= 2 * (2 * STEP - IN_FLIGHT),
                "counted " + counted + " of " + TOTAL + " bytes: the bytes that passed while the code was away "
                        + "are not counted");

        assertEquals(0, bpf.close(prog));
        assertEquals(0, bpf.close(hash));
        assertEquals(0, bpf.close(counters));
        osgi.assertNoProblems();
    }

    /**
     * While no code is bound: two steps of the stream pass (so what the client receives in the
     * second crossed the verdict after the first), and the counters read after the first equal
     * those after the second. Returns them (key 0, key 1).
     */
    private long[] assertPassesUncounted(StreamClient client, Gate gate, int counters, String when)
            throws InterruptedException {
        step(client, gate);
        long[] before = {lookup(bpf, counters, 0), lookup(bpf, counters, 1)};
        step(client, gate);
        long[] after = {lookup(bpf, counters, 0), lookup(bpf, counters, 1)};
        assertEquals(before[0], after[0], when + ": key 0 counted bytes that passed with no code bound");
        assertEquals(before[1], after[1], when + ": key 1 counted bytes that passed with no code bound");
        assertEquals(Errno.ENOENT.ret(), load(), when + ": PROG_LOAD of the name");
        return after;
    }

    /** Grants the client's reader one more step and waits until it has read all it was granted. */
    private static long step(StreamClient client, Gate gate) throws InterruptedException {
        long target = client.received() + STEP;
        gate.grant(STEP);
        client.awaitReceived(target, Duration.ofMillis(3 * OsgiFramework.TIMEOUT_MS));
        return target;
    }

    /** The program's fd, id and name, its pin, its id's fd and its attachment to the hash, as at load. */
    private void assertKept(ProgInfo loaded, int prog, int hash, String when) {
        ProgInfo now = info(prog);
        assertEquals(loaded.id(), now.id(), when + ": the fd's program");
        assertEquals("counting", now.name(), when);
        assertEquals(ProgType.SK_SKB, now.progType(), when);
        int pinned = Calls.objGet(bpf, PIN);
        assertEquals(loaded.id(), info(pinned).id(), when + ": the pin's program");
        assertEquals(0, bpf.close(pinned));
        int byId = bpf.bpf(BpfCmd.PROG_GET_FD_BY_ID, new GetIdAttr(loaded.id()));
        assertTrue(byId >= 3, when + ": PROG_GET_FD_BY_ID " + Errno.nameOf(byId));
        assertEquals(0, bpf.close(byId));
        ProgQueryAttr q = new ProgQueryAttr(hash, ProgAttachAttr.SK_SKB_STREAM_VERDICT, new int[2]);
        assertEquals(0, bpf.bpf(BpfCmd.PROG_QUERY, q), when + ": " + q.errorMessage());
        assertEquals(1, q.progCnt, when + ": programs attached");
        assertEquals(loaded.id(), q.progIds[0], when + ": the attached program");
    }

    /** PROG_LOAD of the name succeeds again once code of that name is registered (then closes the fd). */
    private void assertLoadableAgain(String when) {
        int again = load();
        assertTrue(again >= 3, when + ": PROG_LOAD by name " + Errno.nameOf(again));
        assertEquals(0, bpf.close(again));
    }

    /** PROG_LOAD by the code's name: a new fd, or ENOENT while no bundle contributes the name. */
    private int load() {
        return bpf.bpf(BpfCmd.PROG_LOAD, new ProgLoadAttr(ProgType.SK_SKB, CountingVerdict.NAME));
    }

    private ProgInfo info(int fd) {
        InfoAttr a = new InfoAttr(fd);
        a.infoLen = ProgInfo.SIZE;
        a.info = ByteBuffer.allocate(ProgInfo.SIZE).order(ByteOrder.nativeOrder());
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a), a.errorMessage());
        return ProgInfo.read(a.info, a.infoLen);
    }

    /**
     * The test bundle: the classes of {@link CountingVerdict}'s package from this module's test
     * classes, its DS component description made by bnd from the annotations, and a header naming
     * the counter's key.
     */
    private static Path codeBundle(Path work, String version, int key) throws Exception {
        Path jar = work.resolve("counting-" + version + ".jar");
        try (Builder b = new Builder()) {
            b.setProperty("Bundle-SymbolicName", CODE_BUNDLE);
            b.setProperty("Bundle-Version", version);
            b.setProperty(CountingVerdict.KEY_HEADER, Integer.toString(key));
            b.setProperty("-privatepackage", CountingVerdict.class.getPackageName());
            b.setProperty("-noextraheaders", "true");
            List<File> path = new ArrayList<>();
            path.add(OsgiFramework.targetDir().resolve("test-classes").toFile());
            for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
                if (e.endsWith(".jar")) {
                    path.add(new File(e));
                }
            }
            b.setClasspath(path.toArray(File[]::new));
            Jar built = b.build();
            assertTrue(b.isOk(), () -> "bnd: " + b.getErrors() + " " + b.getWarnings());
            built.write(jar.toFile());
        }
        return jar;
    }

    /**
     * What the verdict passes, written back to the client through the same channel (the socket's
     * data path channel); at the end of the client's stream, the FIN back after the last byte.
     */
    private final class Echo implements AutoCloseable {
        private final ByteChannel ch;
        private final Thread thread;
        volatile String error;

        Echo(ByteChannel ch) {
            this.ch = ch;
            thread = new Thread(this::run, "itest-echo");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            ByteBuffer b = ByteBuffer.allocate(64 << 10);
            try {
                while (ch.read(b.clear()) >= 0) {
                    b.flip();
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
                sockets.shutdownOutput(ch);
            } catch (IOException e) {
                error = e.toString();
            }
        }

        @Override
        public void close() throws Exception {
            ch.close();
            thread.join(OsgiFramework.TIMEOUT_MS);
        }
    }
}
