package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;

/**
 * {@code help}, {@code help map [SUB]} and {@code COMMAND --help} in Gogo's real command processor:
 * Karaf's sections, generated from the grammar the parser uses; {@code map help} stays bpftool's.
 */
class HelpTest {
    private final Emulator emu = new Emulator();
    private final ThreadIOImpl threadIo = new ThreadIOImpl();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private CommandSession session;
    /** Other bundles' documented commands, as the registry would list them now. */
    private final List<DocumentedCommand> documented = new java.util.concurrent.CopyOnWriteArrayList<>();

    private CommandSession gogo() {
        threadIo.start();
        CommandProcessorImpl processor = new CommandProcessorImpl(threadIo);
        BpfCommands commands = new BpfCommands(emu.bpf, emu.host, p -> "ACTIVE");
        for (String f : new String[] {"map", "providers"}) {
            processor.addCommand("bpf", commands, f);
        }
        BundleContext noFramework = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BundleContext.class}, (p, m, a) -> null);
        HelpCommand help = new HelpCommand(emu.bpf, emu.host, noFramework, () -> List.copyOf(documented), () -> { });
        processor.addCommand("bpf", help, "help");
        processor.addCommand("bpf", help, "complete");
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, err);
        session.put("SCOPE", "bpf:*");
        return session;
    }

    @AfterEach
    void close() {
        if (session != null) {
            session.close();
        }
        threadIo.stop();
        emu.close();
    }

    /** The text with each run of spaces and line breaks as one space: wrapped lines joined. */
    private static String oneLine(String text) {
        return text.replaceAll("\\s+", " ");
    }

    private String take(ByteArrayOutputStream s) {
        String text = s.toString(StandardCharsets.UTF_8);
        s.reset();
        return text;
    }

    @Test
    void mapsUsageHasKarafsSectionsAndEverySubcommand() {
        String text = Docs.of("map", List.of(MapType.ARRAY, MapType.HASH)).render();
        int d = text.indexOf("DESCRIPTION\n        bpf:map\n");
        int s = text.indexOf("\nSYNTAX\n");
        int a = text.indexOf("\nARGUMENTS\n");
        int o = text.indexOf("\nOPTIONS\n");
        int e = text.indexOf("\nEXAMPLES\n");
        assertTrue(d == 0 && d < s && s < a && a < o && o < e, text);
        for (MapGrammar.Sub sub : MapGrammar.get().subs()) {
            assertTrue(oneLine(text).contains(" map [OPTIONS] " + sub.syntax() + " "), sub.name() + " in SYNTAX:\n" + text);
            assertTrue(text.contains("\n        " + sub.name() + "\n                "), sub.name() + " in ARGUMENTS");
        }
        assertTrue(text.contains("\n        TYPE\n                array | hash (the types served now"), text);
        assertTrue(text.contains("\n        -j, --json\n"), text);
        for (String line : text.split("\n")) {
            assertTrue(line.length() <= CommandDoc.WIDTH, "wrapped: " + line);
        }
    }

    @Test
    void theExamplesRunAsPrinted() {
        CommandDoc doc = Docs.of("map", emu.host.mapTypes());
        for (String example : doc.examples()) {
            Emulator.Result r = emu.map(example.substring("map ".length()));
            assertEquals(0, r.exit(), example + ": " + r);
        }
    }

    @Test
    void helpHelpMapAndDashDashHelpInGogo() throws Exception {
        CommandSession s = gogo();
        s.execute("help map");
        assertEquals(0, s.get(BpfCommands.EXIT));
        String map = take(out);
        assertEquals(Docs.of("map", emu.host.mapTypes()).render(), map);

        s.execute("map --help");
        assertEquals(0, s.get(BpfCommands.EXIT));
        assertEquals(map, take(out), "map --help is help map");
        assertEquals("", take(err));

        s.execute("help bpf:map upd");
        String update = take(out);
        assertTrue(update.startsWith("DESCRIPTION\n        bpf:map update\n"), update);
        assertTrue(oneLine(update).contains(" map [OPTIONS] update MAP [key DATA] [value VALUE] [UPDATE_FLAGS] "), update);
        assertTrue(update.contains("\n        UPDATE_FLAGS\n                { any | exist | noexist }\n"), update);

        for (String c : new String[] {"providers", "help", "complete"}) {
            s.execute(c + " --help");
            assertEquals(0, s.get(BpfCommands.EXIT), c);
            String text = take(out);
            assertTrue(text.startsWith("DESCRIPTION\n        bpf:" + c + "\n") && text.contains("\nSYNTAX\n        " + c),
                    c + ":\n" + text);
        }

        s.execute("help nosuch");
        assertEquals(255, s.get(BpfCommands.EXIT));
        assertEquals("Error: no command 'nosuch'; help lists them all\n", take(err));
        s.execute("help map frobnicate");
        assertEquals(255, s.get(BpfCommands.EXIT));
        assertEquals("Error: map has no subcommand 'frobnicate'; help map lists them\n", take(err));

        // bpftool's own usage is untouched.
        s.execute("map help");
        assertEquals(HelpText.MAP, take(err));
        assertEquals("", take(out));
    }

    /** Another bundle's command, documented by its service properties, while it is registered. */
    @Test
    void helpExplainsADocumentedCommandWhileItIsRegistered() throws Exception {
        CommandSession s = gogo();
        documented.add(DocumentedCommandTest.lint());
        for (String line : new String[] {"help lint", "help bpf:lint"}) {
            s.execute(line);
            assertEquals(0, s.get(BpfCommands.EXIT), line);
            String text = take(out);
            assertEquals(DocumentedCommandTest.lint().doc(emu.host.mapTypes()).render(), text, line);
            String served = emu.host.mapTypes().stream().map(MapType::bpftoolName).sorted()
                    .collect(java.util.stream.Collectors.joining(" | "));
            assertTrue(oneLine(text).contains(" TYPE Only these map types (" + served + "). "),
                    "the types served now:\n" + text);
        }
        assertEquals(List.of("lint"), s.execute("complete 'help li'"), "help's argument");

        documented.clear(); // its bundle stopped
        s.execute("help lint");
        assertEquals(255, s.get(BpfCommands.EXIT));
        assertEquals("Error: no command 'lint'; help lists them all\n", take(err));
    }

    @Test
    void theOverviewListsEveryCommandTheShellsFirst() {
        Map<String, String> commands = new TreeMap<>();
        commands.put("felix:lb", "list all installed bundles");
        commands.put("scr:list", "");
        for (String c : HelpCommand.bpfCommands()) {
            commands.put("bpf:" + c, Docs.SUMMARIES.get(c));
        }
        String text = HelpCommand.overview(commands);
        assertTrue(text.startsWith("COMMANDS\n        bpf:batch "), text);
        assertTrue(text.indexOf("bpf:providers") < text.indexOf("felix:lb"), text);
        assertTrue(text.contains("\n        felix:lb        list all installed bundles\n"), text);
        assertTrue(text.contains("\n        scr:list\n"), text);
        assertTrue(text.contains("help COMMAND (or COMMAND --help) shows a command's usage"), text);
        assertTrue(text.contains("only at the\ninteractive prompt is it Gogo script as well"), "Gogo's syntax is the prompt's: " + text);
        for (String c : HelpCommand.bpfCommands()) {
            assertTrue(Docs.of(c, List.of()) != null, "usage of " + c);
        }
    }
}
