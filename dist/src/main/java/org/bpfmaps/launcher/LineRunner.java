package org.bpfmaps.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;

/**
 * Runs command lines in a Gogo session and turns each into an exit code.
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

    LineRunner(GogoSession session, PrintStream out, PrintStream err) {
        this.session = session;
        this.out = out;
        this.err = err;
    }

    /** Whether a script line is a command: not blank and not a {@code #} comment. */
    static boolean isCommand(String line) {
        String s = line.strip();
        return !s.isEmpty() && !s.startsWith("#");
    }

    /**
     * {@code exit} or {@code exit N}: the launcher's own command that ends the session. Returns
     * null for any other line, -1 for a bare {@code exit}, else N.
     */
    static Integer exitRequest(String line) {
        String[] words = line.strip().split("\\s+");
        if (!words[0].equals("exit") || words.length > 2) {
            return null;
        }
        if (words.length == 1) {
            return -1;
        }
        try {
            return Integer.parseInt(words[1]) & 0xFF;
        } catch (NumberFormatException e) {
            return null; // not ours: let Gogo say what it thinks of it
        }
    }

    /** Runs one line and returns its exit code (0..255). */
    int run(String line) {
        Object result;
        try {
            session.put(EXIT_VAR, null);
            result = session.execute(line);
            if (result != null) {
                out.println(session.format(result));
            }
        } catch (Throwable t) { // whatever a command does, the user reads one line, and the session goes on
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
     * Runs every command line of a script, including those after a failure (each line on its
     * own: Gogo stops a multi-command line at the first command that throws). Returns 0 when all
     * succeeded, else the exit code of the last line that failed; {@code exit [N]} stops early.
     * A line that {@link ScriptLines} refuses is an {@code Error:} line and 255; one too long to
     * read also ends the script.
     */
    int runScript(ScriptLines lines) throws IOException {
        int status = 0;
        while (true) {
            String line;
            try {
                line = lines.next();
            } catch (ScriptLines.BadLine e) {
                err.println("Error: " + e.getMessage());
                err.flush();
                status = FAILED;
                if (e.endsInput) {
                    return status;
                }
                continue;
            }
            if (line == null) {
                return status;
            }
            if (!isCommand(line)) {
                continue;
            }
            Integer exit = exitRequest(line);
            if (exit != null) {
                return exit < 0 ? status : exit;
            }
            int code = run(line.strip());
            if (code != 0) {
                status = code;
            }
        }
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
