package org.bpfmaps.core.impl;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bpfmaps.core.sock.SocketFactory;

/**
 * The {@link SocketFactory} services of the framework, as {@link CoreComponent} tracks them, for
 * {@link org.bpfmaps.core.sock.SocketFactories} (private to the bundle: a bundle adds kinds by
 * registering a service, never by calling this).
 */
public final class SocketFactoryServices {
    private static final List<SocketFactory> SERVICES = new CopyOnWriteArrayList<>();

    private SocketFactoryServices() {
    }

    static void add(SocketFactory f) {
        SERVICES.add(f);
    }

    /** Forgets one registration of {@code f} (compared by identity). */
    static void remove(SocketFactory f) {
        for (SocketFactory s : SERVICES) {
            if (s == f) {
                SERVICES.remove(s);
                return;
            }
        }
    }

    /** The factories registered now, in the order they came. */
    public static List<SocketFactory> all() {
        return List.copyOf(SERVICES);
    }
}
