package org.bpfmaps.launcher;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A Gogo {@code CommandSession}, called through reflection.
 *
 * <p>The API package {@code org.apache.felix.service.command} lives only inside the framework
 * (in gogo.runtime); the launcher shares no package with the bundles, so it cannot be wired to the
 * wrong copy of a class. The handful of methods it needs are looked up on Gogo's own interfaces.
 */
final class GogoSession implements AutoCloseable {
    static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    static final String SESSION = "org.apache.felix.service.command.CommandSession";
    static final String FUNCTION = "org.apache.felix.service.command.Function";
    /**
     * The session variable that holds, while {@link #execute(List)} runs, the call of one
     * command's words; the one line Gogo parses for it is this name, nothing the user wrote.
     */
    static final String WORDS_CALL = "_bpfmaps_words";
    /** Gogo's {@code Converter.INSPECT}: the multi-line form a shell prints a result in. */
    private static final int INSPECT = 0;

    private final Object session;
    private final Method execute;
    private final Method get;
    private final Method put;
    private final Method format;
    private final Method close;

    /** Wraps a CommandSession (or anything with its method names and signatures, such as a test fake). */
    GogoSession(Object session) {
        this.session = session;
        Class<?> type = api(session.getClass(), SESSION);
        try {
            execute = type.getMethod("execute", CharSequence.class);
            get = type.getMethod("get", String.class);
            put = type.getMethod("put", String.class, Object.class);
            format = type.getMethod("format", Object.class, int.class);
            close = type.getMethod("close");
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("not a Gogo CommandSession: " + type.getName(), e);
        }
    }

    /** {@code processor.createSession(in, out, err)} on a CommandProcessor service object. */
    static GogoSession create(Object processor, InputStream in, OutputStream out, OutputStream err) {
        Class<?> type = api(processor.getClass(), PROCESSOR);
        try {
            Method create = type.getMethod("createSession", InputStream.class, OutputStream.class, OutputStream.class);
            return new GogoSession(create.invoke(processor, in, out, err));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException("not a Gogo CommandProcessor: " + type.getName(), e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("Gogo could not create a session", e.getCause());
        }
    }

    /** Runs one line of Gogo script; throws what the command (or Gogo's parser) threw. */
    Object execute(CharSequence line) throws Exception {
        return call(execute, line);
    }

    /**
     * Runs the command named by the first word with the other words as its arguments, exactly
     * as they are: no Gogo parser, expansion, pipe or redirection ever sees them. The command is
     * found as Gogo finds a command name (the session's {@code SCOPE} first: {@code map} is
     * {@code bpf:map}; {@code scope:name} as given). Gogo still runs it as a job of the session,
     * so that its {@code System.out} and {@code System.err} are the session's and Ctrl-C or a
     * client that leaves interrupts it: the job is a constant line naming a session variable
     * ({@value #WORDS_CALL}) that holds a Gogo Function calling the command with the words.
     * Throws IllegalArgumentException "Command not found: NAME" as Gogo would, without running anything.
     */
    Object execute(List<String> words) throws Exception {
        String name = words.isEmpty() ? "" : words.get(0);
        Object command = function(name);
        if (command == null) {
            throw new IllegalArgumentException("Command not found: " + (name.isEmpty() ? "''" : name));
        }
        List<Object> args = new ArrayList<>(words.subList(1, words.size()));
        Class<?> type = api(command.getClass(), FUNCTION);
        // An anonymous class, not a lambda: a one-shot command's JVM would pay the first lambda's bootstrap.
        Object call = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, new InvocationHandler() {
            @Override
            public Object invoke(Object proxy, Method m, Object[] a) throws Exception {
                return switch (m.getName()) {
                    case "execute" -> GogoSession.invoke(command, a[0], args);
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == a[0];
                    case "toString" -> "the command " + name;
                    default -> throw new UnsupportedOperationException(m.getName());
                };
            }
        });
        put(WORDS_CALL, call);
        try {
            return execute(WORDS_CALL);
        } finally {
            put(WORDS_CALL, null);
        }
    }

    /**
     * The Gogo Function a command name stands for, looked up as Gogo's Closure.executeCmd does
     * (the name itself, then {@code *:name}, which the session's SCOPE resolves); null for none.
     */
    private Object function(String name) {
        if (name.isEmpty()) {
            return null;
        }
        Object f = get(name);
        if (!isFunction(f) && name.indexOf(':') < 0) {
            f = get("*:" + name);
        }
        return isFunction(f) ? f : null;
    }

    private static boolean isFunction(Object o) {
        return o != null && api(o.getClass(), FUNCTION).getName().equals(FUNCTION);
    }

    Object get(String name) {
        return unchecked(get, name);
    }

    /** Sets a session variable; {@code null} removes it. */
    void put(String name, Object value) {
        unchecked(put, name, value);
    }

    /** A result as Gogo's shell prints it. */
    String format(Object result) {
        return String.valueOf(unchecked(format, result, INSPECT));
    }

    /** The names of the session's variables (the session variable {@code .variables}). */
    List<String> variables() {
        return names(get(".variables"));
    }

    /** Command names as Gogo knows them, {@code scope:function} (the session variable {@code .commands}). */
    List<String> commands() {
        return names(get(".commands"));
    }

    private static List<String> names(Object v) {
        if (!(v instanceof Collection<?> c)) {
            return List.of();
        }
        return c.stream().map(String::valueOf).toList();
    }

    /**
     * Calls the Gogo function {@code name} ({@code scope:function}) with these arguments, as
     * Gogo would for a command line, but without parsing one: what the terminal's completion
     * does with {@code bpf:complete}. Returns its result, or null when there is no such function.
     */
    Object call(String name, List<Object> args) throws Exception {
        Object f = get(name);
        if (f == null) {
            return null;
        }
        return invoke(f, session, args);
    }

    /** {@code f.execute(session, args)} on a Gogo Function; null when f is none. */
    private static Object invoke(Object f, Object session, List<Object> args) throws Exception {
        for (Method m : api(f.getClass(), FUNCTION).getMethods()) {
            if (m.getName().equals("execute") && m.getParameterCount() == 2
                    && m.getParameterTypes()[1].isAssignableFrom(List.class)) {
                try {
                    return m.invoke(f, session, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
        }
        return null;
    }

    /**
     * Interrupts the command running now (Gogo runs a line as a job on threads of its own), as
     * gosh does on Ctrl-C. Returns false when there is no such job or this is no Gogo session.
     */
    boolean interruptForegroundJob() {
        try {
            Object job = api(session.getClass(), SESSION).getMethod("foregroundJob").invoke(session);
            if (job == null) {
                return false;
            }
            api(job.getClass(), "org.apache.felix.service.command.Job").getMethod("interrupt").invoke(job);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Waits until every command of this session has ended, and ends the session's threads: after
     * a Ctrl-C, so that what the interrupted command still prints (conformance's counts) comes
     * before the next prompt. Gogo runs a line's commands on the session's own pool and ends an
     * interrupted job at once ({@code JobImpl.run} leaves {@code invokeAll} when interrupted,
     * cancelling the pipes), not when its commands have stopped: they see the interrupt and return
     * in their own time. The pool is {@code CommandSessionImpl}'s private {@code executor}
     * (gogo.runtime 1.1.6), read reflectively; it is shut down without a new interrupt (one
     * landing while the command prints its last lines would close its channel and lose them) and
     * waited for. The session runs no new job afterwards.
     *
     * @return false when the session has no such pool (nothing to wait for), else true once it ended
     * @throws InterruptedException when this thread is interrupted meanwhile (a second Ctrl-C)
     */
    boolean awaitCommandsEnded() throws InterruptedException {
        ExecutorService pool = pool();
        if (pool == null) {
            return false;
        }
        pool.shutdown();
        while (!pool.awaitTermination(1, TimeUnit.HOURS)) {
            // no deadline: only the commands' end, or an interrupt, ends the wait
        }
        return true;
    }

    /** The session's pool (a field {@code executor} of its class or a superclass), or null. */
    private ExecutorService pool() {
        for (Class<?> c = session.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField("executor");
                f.setAccessible(true);
                return f.get(session) instanceof ExecutorService pool ? pool : null;
            } catch (NoSuchFieldException e) {
                // a superclass may have it
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null; // not accessible: nothing to wait for
            }
        }
        return null;
    }

    @Override
    public void close() {
        unchecked(close);
    }

    private Object call(Method m, Object... args) throws Exception {
        try {
            return m.invoke(session, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private Object unchecked(Method m, Object... args) {
        try {
            return call(m, args);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The public interface named {@code name} that {@code c} implements, so that methods are called
     * through it (the implementation class need not be public); else {@code c} itself.
     */
    private static Class<?> api(Class<?> c, String name) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Class<?> i : k.getInterfaces()) {
                if (i.getName().equals(name)) {
                    return i;
                }
            }
        }
        return c;
    }
}
