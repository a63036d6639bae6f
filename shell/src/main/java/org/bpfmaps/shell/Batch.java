package org.bpfmaps.shell;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.core.api.Errno;

/**
 * {@code batch file FILE}: bpftool's {@code do_batch}. Runs the commands of a file (or standard
 * input for {@code -}), one a line, each as the words after {@code bpftool} (no options: bpftool
 * reads options only on its own command line). A {@code #} starts a comment, a line ending with a
 * backslash continues on the next, and a word may be quoted with {@code '} or {@code "}.
 *
 * <p>The first command that fails ends the batch with its exit code; when all succeed, plain
 * output ends with {@code processed N commands}. In JSON mode the whole batch is one document, an
 * array of {@code {"command":[words],"output":...}}, closed also after a failure.
 *
 * <p>Where a command of the batch ends with its usage (too few words), bpftool 7.1 exits at once
 * and, in JSON mode, aborts on an assertion (exit 134, the document left open). This shell ends
 * the batch there too, with exit 255 and the document closed.
 */
final class Batch {
    /** bpftool's {@code BATCH_LINE_LEN_MAX} and {@code BATCH_ARG_NB_MAX}. */
    private static final int LINE_MAX = 65536;
    private static final int ARGS_MAX = 4096;

    private final Run run;

    Batch(Run run) {
        this.run = run;
    }

    int execute(Args a) {
        if (a.argc() < 2) {
            run.out.error("too few parameters for batch", null);
            return -1;
        } else if (!a.is("file")) {
            run.out.error("expected 'file', got: " + a.peek(), null);
            return -1;
        } else if (a.argc() > 2) {
            run.out.error("too many parameters for batch", null);
            return -1;
        }
        String file = a.peek(1);
        String text;
        boolean directory = !file.equals("-") && isDirectory(file);
        try {
            text = directory ? "" : read(file);
        } catch (IOException e) {
            run.out.error("Can't open file (" + file + "): " + why(e), null);
            return -1;
        }
        JsonWriter j = run.out.json();
        if (j != null) {
            j.startArray();
        }
        int err;
        if (directory) {
            // fopen opens a directory; the first fgets fails with EISDIR
            run.out.error("reading batch file failed: " + Errno.EISDIR.text(), null);
            err = -1;
        } else {
            err = lines(text, j);
        }
        if (j != null) {
            j.endArray();
        }
        return err;
    }

    private int lines(String text, JsonWriter j) {
        List<String> lines = splitLines(text);
        int done = 0;
        for (int i = 0; i < lines.size(); i++) {
            String buf = uncomment(lines.get(i));
            if (buf.length() >= LINE_MAX - 1) {
                run.out.error("reading batch file failed: " + Errno.E2BIG.text(), null);
                return -1;
            }
            while (buf.contains("\\\n")) {
                if (i + 1 >= lines.size()) {
                    run.out.error("missing continuation line on command " + done, null);
                    return -1;
                }
                String cont = uncomment(lines.get(++i));
                if (buf.length() + cont.length() + 1 > LINE_MAX) {
                    run.out.error("command " + done + " is too long", null);
                    return -1;
                }
                buf = buf.substring(0, buf.length() - 2) + cont;
            }
            List<String> words = makeArgs(buf, done);
            if (words == null) {
                return -1;
            }
            if (words.isEmpty()) {
                continue;
            }
            if (j != null) {
                j.startObject();
                j.name("command");
                j.startArray();
                for (String w : words) {
                    j.string(w);
                }
                j.endArray();
                j.name("output");
            }
            int err = Bpftool.select(run, words);
            if (j != null) {
                j.endObject();
            }
            if (err != 0) {
                return err;
            }
            done++;
        }
        if (j == null) {
            run.out.print("processed " + done + " commands\n");
        }
        return 0;
    }

    /** The file's text, or standard input's for {@code -}. */
    private static String read(String file) throws IOException {
        if (file.equals("-")) {
            InputStream in = System.in;
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            return new String(Files.readAllBytes(Path.of(file)), StandardCharsets.UTF_8);
        } catch (InvalidPathException e) {
            throw new NoSuchFileException(file); // a name no file system has (a NUL in it)
        }
    }

    private static boolean isDirectory(String file) {
        try {
            return Files.isDirectory(Path.of(file));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    private static String why(IOException e) {
        if (e instanceof NoSuchFileException) {
            return Errno.ENOENT.text();
        }
        if (e instanceof AccessDeniedException) {
            return Errno.EACCES.text();
        }
        return Errno.EIO.text();
    }

    /** The lines as {@code fgets} returns them, each with its newline (the last maybe without). */
    private static List<String> splitLines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl + 1;
            out.add(text.substring(start, end));
            start = end;
        }
        return out;
    }

    /** Everything from the first {@code #} on is cut, newline included, as bpftool does. */
    private static String uncomment(String line) {
        int hash = line.indexOf('#');
        return hash >= 0 ? line.substring(0, hash) : line;
    }

    /** {@code make_args}: words split at blanks, a word opened by a quote running to its closing quote. */
    private List<String> makeArgs(String line, int command) {
        final String ws = " \t\r\n";
        List<String> words = new ArrayList<>();
        int cp = 0;
        int n = line.length();
        while (cp < n) {
            while (cp < n && ws.indexOf(line.charAt(cp)) >= 0) {
                cp++;
            }
            if (cp >= n) {
                break;
            }
            if (words.size() >= ARGS_MAX - 1) {
                run.out.error("too many arguments to command " + command, null);
                return null;
            }
            char c = line.charAt(cp);
            if (c == '\'' || c == '"') {
                int close = line.indexOf(c, cp + 1);
                if (close < 0) {
                    run.out.error("unterminated quoted string in command " + command, null);
                    return null;
                }
                words.add(line.substring(cp + 1, close));
                cp = close + 1;
            } else {
                int end = cp;
                while (end < n && ws.indexOf(line.charAt(end)) < 0) {
                    end++;
                }
                words.add(line.substring(cp, end));
                cp = end + 1;
            }
        }
        return words;
    }
}
