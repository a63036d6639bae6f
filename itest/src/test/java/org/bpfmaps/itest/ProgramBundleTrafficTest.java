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
import org.bpfmaps.core.api.ProgAttachAttr;
import org.bpfmaps.core.api.ProgInfo;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgQueryAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.itest.progbundle.CountingVerdict;
import org.bpfmaps.testsupport.traffic.StreamPattern;
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
 * SK_SKB_STREAM_VERDICT; the accepted end of a loopback TCP connection goes into the hash. The
 * client end streams a pattern; the application reads the accepted end through its data path
 * channel, only as much as the test allows: the stream advances in steps the test decides, each
 * larger than every buffer between the two ends, so bytes read after a step began crossed the
 * verdict after it began.
 *
 * <p>The bundle stopped, then uninstalled: the stream goes on (the program passes, SK_PASS) and the
 * counters stand still, while the program keeps its fd, id, pin and attachment and PROG_LOAD of
 * the name is ENOENT. Started again, or the other build installed, the program runs that code
 * again: its key counts again. At the end the whole stream arrived, in order and intact.
 */
class ProgramBundleTrafficTest {
    private static final String CODE_BUNDLE = "org.bpfmaps.itest.counting";
    private static final String PROVIDER = "(&(objectClass=org.bpfmaps.core.prog.ProgramProvider)(component.name="
            + CountingVerdict.class.getName() + "))";
    private static final String PIN = "/sys/fs/bpf/itest_counting";
    /** SO_SNDBUF of the client, SO_RCVBUF of the accepted end (the kernel doubles them): autotuning would grow them to MiBs. */
    private static final int SOCKET_BUFFER = 64 << 10;
    /**
     * A bound on the bytes the path holds between the client's writer and the application's
     * reader: two socket buffers (the client's send, the accepted end's receive: 128 KiB each,
     * doubled), the data path's budget for the accepted socket (1 MiB, DataPath.Config.defaults())
     * and the reader's buffer, rounded up generously.
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
    private Stream stream;

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
        assertLoadableAgain("the code's bundle started");

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
        SocketChannel client = SocketChannel.open();
        toClose.add(client);
        client.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
        client.connect(server.getLocalAddress());
        SocketChannel accepted = server.accept();
        toClose.add(accepted);
        int fd = sockets.register(bpf, accepted);
        assertEquals(0, Calls.update(bpf, hash, 0, fd), "the accepted end into the hash");
        stream = new Stream(client, sockets.channel(bpf, fd));
        toClose.add(stream);

        // the code's bundle is there: every byte the application read crossed the verdict, counted
        long received = step();
        long bound = lookup(bpf, counters, 0);
        assertTrue(bound >= received, "v1 counted " + bound + " bytes, the application read " + received);

        // stopped: the program is kept, runs as none (the stream goes on) and counts nothing
        code.stop();
        osgi.awaitNoService(PROVIDER);
        assertKept(loaded, prog, hash, "the code's bundle stopped");
        long[] stopped = assertPassesUncounted(counters, "the code's bundle stopped");

        // started again: the same code is bound again and counts again
        code.start();
        osgi.awaitService(PROVIDER);
        assertLoadableAgain("the code's bundle started again");
        step();
        long restarted = lookup(bpf, counters, 0);
        assertTrue(restarted - stopped[0] >= STEP - IN_FLIGHT,
                "counted again after the restart: " + (restarted - stopped[0]) + " bytes");
        assertKept(loaded, prog, hash, "the code's bundle started again");

        // uninstalled, its class loader dropped: as stopped
        code.uninstall();
        osgi.refresh();
        osgi.awaitNoService(PROVIDER);
        assertKept(loaded, prog, hash, "the code's bundle uninstalled");
        long[] uninstalled = assertPassesUncounted(counters, "the code's bundle uninstalled");

        // the other build installed: the program runs its code (key 1), not the old one (key 0)
        Bundle other = osgi.context().installBundle(v2.toUri().toString());
        other.start();
        osgi.awaitService(PROVIDER);
        assertLoadableAgain("the second build installed");
        step();
        assertEquals(uninstalled[0], lookup(bpf, counters, 0), "the first build's key, after the second came");
        long second = lookup(bpf, counters, 1);
        assertTrue(second >= STEP - IN_FLIGHT, "the second build counted " + second + " bytes");
        assertKept(loaded, prog, hash, "the second build installed");

        // the rest of the stream at full speed: whole, in order, nothing lost while the code was away
        stream.open();
        awaitRead(TOTAL, Duration.ofSeconds(60));
        stream.awaitEnd();
        assertEquals(-1, stream.firstMismatch, "the first offset where the bytes read differ from those sent");
        assertEquals(null, stream.error, "the stream");
        long counted = lookup(bpf, counters, 0) + lookup(bpf, counters, 1);
        System.out.printf("ProgramBundleTrafficTest: %d bytes passed; the first build counted %d, the second %d,"
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
     * While no code is bound: two steps of the stream pass (so what the application reads in the
     * second crossed the verdict after the first), and the counters read after the first equal
     * those after the second. Returns them (key 0, key 1).
     */
    private long[] assertPassesUncounted(int counters, String when) throws InterruptedException {
        step();
        long[] before = {lookup(bpf, counters, 0), lookup(bpf, counters, 1)};
        step();
        long[] after = {lookup(bpf, counters, 0), lookup(bpf, counters, 1)};
        assertEquals(before[0], after[0], when + ": key 0 counted bytes that passed with no code bound");
        assertEquals(before[1], after[1], when + ": key 1 counted bytes that passed with no code bound");
        assertEquals(Errno.ENOENT.ret(), load(), when + ": PROG_LOAD of the name");
        assertEquals(null, osgi.runtime().programNames().get(CountingVerdict.NAME), when + ": the runtime's names");
        return after;
    }

    /** Lets the application read one more step and waits until it has read all it was allowed. */
    private long step() throws InterruptedException {
        long target = stream.grant(STEP);
        awaitRead(target, Duration.ofMillis(3 * OsgiFramework.TIMEOUT_MS));
        return target;
    }

    /** Waits until the application has read {@code n} bytes; else fails with where the stream stands. */
    private void awaitRead(long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (stream) {
            while (stream.read < n && stream.error == null && !stream.eof) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                stream.wait(Math.max(1, left / 1_000_000));
            }
            if (stream.read < n) {
                throw new AssertionError("the application read " + stream.read + " of " + n + " bytes within "
                        + timeout.toMillis() + " ms; the client sent " + stream.sent + (stream.eof ? ", end of stream"
                        : "") + (stream.error == null ? "" : ", failed: " + stream.error) + "\n" + threads());
            }
        }
    }

    /** The stacks of the threads that carry the stream, for a step that did not complete. */
    private static String threads() {
        StringBuilder b = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (t.getName().startsWith("bpfmaps") || t.getName().startsWith("itest-stream")) {
                b.append(t.getName()).append(' ').append(t.getState()).append('\n');
                for (StackTraceElement e : stack) {
                    b.append("\tat ").append(e).append('\n');
                }
            }
        });
        return b.toString();
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

    /**
     * PROG_LOAD of the name succeeds (again) once code of that name is registered (then closes the
     * fd), and the runtime lists the name.
     */
    private void assertLoadableAgain(String when) {
        int again = load();
        assertTrue(again >= 3, when + ": PROG_LOAD by name " + Errno.nameOf(again));
        assertEquals(ProgType.SK_SKB, osgi.runtime().programNames().get(CountingVerdict.NAME),
                when + ": the runtime's names (the shell's Tab after prog load)");
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
     * The traffic: a writer thread sends {@link #TOTAL} bytes of a {@link StreamPattern} from the
     * client end, then its FIN; a reader thread reads what the verdict passes from the accepted
     * end's data path channel, only as many bytes as the test allowed so far ({@link #grant}),
     * and checks each against the pattern. One way only: an echo (the application writing back
     * what it reads) hung in about one run in three, its write waiting for room that the bytes
     * queued for its own read held: the data path's per-socket budget counts both directions
     * together ({@code Owned.take}), where the kernel keeps sk_rcvbuf and sk_sndbuf apart. That is
     * the data path's to fix; this test is about the verdict.
     */
    private static final class Stream implements AutoCloseable {
        private static final int BUFFER = 64 << 10;
        private final SocketChannel client;
        private final ByteChannel app;
        private final StreamPattern pattern = new StreamPattern(19);
        private final Thread writer;
        private final Thread reader;
        /** Bytes the reader may read in all; Long.MAX_VALUE once open. */
        private long allowed;
        volatile long sent;
        long read;
        long firstMismatch = -1;
        boolean eof;
        String error;

        Stream(SocketChannel client, ByteChannel app) {
            this.client = client;
            this.app = app;
            writer = new Thread(this::write, "itest-stream-write");
            reader = new Thread(this::read, "itest-stream-read");
            writer.setDaemon(true);
            reader.setDaemon(true);
            writer.start();
            reader.start();
        }

        /** Allows the reader {@code n} more bytes; returns the total it may then have read. */
        synchronized long grant(long n) {
            allowed += n;
            notifyAll();
            return allowed;
        }

        synchronized void open() {
            allowed = Long.MAX_VALUE;
            notifyAll();
        }

        private void write() {
            ByteBuffer b = ByteBuffer.allocateDirect(BUFFER);
            try {
                long offset = 0;
                while (offset < TOTAL) {
                    b.clear().limit((int) Math.min(BUFFER, TOTAL - offset));
                    pattern.fill(b, offset);
                    b.flip();
                    while (b.hasRemaining()) {
                        offset += client.write(b);
                        sent = offset;
                    }
                }
                client.shutdownOutput();
            } catch (IOException e) {
                fail("write at " + sent + ": " + e);
            }
        }

        private void read() {
            ByteBuffer b = ByteBuffer.allocate(BUFFER);
            ByteBuffer expected = ByteBuffer.allocate(BUFFER);
            try {
                while (true) {
                    int want;
                    long offset;
                    synchronized (this) {
                        while (allowed == read) {
                            wait();
                        }
                        want = (int) Math.min(BUFFER, allowed - read);
                        offset = read;
                    }
                    int n = app.read(b.clear().limit(want));
                    if (n < 0) {
                        synchronized (this) {
                            eof = true;
                            notifyAll();
                        }
                        return;
                    }
                    pattern.fill(expected.clear().limit(n), offset);
                    for (int i = 0; i < n && firstMismatch < 0; i++) {
                        if (b.get(i) != expected.get(i)) {
                            firstMismatch = offset + i;
                        }
                    }
                    synchronized (this) {
                        read += n;
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                fail("read at " + read + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private synchronized void fail(String why) {
            if (error == null) {
                error = why;
            }
            notifyAll();
        }

        /** Waits for the writer's FIN to reach the reader: the stream's end, after all its bytes. */
        void awaitEnd() throws InterruptedException {
            writer.join(OsgiFramework.TIMEOUT_MS);
            reader.join(OsgiFramework.TIMEOUT_MS);
            synchronized (this) {
                assertTrue(eof, "end of stream after " + read + " bytes" + (error == null ? "" : ": " + error));
            }
        }

        @Override
        public void close() throws Exception {
            app.close();
            client.close();
            writer.interrupt();
            reader.interrupt();
            writer.join(OsgiFramework.TIMEOUT_MS);
            reader.join(OsgiFramework.TIMEOUT_MS);
        }
    }
}
