package org.bpfmaps.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The Main-Class of bpfmaps.jar.
 *
 * <pre>
 * java -jar bpfmaps.jar              interactive prompt when standard input and output are a terminal,
 *                                    else the commands on standard input
 * java -jar bpfmaps.jar -c 'CMD'     runs CMD (one command a line)
 * java -jar bpfmaps.jar FILE         runs the commands in FILE
 * java -jar bpfmaps.jar --server     serves commands on the instance's socket until stopped
 * java -jar bpfmaps.jar map show     one command, in the instance that listens on the socket if
 *                                    there is one, else in a fresh in-process instance
 * </pre>
 *
 * Non-interactive runs print nothing but the commands' output on standard output, run every
 * line even after a failure, and exit 0 when all lines succeeded, else with the exit code of the
 * last line that failed (see {@link LineRunner}).
 */
public final class Main {
    static final String USAGE = """
            usage: java -jar bpfmaps.jar [-c COMMANDS | FILE | - | --server | [--] COMMAND [ARG...]]
              (no argument)  an interactive prompt in a terminal (which also listens on the socket);
                             otherwise commands from standard input
              -c COMMANDS    run COMMANDS, one command a line
              FILE           run the commands in FILE ('-' for standard input)
              --server       start an instance that serves commands on its socket until stopped
              COMMAND ARG... run one command (two words or more, or any after --) in the running
                             instance, else in a fresh one whose maps end with it
            One command a line, split into words as in bpftool's batch files: 'quotes' and "quotes"
            group words, # starts a comment, a \\ at the end continues the line; nothing else is
            special (no pipe, redirection or variable). Every line runs, even after a failure. The
            exit code is 0 when all succeeded, else the last failure's. The interactive prompt
            takes Gogo's own syntax as well.
            The socket: $XDG_RUNTIME_DIR/bpfmaps.sock, else /tmp/bpfmaps-$UID/bpfmaps.sock.
            """;

    /** {@code -Dbpfmaps.trace.startup=true}: prints on stderr when each start-up step ends. */
    static final boolean TRACE = Boolean.getBoolean("bpfmaps.trace.startup");
    private static final long T0 = System.nanoTime();

    private final PrintStream out;
    private final PrintStream err;

    /** With {@link #TRACE}: the milliseconds since main started, and what just ended. */
    static void trace(String what) {
        if (TRACE) {
            System.err.println("bpfmaps: " + (System.nanoTime() - T0) / 1_000_000 + " ms: " + what);
        }
    }

    private Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        // The real standard streams, kept before Gogo's runtime swaps System.out/err for its
        // per-session redirection: the launcher's own output always goes to the real ones.
        PrintStream out = System.out;
        PrintStream err = System.err;
        trace("main");
        // A thread that dies (a bundle's, or JLine's signal thread when the terminal goes away)
        // leaves one line on stderr, not a stack trace.
        Thread.setDefaultUncaughtExceptionHandler(new Thread.UncaughtExceptionHandler() {
            @Override
            public void uncaughtException(Thread thread, Throwable e) {
                err.println("bpfmaps: " + thread.getName() + ": " + LineRunner.message(e));
            }
        });
        int code;
        try {
            code = new Main(out, err).run(args);
        } catch (Throwable t) {
            err.println("Error: " + LineRunner.message(t));
            code = LineRunner.FAILED;
        }
        out.flush();
        err.flush();
        System.exit(code);
    }

    private int run(String[] args) throws Exception {
        if (args.length == 0) {
            // System.console() is non-null only when both standard input and output are a terminal.
            return System.console() != null ? interactive() : script(stdin(), InputStream.nullInputStream());
        }
        String a = args[0];
        if (a.equals("-h") || a.equals("--help")) {
            out.print(USAGE);
            return 0;
        }
        if (a.equals("--server")) {
            return args.length == 1 ? server() : usageError("--server takes no argument");
        }
        if (a.equals("--")) {
            return args.length > 1 ? command(List.of(args).subList(1, args.length)) : usageError("-- needs a command");
        }
        if (a.equals("-c")) {
            if (args.length != 2) {
                return usageError(args.length < 2 ? "-c needs the commands to run" : "too many arguments");
            }
            return script(ScriptLines.of(args[1], "-c"), System.in);
        }
        if (a.equals("-")) {
            return args.length == 1 ? script(stdin(), InputStream.nullInputStream()) : usageError("too many arguments");
        }
        if (a.startsWith("-")) {
            return usageError("unknown option " + a);
        }
        // Two words or more are a command; one word is a FILE when it names one or looks like a
        // path, else a command (`bpfmaps providers`).
        if (args.length > 1 || !(Files.exists(Path.of(a)) || a.contains("/") || a.contains("."))) {
            return command(List.of(args));
        }
        // Checked before the framework starts: a wrong path costs no start-up.
        InputStream file;
        try {
            if (Files.isDirectory(Path.of(a))) {
                throw new IOException("is a directory");
            }
            file = Files.newInputStream(Path.of(a));
        } catch (NoSuchFileException e) {
            err.println("Error: cannot read " + a + ": no such file");
            return LineRunner.FAILED;
        } catch (AccessDeniedException e) {
            err.println("Error: cannot read " + a + ": permission denied");
            return LineRunner.FAILED;
        } catch (IOException | RuntimeException e) {
            err.println("Error: cannot read " + a + ": " + LineRunner.message(e));
            return LineRunner.FAILED;
        }
        try (file) {
            return script(new ScriptLines(file, a), System.in);
        }
    }

    private int usageError(String what) {
        err.println("Error: " + what);
        err.print(USAGE);
        return LineRunner.FAILED;
    }

    private static ScriptLines stdin() {
        return new ScriptLines(System.in, "standard input");
    }

    /** Runs a script; commands get {@code commandIn} as their standard input (never the script itself). */
    private int script(ScriptLines lines, InputStream commandIn) throws Exception {
        return inFreshInstance(commandIn, new Commands() {
            @Override
            public int run(LineRunner runner) throws IOException {
                return runner.runScript(lines);
            }
        });
    }

    private interface Commands {
        int run(LineRunner runner) throws IOException;
    }

    /** Starts the framework, runs the commands in a session of it, and stops it. */
    private int inFreshInstance(InputStream commandIn, Commands commands) throws Exception {
        Warmup.inBackground(); // the other core is idle while this thread starts the framework
        Host host = start();
        try (GogoSession session = host.newSession(commandIn, out, err)) {
            return commands.run(new LineRunner(session, out, err));
        } finally {
            host.close();
        }
    }

    private int interactive() throws Exception {
        // The framework starts on its own thread while this one opens the terminal and the line
        // reader: both take a few hundred milliseconds, and the machine has more than one core.
        FutureTask<Host> boot = new FutureTask<>(new Callable<Host>() {
            @Override
            public Host call() throws Exception {
                return start();
            }
        });
        Thread t = new Thread(boot, "bpfmaps-start");
        t.setDaemon(true);
        t.start();
        Console console;
        try {
            console = Console.open(err);
            trace("terminal and line reader open");
            if (!boot.isDone()) {
                Warmup.jdk(); // this thread would only wait for the framework
                trace("warm-up");
            }
        } catch (IOException | RuntimeException e) {
            closeWhenStarted(boot);
            throw e;
        }
        Host host;
        try {
            host = boot.get();
        } catch (ExecutionException e) {
            console.close();
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
        CommandServer[] listening = new CommandServer[1];
        Thread listener = listenInBackground(host, listening);
        try {
            // No standard input for commands here: the terminal belongs to the line editor.
            return console.run(new Console.Sessions() {
                @Override
                public GogoSession open() {
                    return host.newSession(InputStream.nullInputStream(), out, err);
                }
            }, out, err);
        } finally {
            listener.join(1_000);
            synchronized (listening) {
                if (listening[0] != null) {
                    listening[0].close();
                }
            }
            host.close();
        }
    }

    /**
     * One command given as program arguments: its words, as the user's shell made them, sent to
     * the instance listening on the user's socket, else run in a fresh instance of this process,
     * which says so once on standard error. Nothing parses them again.
     */
    private int command(List<String> words) throws Exception {
        SocketPath where = null;
        try {
            where = SocketPath.forUser();
        } catch (SocketPath.Unsafe e) {
            // Not a folder to trust, nor one to run around silently: the user must fix it.
            err.println("Error: " + e.getMessage());
            return LineRunner.FAILED;
        } catch (IOException e) {
            err.println("bpfmaps: " + LineRunner.message(e));
        }
        if (where != null) {
            Integer code = CommandClient.run(where.socket(), words, out, err);
            if (code != null) {
                return code;
            }
        }
        err.println("bpfmaps: no instance is running (start one with `bpfmaps --server`): this command runs in a "
                + "fresh one, and its maps end with it");
        err.flush();
        Integer exit = LineRunner.exitRequest(words);
        if (exit != null) {
            return exit < 0 ? 0 : exit;
        }
        return inFreshInstance(InputStream.nullInputStream(), new Commands() {
            @Override
            public int run(LineRunner runner) {
                return runner.run(words);
            }
        });
    }

    /** {@code --server}: the framework and its socket, until the process is stopped (SIGTERM, Ctrl-C). */
    private int server() throws Exception {
        SocketPath where = SocketPath.forUser();
        Warmup.inBackground();
        Host host = start();
        CommandServer server;
        try {
            server = CommandServer.listen(where, runner(host), err);
        } catch (IOException | RuntimeException e) {
            host.close();
            err.println("Error: cannot listen on " + where.socket() + ": " + LineRunner.message(e));
            return LineRunner.FAILED;
        }
        if (server == null) {
            host.close();
            err.println("Error: an instance already listens on " + where.socket());
            return LineRunner.FAILED;
        }
        Runtime.getRuntime().addShutdownHook(new Thread("bpfmaps-unlisten") {
            @Override
            public void run() {
                server.close();
            }
        });
        err.println("bpfmaps: listening on " + where.socket());
        err.flush();
        new java.util.concurrent.CountDownLatch(1).await(); // until a signal ends the JVM (the hooks clean up)
        return 0;
    }

    /**
     * The interactive prompt's socket, opened on a thread of its own once the framework runs, so
     * that it costs the first prompt nothing. Quiet when another instance listens already.
     */
    private Thread listenInBackground(Host host, CommandServer[] holder) {
        Thread t = new Thread("bpfmaps-socket") {
            @Override
            public void run() {
                try {
                    CommandServer s = CommandServer.listen(SocketPath.forUser(), runner(host), err);
                    synchronized (holder) {
                        holder[0] = s;
                    }
                    trace(s != null ? "listening on " + s.where().socket() : "another instance listens");
                } catch (IOException | RuntimeException e) {
                    err.println("bpfmaps: not listening for commands: " + LineRunner.message(e));
                }
            }
        };
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Each request on the socket: one command's words in a session of its own, as one bpftool process would run it. */
    private static CommandServer.Runner runner(Host host) {
        return (words, out, err, connection) -> {
            Integer exit = LineRunner.exitRequest(words);
            if (exit != null) {
                return exit < 0 ? 0 : exit; // the client's own exit: the instance goes on
            }
            try (GogoSession session = host.newSession(InputStream.nullInputStream(), out, err)) {
                connection.onGone(() -> session.interruptForegroundJob());
                return new LineRunner(session, out, err).run(words);
            }
        };
    }

    /**
     * Starts the framework and makes sure it is stopped (storage deleted) however the JVM ends.
     * (Here and on the way to it, anonymous classes rather than lambdas: the first lambda of a JVM
     * costs tens of milliseconds of bootstrap, better spent by JLine on the other thread.)
     */
    private Host start() throws Exception {
        Host host = Host.start(err);
        trace("framework started, services registered");
        Runtime.getRuntime().addShutdownHook(new Thread("bpfmaps-stop") {
            @Override
            public void run() {
                host.close();
            }
        });
        return host;
    }

    private static void closeWhenStarted(FutureTask<Host> boot) {
        try {
            boot.get().close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // It failed to start: nothing to close.
        }
    }
}
