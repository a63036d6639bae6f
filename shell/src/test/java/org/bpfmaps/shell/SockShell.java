package org.bpfmaps.shell;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.bpfmaps.map.array.ArrayProvider;
import org.bpfmaps.map.sockmap.SockMapProvider;

/**
 * An isolated instance with the ARRAY and sockmap families, and the shell's {@code sock} and
 * {@code map} commands on it with their output captured; the commands share one record of the
 * shell's listeners, as the Gogo component's commands do. Closing it closes every socket.
 */
final class SockShell implements AutoCloseable {
    final ProviderHost host = Standalone.create();
    final BpfInstance bpf;
    final ShellListeners listeners = new ShellListeners();

    SockShell() {
        host.addProvider(new ArrayProvider());
        host.addProvider(new SockMapProvider());
        bpf = host.newInstance(BpfSettings.defaults().withPossibleCpus(2));
    }

    private static List<String> words(String line) {
        return line.isBlank() ? List.of() : Arrays.asList(line.trim().split(" +"));
    }

    Emulator.Result sock(String line) {
        return sock(words(line));
    }

    Emulator.Result sock(List<String> words) {
        return sock(new SockCommand(bpf, listeners), words);
    }

    /** With another command object: another shell, or another one-shot client of the same shell. */
    static Emulator.Result sock(SockCommand c, List<String> words) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = c.run(words, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Emulator.Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Emulator.Result map(String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new MapCommand(bpf).run(words(line), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Emulator.Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The socket at an fd of the instance (null when none). */
    BpfSocket at(int fd) {
        return Sockets.byFd(bpf, fd);
    }

    /** The instance's socket fds, lowest first. */
    List<Integer> fds() {
        return List.copyOf(Sockets.list(bpf).keySet());
    }

    @Override
    public void close() {
        bpf.close();
    }
}
