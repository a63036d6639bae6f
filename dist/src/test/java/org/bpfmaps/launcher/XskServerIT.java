package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * map.xsk is part of the default distribution: the corpus's XSKMAP cases all pass in the jar, and
 * against a running {@code --server} the devices and XSK sockets belong to the instance, not to the
 * one-shot command that made them: {@code dev add} in one client, {@code xsk create} and
 * {@code xsk bind} in the next ones, an XSKMAP that holds the socket, {@code dev list} and
 * {@code xsk show} in later ones see them all; {@code help} documents both commands.
 */
class XskServerIT {
    private static final Pattern CREATED = Pattern.compile("(\\d+): xsk  cookie (\\d+)  unbound\n(?s).*");

    @TempDir
    Path runtime;
    private RunningServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** {@code conformance corpus/kernel-6.18.json xskmap} in the jar: the 21 XSKMAP cases all run and pass. */
    @Test
    void theCorpusXskMapCasesAllPassInTheJar() throws Exception {
        Path corpus = Path.of("..", "corpus", "kernel-6.18.json").toAbsolutePath().normalize();
        JarRun r = JarRun.run("", "-c", "conformance " + corpus + " xskmap");
        assertAll(r::toString,
                () -> assertEquals("21 passed, 0 failed, 0 skipped\n", r.out()),
                () -> assertEquals("", r.err()),
                () -> assertEquals(0, r.exitCode()));
    }

    @Test
    void devicesAndXskSocketsLiveInTheRunningInstance() throws Exception {
        server = RunningServer.start(runtime);
        JarRun add = server.client("dev", "add", "eth0", "queues", "2");
        assertEquals("2: eth0  queues 2\n", add.out(), add::toString);

        JarRun create = server.client("xsk", "create", "frames", "8", "frame-size", "2048", "rx", "4", "tx", "4",
                "fill", "8", "comp", "8");
        Matcher m = CREATED.matcher(create.out());
        assertTrue(m.matches(), create::toString);
        String fd = m.group(1);

        JarRun bind = server.client("xsk", "bind", fd, "dev", "eth0", "queue", "1");
        assertEquals(0, bind.exitCode(), bind::toString);
        JarRun made = server.client("map", "create", "/sys/fs/bpf/xm", "type", "xskmap", "key", "4", "value", "4",
                "entries", "4", "name", "xm");
        assertEquals(0, made.exitCode(), made::toString);
        JarRun put = server.client("map", "update", "name", "xm", "key", "1", "0", "0", "0", "value", fd, "0", "0", "0");
        assertEquals(0, put.exitCode(), put::toString);

        JarRun devs = server.client("dev", "list");
        assertEquals("1: lo  queues 1\n2: eth0  queues 2\n\tqueue 1  xsk " + fd + "\n", devs.out(), devs::toString);
        JarRun show = server.client("xsk", "show", fd);
        assertAll(show::toString,
                () -> assertTrue(show.out().startsWith(fd + ": xsk  cookie " + m.group(2) + "  dev eth0 (ifindex 2)  queue 1\n")),
                () -> assertTrue(show.out().contains("\tfill  size 8  producer 0  consumer 0  filled 0  free 8\n")),
                () -> assertTrue(show.out().contains("\trx_ring_full 0  rx_fill_ring_empty_descs 0  tx_ring_empty_descs 0\n")),
                () -> assertTrue(show.out().contains("  key 01 00 00 00\n"), "the XSKMAP slot"));

        JarRun bad = server.client("xsk", "create", "rx", "3");
        assertAll(bad::toString,
                () -> assertEquals(255, bad.exitCode()),
                () -> assertEquals("Error: can't create XSK socket: rx 3: Invalid argument (EINVAL)\n"
                        + "  ring size 3: a power of two above 0\n", bad.err()));

        JarRun close = server.client("xsk", "close", fd);
        assertEquals(0, close.exitCode(), close::toString);
        assertEquals("1: lo  queues 1\n2: eth0  queues 2\n", server.client("dev", "list").out());
        JarRun help = server.client("help");
        assertAll(help::toString,
                () -> assertTrue(help.out().contains("bpf:dev")),
                () -> assertTrue(help.out().contains("bpf:xsk")));
        assertFalse(server.stderr().contains("Exception"), server::toString);
    }
}
