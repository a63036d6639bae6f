package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs each command script of {@code src/test/resources/bpftool} through {@link MapCommand} on
 * the emulator, as typed, with {@code -j} and with {@code -p}, and compares exit code, standard
 * output and standard error byte for byte with what bpftool 7.1 printed for the same commands on
 * a 6.18 kernel (recorded by {@code record.sh}), after every command checking that no fd was left
 * open.
 *
 * <p>Normalised before comparing, and nothing else:
 * <ul>
 *   <li>map ids, which the kernel hands out machine-wide and the emulator per instance: the
 *       {@code N:} that starts a plain show or dump header and the value of a JSON {@code "id"};
 *   <li>this project's additions to bpftool's errors, taken out of the emulator's output: the
 *       indented detail line after an {@code Error:} line, and the {@code "detail"} key of a JSON
 *       error object.
 * </ul>
 * memlock is not normalised: the shell computes it as the kernel does.
 *
 * <p>One deliberate difference (see {@link #expected}): where a {@code name} handle matches no
 * map, bpftool 7.1 prints nothing at all (not even a JSON document) and exits 255; the shell
 * prints an {@code Error:} line, as for every other handle that opens nothing, and exits 255.
 */
class BpftoolRecordingTest {
    static Stream<Arguments> recordings() throws IOException {
        List<Arguments> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(Recording.DIR)) {
            for (Path p : files.sorted().toList()) {
                String f = p.getFileName().toString();
                if (f.endsWith(".script")) {
                    String script = f.substring(0, f.length() - ".script".length());
                    for (String mode : List.of("plain", "json", "pretty")) {
                        out.add(Arguments.of(script, mode));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("recordings")
    void printsWhatBpftoolPrinted(String script, String mode) throws IOException {
        Recording rec = Recording.read(Recording.DIR.resolve(script + "." + mode + ".txt"));
        String option = switch (mode) {
            case "json" -> "-j ";
            case "pretty" -> "-p ";
            default -> "";
        };
        List<String> mismatches = new ArrayList<>();
        try (Emulator emu = new Emulator()) {
            Iterator<Recording.Step> steps = rec.steps().iterator();
            for (String line : Files.readAllLines(Recording.DIR.resolve(script + ".script"))) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("!rm ")) {
                    emu.bpf.unlink(line.substring(4), null);
                    continue;
                }
                if (!steps.hasNext()) {
                    fail(script + "." + mode + ": the recording ends before '" + line + "'; run record.sh again");
                }
                Recording.Step step = steps.next();
                assertEquals(option + line, step.command(), "the script changed since it was recorded; run record.sh");
                Emulator.Result got = emu.map(option + resolveIds(emu, line));
                Emulator.Result want = expected(step, line, mode);
                String actualOut = withoutDetail(normaliseIds(got.stdout()));
                String actualErr = withoutDetailLines(got.stderr());
                if (want.exit() != got.exit() || !normaliseIds(want.stdout()).equals(actualOut)
                        || !want.stderr().equals(actualErr)) {
                    mismatches.add(String.format("%s%n  bpftool: exit %d%n%s%s  shell:   exit %d%n%s%s",
                            step.command(), want.exit(), indent(want.stdout()), indent(want.stderr()), got.exit(),
                            indent(got.stdout()), indent(got.stderr())));
                }
                emu.assertNoFdOpen(step.command());
            }
            assertFalse(steps.hasNext(), "the recording has more commands than the script; run record.sh");
        }
        if (!mismatches.isEmpty()) {
            fail(mismatches.size() + " command(s) differ from bpftool:\n" + String.join("\n", mismatches));
        }
    }

    /** The one deliberate difference: an Error line where a name handle matches no map. */
    private static Emulator.Result expected(Recording.Step step, String line, String mode) {
        boolean silent = step.exit() == 255 && step.stderr().isEmpty()
                && step.stdout().equals(mode.equals("plain") ? "" : "\n");
        Matcher name = Pattern.compile("\\bname (\\S+)").matcher(line);
        if (!silent || !name.find() || line.startsWith("create")) {
            return new Emulator.Result(step.exit(), step.stdout(), step.stderr());
        }
        String what = "get map by name (" + name.group(1) + "): No such file or directory";
        return switch (mode) {
            case "json" -> new Emulator.Result(255, "{\"error\":\"" + what + "\"}\n", "");
            case "pretty" -> new Emulator.Result(255, "{\n    \"error\": \"" + what + "\"\n}\n", "");
            default -> new Emulator.Result(255, "", "Error: " + what + "\n");
        };
    }

    private static String resolveIds(Emulator emu, String line) {
        Matcher m = Pattern.compile("@id\\(([^)]*)\\)").matcher(line);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, Integer.toString(emu.idOf(m.group(1))));
        }
        return m.appendTail(b).toString();
    }

    private static final Pattern PLAIN_ID = Pattern.compile("(?m)^\\d+: ");
    private static final Pattern JSON_ID = Pattern.compile("(\"id\": ?)\\d+");

    static String normaliseIds(String s) {
        return JSON_ID.matcher(PLAIN_ID.matcher(s).replaceAll("ID: ")).replaceAll("$1ID");
    }

    private static final Pattern DETAIL_KEY = Pattern.compile(",\\s*\"detail\": ?\"(?:[^\"\\\\]|\\\\.)*\"");

    static String withoutDetail(String json) {
        return DETAIL_KEY.matcher(json).replaceAll("");
    }

    /** Drops the indented line that follows an Error line: the shell's detail, which bpftool has not. */
    static String withoutDetailLines(String stderr) {
        StringBuilder b = new StringBuilder();
        boolean afterError = false;
        for (String l : stderr.split("(?<=\n)")) {
            if (afterError && l.startsWith("  ") && !l.startsWith("   ")) {
                afterError = false;
                continue;
            }
            afterError = l.startsWith("Error: ");
            b.append(l);
        }
        return b.toString();
    }

    private static String indent(String s) {
        if (s.isEmpty()) {
            return "";
        }
        return ("    | " + s.replace("\n", "\n    | ")).replaceAll("\n    \\| $", "\n")
                + (s.endsWith("\n") ? "" : "(no newline)\n");
    }
}
