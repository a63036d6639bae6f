package org.bpfmaps.core.impl;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bpfmaps.core.sock.SocketFactory;
import org.bpfmaps.core.sock.TcpStateSource;

/**
 * Services of an extension point of the core's socket layer, as {@link CoreComponent} tracks them
 * in a framework, and the same extension point's implementations on a plain class path (private to
 * the bundle: a bundle adds one by registering a service, never by calling this).
 *
 * @param <T> the extension point
 */
public final class ServiceList<T> {
    /** Socket kinds other bundles make, for {@link org.bpfmaps.core.sock.SocketFactories}. */
    public static final ServiceList<SocketFactory> SOCKET_FACTORIES = new ServiceList<>();
    /** Faster TCP state readers (the native bundle's netlink one). */
    public static final ServiceList<TcpStateSource> TCP_STATE_SOURCES = new ServiceList<>();

    private final List<T> services = new CopyOnWriteArrayList<>();

    private ServiceList() {
    }

    void add(T service) {
        services.add(service);
    }

    /** Forgets one registration of {@code service} (compared by identity). */
    void remove(T service) {
        for (T s : services) {
            if (s == service) {
                services.remove(s);
                return;
            }
        }
    }

    /** The services registered now, in the order they came: a snapshot, cheap to iterate. */
    public List<T> all() {
        return Collections.unmodifiableList(services);
    }

    /**
     * The implementations of {@code type} that {@link ServiceLoader} finds through the core's class
     * loader ({@code META-INF/services}); one whose class cannot load (a missing library) is left
     * out, and a broken provider file cannot make this loop.
     */
    public static <T> List<T> onClassPath(Class<T> type) {
        List<T> out = new ArrayList<>();
        Iterator<T> it = ServiceLoader.load(type, type.getClassLoader()).iterator();
        for (int i = 0; i < 1000; i++) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                out.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                // an implementation whose class cannot load does nothing; the others still count
            }
        }
        return Collections.unmodifiableList(out);
    }
}
