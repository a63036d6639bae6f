package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idle connections by the thousand, from the same user, while real clients run: the instance
 * drops the idle ones to make room, never a client whose request has arrived, so each real
 * command is answered as usual.
 */
class ConnectionFloodIT {
    /** Real one-shot commands, as the issue ran them. */
    static final int REAL = 15;
    /** The flood's idle connections kept open at once (the server drops them long before). */
    static final int KEPT_OPEN = 2_000;
    /** Bounds on the flood, whatever happens: it ends when the real clients are done, or at these. */
    static final long MAX_CONNECTS = 5_000_000;
    static final long MAX_FLOOD_MS = 180_000;
    /**
     * What makes it a flood: far more connections than may wait ({@link CommandServer#MAX_PENDING})
     * before the first real client starts, and the waiting set overrun several times over while
     * they run (counted, not timed: how long the clients take depends on the machine).
     */
    static final long MIN_CONNECTS = 5_000;
    static final long MIN_CONNECTS_DURING = 4L * CommandServer.MAX_PENDING;

    @TempDir
    Path runtime;

    @Test
    void mapShowKeepsAnsweringDuringAFloodOfIdleConnections() throws Exception {
        try (RunningServer s = RunningServer.start(runtime)) {
            JarRun create = s.client("map", "create", "/sys/fs/bpf/a", "type", "array", "key", "4", "value", "8",
                    "entries", "4", "name", "a");
            assertEquals(0, create.exitCode(), create::toString);

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong connects = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                Future<?> flood = pool.submit(() -> flood(s.socket, stop, connects));
                // The flood is well under way before the first real client starts (the flood's own
                // bounds end this wait whatever happens).
                while (connects.get() < MIN_CONNECTS && !flood.isDone()) {
                    Thread.onSpinWait();
                }
                long before = connects.get();
                List<Future<JarRun>> real = new ArrayList<>();
                for (int i = 0; i < REAL; i++) {
                    real.add(pool.submit(() -> s.client("map", "show")));
                }
                List<JarRun> runs = new ArrayList<>();
                for (Future<JarRun> f : real) {
                    runs.add(f.get(MAX_FLOOD_MS, TimeUnit.MILLISECONDS));
                }
                long during = connects.get();
                stop.set(true);
                flood.get(RunningServer.DEADLINE_MS, TimeUnit.MILLISECONDS);

                assertTrue(before >= MIN_CONNECTS, "a flood: " + before + " connections before the clients");
                assertTrue(during - before >= MIN_CONNECTS_DURING,
                        "a flood: " + (during - before) + " connections while the clients ran");
                for (JarRun r : runs) {
                    assertAll(r::toString,
                            () -> assertEquals(0, r.exitCode()),
                            () -> assertEquals("1: array  name a  flags 0x0\n", r.out().lines().findFirst().orElse("") + "\n"),
                            () -> assertEquals("", r.err()));
                }
            } finally {
                stop.set(true);
                pool.shutdownNow();
            }
            assertTrue(s.alive());
        }
    }

    /**
     * Opens idle connections as fast as the instance takes them, never sending anything, until
     * told to stop or at its bounds; the oldest are closed on this side past {@link #KEPT_OPEN}.
     */
    private static Void flood(Path socket, AtomicBoolean stop, AtomicLong connects) throws IOException {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        ArrayDeque<SocketChannel> open = new ArrayDeque<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_FLOOD_MS);
        try {
            while (!stop.get() && connects.get() < MAX_CONNECTS && System.nanoTime() < deadline) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.configureBlocking(false);
                try {
                    ch.connect(address);
                } catch (IOException e) {
                    ch.close(); // the kernel's queue is full: at once again
                    continue;
                }
                connects.incrementAndGet();
                open.add(ch);
                if (open.size() > KEPT_OPEN) {
                    open.poll().close();
                }
            }
        } finally {
            for (SocketChannel ch : open) {
                ch.close();
            }
        }
        return null;
    }
}
