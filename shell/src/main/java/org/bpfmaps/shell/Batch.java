package org.bpfmaps.shell;

import java.io.IOException;
import java.io.InputStream;
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
 * <p>The file is read a line at a time ({@link BatchLines}): a line of more than
 * {@value BatchLines#LONGEST} bytes ends the batch with bpftool's {@code reading batch file
 * failed: Argument list too long}, without reading the rest of it, so that no input, not even
 * {@code /dev/zero}, takes more memory or time than that.
 *
 * <p>Where a command of the batch ends with its usage (too few words), bpftool 7.1 exits at once
 * and, in JSON mode, aborts on an assertion (exit 134, the document left open). This shell ends
 * the batch there too, with exit 255 and the document closed.
 */
final class Batch {
    /** bpftool's {@code BATCH_ARG_NB_MAX}: the words of a command, with the NULL that ends argv. */
    private static final int ARGS_MAX = 4096;
    /**
     * How deep batch files may run batch files. bpftool has no limit but its stack (160 KiB a
     * level: a file that runs itself ends in a segmentation fault at about 50 levels); each level
     * here holds an open file and a line buffer, so the depth bounds what a batch can take.
     */
    static final int DEPTH_MAX = 16;

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
        if (run.batchDepth >= DEPTH_MAX) {
            run.out.error("too many nested batch files", "a batch file runs batch files at most " + DEPTH_MAX
                    + " deep (bpftool overflows its stack at about 50)");
            return -1;
        }
        boolean directory = !file.equals("-") && isDirectory(file);
        InputStream in;
        try {
            in = directory ? InputStream.nullInputStream() : open(file);
        } catch (IOException e) {
            run.out.error("Can't open file (" + file + "): " + why(e), null);
            return -1;
        }
        JsonWriter j = run.out.json();
        if (j != null) {
            j.startArray();
        }
        int err;
        run.batchDepth++;
        try {
            if (directory) {
                // fopen opens a directory; the first fgets fails with EISDIR
                run.out.error("reading batch file failed: " + Errno.EISDIR.text(), null);
                err = -1;
            } else {
                err = lines(new BatchLines(in), j);
            }
        } finally {
            run.batchDepth--;
            if (in != System.in) {
                close(in);
            }
        }
        if (j != null) {
            j.endArray();
        }
        return err;
    }

    private int lines(BatchLines in, JsonWriter j) {
        int done = 0;
        try {
            for (String line; (line = in.next()) != null; ) {
                String buf = uncomment(line);
                while (buf.contains("\\\n")) {
                    String cont;
                    try {
                        cont = in.next();
                    } catch (BatchLines.TooLong e) {
                        run.out.error("command " + done + " is too long", e.getMessage());
                        return -1;
                    }
                    if (cont == null || cont.isEmpty()) {
                        run.out.error("missing continuation line on command " + done, null);
                        return -1;
                    }
                    cont = uncomment(cont);
                    if (buf.length() + cont.length() + 1 > BatchLines.LINE_LEN_MAX) {
                        run.out.error("command " + done + " is too long", "a command with its continuation lines is "
                                + "at most " + (BatchLines.LINE_LEN_MAX - 1) + " bytes (BATCH_LINE_LEN_MAX)");
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
        } catch (BatchLines.TooLong e) {
            run.out.error("reading batch file failed: " + Errno.E2BIG.text(), e.getMessage());
            return -1;
        } catch (IOException e) {
            run.out.error("reading batch file failed: " + why(e), "line " + (in.number() + 1) + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
            return -1;
        }
        if (j == null) {
            run.out.print("processed " + done + " commands\n");
        }
        return 0;
    }

    /** The file, or standard input for {@code -}. */
    private static InputStream open(String file) throws IOException {
        if (file.equals("-")) {
            return System.in;
        }
        try {
            return Files.newInputStream(Path.of(file));
        } catch (InvalidPathException e) {
            throw new NoSuchFileException(file); // a name no file system has (a NUL in it)
        }
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // read-only: nothing was lost
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

    /** Everything from the first {@code #} on is cut, newline included, as bpftool does. */
    private static String uncomment(String line) {
        int hash = line.indexOf('#');
        return hash >= 0 ? line.substring(0, hash) : line;
    }

    /**
     * {@code make_args}: words split at blanks, a word opened by a quote running to its closing
     * quote; the line's chars are its bytes, each word is turned into its UTF-8 text.
     */
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
                run.out.error("too many arguments to command " + command, "a command is at most " + (ARGS_MAX - 1)
                        + " words (BATCH_ARG_NB_MAX " + ARGS_MAX + ")");
                return null;
            }
            char c = line.charAt(cp);
            if (c == '\'' || c == '"') {
                int close = line.indexOf(c, cp + 1);
                if (close < 0) {
                    run.out.error("unterminated quoted string in command " + command, null);
                    return null;
                }
                words.add(BatchLines.text(line.substring(cp + 1, close)));
                cp = close + 1;
            } else {
                int end = cp;
                while (end < n && ws.indexOf(line.charAt(end)) < 0) {
                    end++;
                }
                words.add(BatchLines.text(line.substring(cp, end)));
                cp = end + 1;
            }
        }
        return words;
    }
}
