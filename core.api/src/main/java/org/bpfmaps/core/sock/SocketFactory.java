package org.bpfmaps.core.sock;

import java.io.IOException;
import java.util.Set;
import org.bpfmaps.core.api.Bpf;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Makes sockets of named kinds as objects of an instance: the socket-kind extension point. The
 * names are the kernel corpus's {@code sock_new} kinds ({@code tcp_established},
 * {@code tcp_close_wait}, {@code unix_dgram}, {@code pipe}, {@code badfd}, ... see
 * {@code corpus/FORMAT.md}); each kind is a socket really in the named state, or the named thing
 * that is no socket, as the kernel's recorder made it.
 *
 * <p>The core makes every kind {@code java.nio} can make on loopback. A bundle adds kinds by
 * registering an implementation as an OSGi service (Declarative Services) and listing it in
 * {@code META-INF/services/org.bpfmaps.core.sock.SocketFactory} for a plain class path, where
 * {@link SocketFactories} finds it. A factory that cannot make its kinds here (its native library
 * does not load) answers no kinds, and never fails to load for it.
 */
@ConsumerType
public interface SocketFactory {
    /** The kinds this factory can make now; empty when it can make none (no native library). */
    Set<String> kinds();

    /**
     * Makes a socket (or non-socket) of {@code kind} in the instance and opens an fd on it there.
     * What the socket needs to be in its state (a peer, a listener) stays open until the caller
     * closes the returned object; the fd is the instance's, closed as any other.
     *
     * @throws IOException when the socket cannot be made or given an fd (the reason in the message);
     *     nothing is left open then
     * @throws IllegalArgumentException for a kind not in {@link #kinds()}
     */
    OpenedSocket open(Bpf bpf, String kind) throws IOException;
}
