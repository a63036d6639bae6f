package org.bpfmaps.core.sock;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.impl.ServiceList;

/**
 * The socket kinds the installed parts can make, and the way to make one: the entry point of the
 * {@link SocketFactory} extension point (the conformance runner's {@code sock_new}).
 *
 * <p>The factories, first to last (the first that makes a kind makes it): the core's own, which
 * makes with {@code java.nio} on loopback every kind it can (all but {@code unix_dgram} and the
 * AF_XDP kinds); the {@link SocketFactory} services of the framework, when the core runs in one
 * (its component tracks them as they come and go); and those {@link ServiceLoader} finds on a
 * plain class path ({@code META-INF/services/org.bpfmaps.core.sock.SocketFactory}), looked up once.
 * Sockets are the JVM's, as their cookies are, so the kinds are too, whatever the instance.
 *
 * @since 1.2
 */
public final class SocketFactories {
    private static final SocketFactory CORE = new JdkSocketFactory();

    private SocketFactories() {
    }

    /** The class path's factories, looked up once. */
    private static final class ClassPath {
        static final List<SocketFactory> FOUND = ServiceList.onClassPath(SocketFactory.class);
    }

    private static List<SocketFactory> factories() {
        List<SocketFactory> all = new ArrayList<>();
        all.add(CORE);
        all.addAll(ServiceList.SOCKET_FACTORIES.all());
        all.addAll(ClassPath.FOUND);
        return all;
    }

    /** A factory's kinds; none when it fails to say (a native library that fails late). */
    private static Set<String> kindsOf(SocketFactory f) {
        try {
            Set<String> k = f.kinds();
            return k == null ? Set.of() : k;
        } catch (RuntimeException | LinkageError e) {
            return Set.of();
        }
    }

    /** Every kind some installed part can make now, sorted. */
    public static Set<String> kinds() {
        Set<String> all = new TreeSet<>();
        for (SocketFactory f : factories()) {
            all.addAll(kindsOf(f));
        }
        return Collections.unmodifiableSet(all);
    }

    /**
     * Makes a socket of {@code kind} in the instance, with the first factory that makes the kind.
     * The caller closes the result at the end to release the helper ends.
     *
     * @throws IOException when the factory could not make it (nothing is left open then)
     * @throws IllegalArgumentException when no installed part makes {@code kind}, naming it and the
     *     kinds there are
     */
    public static OpenedSocket open(Bpf bpf, String kind) throws IOException {
        Objects.requireNonNull(bpf, "bpf");
        Objects.requireNonNull(kind, "kind");
        for (SocketFactory f : factories()) {
            if (kindsOf(f).contains(kind)) {
                return f.open(bpf, kind);
            }
        }
        throw new IllegalArgumentException("no installed part makes sockets of kind '" + kind + "' (kinds: "
                + String.join(", ", kinds()) + ")");
    }
}
