package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ObjAttr;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.bpfmaps.map.array.ArrayProvider;
import org.bpfmaps.map.hash.HashProvider;

/**
 * An isolated instance with the ARRAY, hash, LPM, queue and sockmap families, and {@link MapCommand} run on it with its output
 * captured: the shell as the tests see it, without a framework.
 */
final class Emulator implements AutoCloseable {
    /** What one command printed and returned. */
    record Result(int exit, String stdout, String stderr) {
    }

    final ProviderHost host = Standalone.create();
    final BpfInstance bpf;

    Emulator(int possibleCpus) {
        host.addProvider(new ArrayProvider());
        host.addProvider(new HashProvider());
        host.addProvider(new org.bpfmaps.map.lpm.LpmProvider());
        host.addProvider(new org.bpfmaps.map.queue.QueueProvider());
        host.addProvider(new org.bpfmaps.map.sockmap.SockMapProvider());
        bpf = host.newInstance(BpfSettings.defaults().withPossibleCpus(possibleCpus));
    }

    /** The recordings' machine had 2 possible CPUs. */
    Emulator() {
        this(2);
    }

    Result map(String line) {
        return map(line.isBlank() ? List.of() : Arrays.asList(line.trim().split(" +")));
    }

    /** A whole bpftool command line (the words after {@code bpftool}). */
    Result bpftool(List<String> words) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new Bpftool(bpf).run(words, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Result map(List<String> words) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new MapCommand(bpf).run(words, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The id of the map pinned at a path (bpftool's {@code map show pinned PATH}), for {@code @id(PATH)}. */
    int idOf(String path) {
        int fd = bpf.bpf(BpfCmd.OBJ_GET, new ObjAttr(path, 0));
        assertTrue(fd >= 0, "nothing pinned at " + path);
        InfoAttr info = new InfoAttr(fd);
        bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, info);
        bpf.close(fd);
        return MapInfo.read(info.info, info.infoLen).id();
    }

    /**
     * Asserts that no command left an fd open: fds are handed out lowest first, so a new map gets
     * fd 3, the first after standard input, output and error, only when every other fd is closed.
     */
    void assertNoFdOpen(String after) {
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 4, 1));
        assertEquals(3, fd, "an fd is left open after: " + after);
        bpf.close(fd);
    }

    @Override
    public void close() {
        bpf.close();
    }
}
