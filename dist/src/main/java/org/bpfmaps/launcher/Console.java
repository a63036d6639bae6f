package org.bpfmaps.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The interactive prompt: JLine owns the terminal here, in the launcher, outside the framework
 * (inside OSGi JLine 3.23+ cannot find its terminal providers and falls back to a dumb terminal).
 *
 * <p>Line editing and key bindings are JLine's (emacs mode); history is kept across runs in
 * {@code ~/.bpfmaps_history}; Tab completes command names, with and without their Gogo scope,
 * and their arguments from the live state (the shell's {@code bpf:complete});
 * Ctrl-C cancels the line being typed, or interrupts the running command; Ctrl-D on an empty
 * line or {@code exit} leaves.
 */
final class Console {
    static final String PROMPT = "bpf> ";
    static final String HISTORY = ".bpfmaps_history";

    private final Terminal terminal;
    private final LineReader reader;
    private volatile GogoSession session;
    private final CtrlC ctrlC = new CtrlC();

    /**
     * Opens the system terminal and its line reader. Done while the framework starts on another
     * thread: the two are the bulk of the time to the first prompt, and do not depend on each other.
     */
    static Console open(PrintStream log) throws IOException {
        return new Console(systemTerminal(log));
    }

    private Console(Terminal terminal) {
        this.terminal = terminal;
        this.reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("bpfmaps")
                .completer(new CommandNames(() -> session))
                .variable(LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), HISTORY))
                // `!` is not history expansion here: commands may take it as an argument.
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .build();
    }

    /**
     * A real terminal through JLine's jni provider (native, in JLine's jar) or else its exec
     * provider (stty); a dumb one, without line editing, only when neither works.
     */
    private static Terminal systemTerminal(PrintStream log) throws IOException {
        try {
            return TerminalBuilder.builder().system(true).name("bpfmaps").providers("jni,exec").dumb(false)
                    // Ctrl-C is ours (handleCtrlC): it interrupts the line running, never the JVM.
                    .nativeSignals(true).signalHandler(Terminal.SignalHandler.SIG_IGN)
                    .build();
        } catch (IOException | RuntimeException e) {
            log.println("bpfmaps: no terminal support (" + LineRunner.message(e) + "); line editing is off");
            return TerminalBuilder.builder().system(true).name("bpfmaps").dumb(true).build();
        }
    }

    /** Opens Gogo sessions on the running framework. */
    interface Sessions {
        GogoSession open();
    }

    /**
     * Reads and runs lines until Ctrl-D or {@code exit [N]}; returns the exit code of the session:
     * 0, or N. A failing command does not end an interactive session, nor set its exit code.
     */
    int run(Sessions sessions, PrintStream out, PrintStream err) {
        handleCtrlC();
        GogoSession current = sessions.open();
        session = current;
        LineRunner runner = new LineRunner(current, out, err, ctrlC);
        try {
            while (true) {
                String line;
                try {
                    Main.trace("prompt");
                    line = reader.readLine(PROMPT);
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C: the line is dropped, a fresh prompt follows
                } catch (EndOfFileException e) {
                    terminal.writer().println();
                    terminal.writer().flush();
                    return 0;
                }
                if (!LineRunner.isCommand(line)) {
                    continue;
                }
                Integer exit = LineRunner.exitRequest(line);
                if (exit != null) {
                    return exit < 0 ? 0 : exit;
                }
                LineRunner lines = runner;
                String command = line.strip();
                if (ctrlC.run(current, () -> lines.run(command))) {
                    // Interrupting a Gogo job closes the session's channels (NIO closes a channel
                    // whose user is interrupted), and the runner ended the old one's pool once its
                    // command had ended: go on in a new session with the same variables. Closing
                    // the old one interrupts what is left of its job (a second Ctrl-C ended the
                    // wait before the command did).
                    GogoSession fresh = sessions.open();
                    for (String name : current.variables()) {
                        if (!name.equals(LineRunner.EXIT_VAR)) {
                            fresh.put(name, current.get(name));
                        }
                    }
                    current.close();
                    current = fresh;
                    session = fresh;
                    runner = new LineRunner(fresh, out, err, ctrlC);
                }
            }
        } finally {
            current.close();
            close();
        }
    }

    /**
     * One INT handler for the whole session, installed once: Ctrl-C interrupts the line running
     * (see {@link CtrlC}) and is ignored between lines (the terminal is in its normal mode while a
     * command runs, so Ctrl-C is a SIGINT). Why not a handler per line: swapping the native SIGINT
     * handler around every command left a moment, right after a line was accepted, in which a
     * Ctrl-C hung the JVM (TerminalIT saw it about once in five runs).
     */
    private void handleCtrlC() {
        terminal.handle(Terminal.Signal.INT, sig -> ctrlC.interrupt());
    }

    /** Restores the terminal's settings; history is already saved, line by line. */
    void close() {
        try {
            terminal.close();
        } catch (IOException e) {
            // Nothing more to restore.
        }
    }

    /**
     * Completes the first word of a line with Gogo's command names, scoped ({@code bpf:map}) and
     * bare ({@code map}), and the words after it with what the shell's {@code bpf:complete}
     * offers from the live state (subcommands, keywords, map types, ids, names, pinned paths,
     * options). A candidate ending in '/' is a folder: no space follows it.
     */
    static final class CommandNames implements Completer {
        static final String COMPLETE = "bpf:complete";
        private final Supplier<GogoSession> session;

        CommandNames(Supplier<GogoSession> session) {
            this.session = session;
        }

        @Override
        public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
            GogoSession s = session.get();
            if (s == null) {
                return;
            }
            if (line.wordIndex() == 0) {
                for (String name : names(s.commands())) {
                    candidates.add(new Candidate(name));
                }
                return;
            }
            for (String word : arguments(s, line.line(), line.cursor())) {
                candidates.add(new Candidate(word, word, null, null, null, null, !word.endsWith("/")));
            }
        }

        /** The shell's candidates for the word at the cursor; none when it has no completion (or fails). */
        static List<String> arguments(GogoSession s, String line, int cursor) {
            try {
                Object r = s.call(COMPLETE, List.of(line, String.valueOf(cursor)));
                if (r instanceof java.util.Collection<?> c) {
                    return c.stream().map(String::valueOf).toList();
                }
            } catch (Exception | LinkageError e) {
                // Completion is a convenience: a failure offers nothing, and the line stays as typed.
            }
            return List.of();
        }

        /** Each {@code scope:function} and its bare {@code function}, plus the launcher's own {@code exit}. */
        static TreeSet<String> names(List<String> commands) {
            TreeSet<String> names = new TreeSet<>();
            for (String c : commands) {
                names.add(c);
                int colon = c.indexOf(':');
                if (colon >= 0) {
                    names.add(c.substring(colon + 1));
                }
            }
            names.add("exit");
            return names;
        }
    }
}
