package org.bpfmaps.launcher;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.List;

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
        for (Method m : api(f.getClass(), "org.apache.felix.service.command.Function").getMethods()) {
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
