package org.bpfmaps.shell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file recorded by {@code src/test/resources/bpftool/record.sh}: for each command bpftool 7.1
 * ran, the command as written in its script, its exit code and its exact standard output and
 * error (length-prefixed blocks, so that trailing newlines are kept).
 */
record Recording(List<Step> steps) {
    /** One command: the words after {@code bpftool map}, placeholders such as {@code @id(PATH)} unresolved. */
    record Step(String command, int exit, String stdout, String stderr) {
    }

    static final Path DIR = Path.of("src/test/resources/bpftool");

    private static final Pattern HEAD = Pattern.compile("### command: (.*)\n### exit: (\\d+)\n### stdout: (\\d+)\n");
    private static final Pattern ERR = Pattern.compile("### stderr: (\\d+)\n");

    static Recording read(Path file) throws IOException {
        // bpftool wrote ASCII; ISO-8859-1 maps bytes to chars one to one, so lengths are byte counts
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        List<Step> steps = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            Matcher h = HEAD.matcher(text).region(i, text.length());
            if (!h.lookingAt()) {
                throw new IOException(file + ": no command block at offset " + i);
            }
            int outLen = Integer.parseInt(h.group(3));
            String out = text.substring(h.end(), h.end() + outLen);
            i = h.end() + outLen + 1;
            Matcher e = ERR.matcher(text).region(i, text.length());
            if (!e.lookingAt()) {
                throw new IOException(file + ": no stderr block at offset " + i);
            }
            int errLen = Integer.parseInt(e.group(1));
            String err = text.substring(e.end(), e.end() + errLen);
            i = e.end() + errLen + 1;
            steps.add(new Step(h.group(1), Integer.parseInt(h.group(2)), out, err));
        }
        return new Recording(steps);
    }
}
