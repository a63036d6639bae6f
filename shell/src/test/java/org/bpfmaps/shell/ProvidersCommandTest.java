package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.bpfmaps.map.array.ArrayProvider;
import org.junit.jupiter.api.Test;

/** {@code providers}: each provider with its bundle, version, state, types and maps. */
class ProvidersCommandTest {
    private static String providers(ProviderHost host, List<String> args, int expectedExit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new ProvidersCommand(host, p -> "ACTIVE").run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(expectedExit, exit);
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listsTypesLiveAndDetachedMaps() {
        ProviderHost host = Standalone.create();
        assertEquals("", providers(host, List.of(), 0), "nothing installed, nothing listed");
        ArrayProvider first = new ArrayProvider();
        host.addProvider(first, 0, "1.0.0");
        try (BpfInstance bpf = host.newInstance(BpfSettings.defaults().withPossibleCpus(2))) {
            bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 1));
            bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.PERCPU_ARRAY, 4, 8, 1));
            String origin = ArrayProvider.class.getName();
            assertEquals(origin + "  version 1.0.0  state ACTIVE\n\ttypes array percpu_array  maps 2  detached 0\n",
                    providers(host, List.of(), 0));
            host.removeProvider(first);
            assertEquals("detached maps (they return with their elements when a provider of their type is installed):\n"
                    + "\tid 1  array  from " + origin + "  elements 1  bytes 8\n"
                    + "\tid 2  percpu_array  from " + origin + "  elements 1  bytes 16\n",
                    providers(host, List.of(), 0), "no provider: the maps are listed with what the core keeps");
            host.addProvider(new ArrayProvider(), 0, "1.0.1");
            assertEquals(origin + "  version 1.0.1  state ACTIVE\n\ttypes array percpu_array  maps 2  detached 0\n",
                    providers(host, List.of(), 0), "the maps the stopped one made came back to the new one");
        }
    }

    @Test
    void listsTheDeployFolderProblemsAfterTheProviders() {
        ProviderHost host = Standalone.create();
        host.addProvider(new ArrayProvider(), 0, "1.0.0");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = new ProvidersCommand(host, p -> "ACTIVE",
                () -> List.of("deploy/x.jar: not a bundle: zip END header not found"))
                .run(List.of(), new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, exit);
        assertEquals(ArrayProvider.class.getName() + "  version 1.0.0  state ACTIVE\n"
                + "\ttypes array percpu_array  maps 0  detached 0\n"
                + "deploy folder problems (each lasts until its jar is fixed or removed):\n"
                + "\tdeploy/x.jar: not a bundle: zip END header not found\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void takesNoArguments() {
        assertEquals("Error: what is 'x'?\n  providers takes no arguments\n",
                providers(Standalone.create(), List.of("x"), 255));
    }
}
