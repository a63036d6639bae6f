package org.bpfmaps.shell;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.bpfmaps.map.xsk.XskDefaultProgram;
import org.bpfmaps.map.xsk.XskMapProvider;

/**
 * An isolated instance with the XSKMAP family and libxdp's {@code xsk_def_prog}, and the shell's
 * commands on it by their first word ({@code dev}, {@code xsk}, {@code map}, {@code prog}, {@code net},
 * {@code link}) with their output captured. Closing it closes the devices' feeds and outputs, then the
 * instance.
 */
final class XdpShell implements AutoCloseable {
    final ProviderHost host = Standalone.create();
    final BpfInstance bpf;

    XdpShell() {
        host.addProvider(new XskMapProvider());
        host.addProgram(new XskDefaultProgram());
        bpf = host.newInstance(BpfSettings.defaults().withPossibleCpus(2));
    }

    private interface Cmd {
        int run(List<String> words, PrintStream out, PrintStream err);
    }

    /** Runs one command line of the shell's. */
    Emulator.Result run(String line) {
        List<String> words = Arrays.asList(line.trim().split(" +"));
        Cmd c = switch (words.get(0)) {
            case "dev" -> new DevCommand(bpf)::run;
            case "xsk" -> new XskCommand(bpf)::run;
            case "map" -> new MapCommand(bpf)::run;
            case "prog" -> new ProgCommand(bpf)::run;
            case "net" -> new NetCommand(bpf)::run;
            case "link" -> new LinkCommand(bpf)::run;
            default -> throw new IllegalArgumentException("no command " + words.get(0));
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = c.run(words.subList(1, words.size()), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Emulator.Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs a line that must succeed; its standard output. */
    String ok(String line) {
        Emulator.Result r = run(line);
        if (r.exit() != 0 || !r.stderr().isEmpty()) {
            throw new AssertionError(line + " -> " + r);
        }
        return r.stdout();
    }

    @Override
    public void close() {
        DeviceEnds.closeAll(bpf);
        bpf.close();
    }
}
