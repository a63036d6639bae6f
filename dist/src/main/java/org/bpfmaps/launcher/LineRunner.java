package org.bpfmaps.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Arrays;
import java.util.List;

/**
 * Runs commands in a Gogo session and turns each into an exit code.
 *
 * <p>A command is its words ({@link #run(List)}): those of a one-shot command as the user's shell
 * made them, or those of a script line split as bpftool's batch mode does ({@link Words},
 * {@link #runScript}); Gogo's parser never sees them, so no line of {@code -c}, a script, standard
 * input or the socket pipes, redirects or expands anything. Only the interactive prompt runs a
 * line of Gogo script ({@link #run(String)}), for those who want Gogo's syntax.
 *
 * <p>The contract with the commands: a command stores its exit code as an Integer in the session
 * variable {@value #EXIT_VAR} (0 on success) and prints its own output and {@code Error:} lines.
 * The variable is removed before each line, so a line that sets nothing (Gogo's own commands)
 * counts as 0. A line that throws (Gogo's "Command not found", a syntax error, a command's bug)
 * prints {@code Error: <message>} on standard error and counts as 255; never a stack trace.
 */
final class LineRunner {
    static final String EXIT_VAR = "bpf.exit";
    static final int FAILED = 255;

    private final GogoSession session;
    private final PrintStream out;
    private final PrintStream err;
    /** The prompt's Ctrl-C, whose lines wait for an interrupted command to end; null elsewhere. */
    private final CtrlC ctrlC;

    LineRunner(GogoSession session, PrintStream out, PrintStream err) {
        this(session, out, err, null);
    }

    /** A runner of the prompt's lines, which Ctrl-C (through {@code ctrlC}) interrupts. */
    LineRunner(GogoSession session, PrintStream out, PrintStream err, CtrlC ctrlC) {
        this.session = session;
        this.out = out;
        this.err = err;
        this.ctrlC = ctrlC;
    }

    /** Whether a script line is a command: not blank and not a {@code #} comment. */
    static boolean isCommand(String line) {
        String s = line.strip();
        return !s.isEmpty() && !s.startsWith("#");
    }

    /** {@link #exitRequest(List)} for a line of the prompt, split at blanks. */
    static Integer exitRequest(String line) {
        return exitRequest(Arrays.asList(line.strip().split("\\s+")));
    }

    /**
     * {@code exit} or {@code exit N}: the launcher's own command that ends the session. Returns
     * null for any other command, -1 for a bare {@code exit}, else N.
     */
    static Integer exitRequest(List<String> words) {
        if (words.isEmpty() || !words.get(0).equals("exit") || words.size() > 2) {
            return null;
        }
        if (words.size() == 1) {
            return -1;
        }
        try {
            return Integer.parseInt(words.get(1)) & 0xFF;
        } catch (NumberFormatException e) {
            return null; // not ours: "Command not found: exit"
        }
    }

    /** Runs one line of Gogo script (the interactive prompt's) and returns its exit code (0..255). */
    int run(String line) {
        return run(new Execution() {
            @Override
            public Object run() throws Exception {
                return session.execute(line);
            }
        });
    }

    /** Runs one command given as its words, which nothing parses, and returns its exit code (0..255). */
    int run(List<String> words) {
        return run(new Execution() {
            @Override
            public Object run() throws Exception {
                return session.execute(words);
            }
        });
    }

    private interface Execution {
        Object run() throws Exception;
    }

    private int run(Execution execution) {
        Object result;
        try {
            session.put(EXIT_VAR, null);
            result = execution.run();
            if (result != null) {
                out.println(session.format(result));
            }
        } catch (Throwable t) { // whatever a command does, the user reads one line, and the session goes on
            if (ctrlC != null && ctrlC.came()) {
                return afterCtrlC();
            }
            err.println("Error: " + message(t));
            return FAILED;
        } finally {
            out.flush();
            err.flush();
            // A Ctrl-C that interrupted the command must not also cancel what comes next.
            Thread.interrupted();
        }
        return exitCode(session.get(EXIT_VAR));
    }

    /**
     * The line ended at a Ctrl-C, and its command may still be running (Gogo lets the line go at
     * the interrupt): waits for it to end, so that what it prints on its way out comes before the
     * next prompt. A command that left its exit code (conformance: its counts, then
     * {@code Error: interrupted: ...} and 130) has said how it ended; otherwise the line ends with
     * {@code Error: interrupted}. A second Ctrl-C stops the wait, and says so.
     */
    private int afterCtrlC() {
        boolean ended = ctrlC.awaitInterrupted(session);
        Object code = session.get(EXIT_VAR);
        if (ended && code != null) {
            return exitCode(code);
        }
        err.println(ended ? "Error: interrupted"
                : "Error: interrupted; the command has not ended yet, and goes on without the prompt");
        return FAILED;
    }

    /**
     * Runs every command line of a script, including those after a failure (each line on its
     * own), each split into words as bpftool's batch mode splits a line ({@link Words}: quotes,
     * {@code #} comments, a backslash at the end continues the line). Returns 0 when all
     * succeeded, else the exit code of the last line that failed; {@code exit [N]} stops early.
     * A line that {@link ScriptLines} refuses is an {@code Error:} line and 255; one too long to
     * read also ends the script.
     */
    int runScript(ScriptLines lines) throws IOException {
        int status = 0;
        while (true) {
            List<String> words;
            int first = lines.number() + 1;
            try {
                String line = lines.next();
                if (line == null) {
                    return status;
                }
                String text = Words.uncomment(line);
                for (boolean more = Words.continues(line); more; ) {
                    String next = lines.next();
                    if (next == null) {
                        return failed("missing continuation line after line " + first);
                    }
                    text = text.substring(0, text.length() - 1) + Words.uncomment(next);
                    more = Words.continues(next);
                }
                words = Words.split(text);
            } catch (ScriptLines.BadLine e) {
                status = failed(e.getMessage());
                if (e.endsInput) {
                    return status;
                }
                continue;
            } catch (IllegalArgumentException e) {
                status = failed(e.getMessage() + " on line " + first);
                continue;
            }
            if (words.isEmpty()) {
                continue;
            }
            Integer exit = exitRequest(words);
            if (exit != null) {
                return exit < 0 ? status : exit;
            }
            int code = run(words);
            if (code != 0) {
                status = code;
            }
        }
    }

    /** A line that is no command: its {@code Error:} line, and 255. */
    private int failed(String why) {
        err.println("Error: " + why);
        err.flush();
        return FAILED;
    }

    /** The value of {@value #EXIT_VAR} as an exit code: unset is 0, a number is taken as a byte. */
    int exitCode(Object v) {
        if (v == null) {
            return 0;
        }
        if (v instanceof Number n) {
            return n.intValue() & 0xFF;
        }
        try {
            return Integer.parseInt(v.toString().strip()) & 0xFF;
        } catch (NumberFormatException e) {
            err.println("Error: " + EXIT_VAR + " is not a number: " + v);
            err.flush();
            return FAILED;
        }
    }

    /** What a user reads after {@code Error: }: the message of the real failure, never a trace. */
    static String message(Throwable t) {
        while ((t instanceof InvocationTargetException || t instanceof UndeclaredThrowableException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t instanceof InterruptedException ? "interrupted" : t.getClass().getSimpleName();
        }
        return m.strip();
    }
}
