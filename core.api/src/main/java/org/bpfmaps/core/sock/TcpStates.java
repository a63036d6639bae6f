package org.bpfmaps.core.sock;

import java.net.InetSocketAddress;
import java.util.List;
import org.bpfmaps.core.impl.ServiceList;

/**
 * Where a TCP socket's state is read: the first installed {@link TcpStateSource} that can tell (the
 * framework's services, then the class path's), else the kernel's tables in {@code /proc}
 * ({@link ProcNetTcp}), which are exact but cost a read of every TCP socket of the namespace.
 */
final class TcpStates {
    private TcpStates() {
    }

    /** The class path's sources, looked up once (package-private for tests). */
    static final class ClassPath {
        static final List<TcpStateSource> FOUND = ServiceList.onClassPath(TcpStateSource.class);
    }

    /**
     * The state of the socket with these addresses, as {@link ProcNetTcp#stateOf} reads it:
     * {@code remote} null for a listener, {@code local} null for a connect under way (which only
     * {@code /proc} answers: a source needs the four-tuple).
     */
    static SocketState stateOf(InetSocketAddress local, InetSocketAddress remote) {
        if (local != null) {
            SocketState s = ask(ServiceList.TCP_STATE_SOURCES.all(), local, remote);
            if (s == null) {
                s = ask(ClassPath.FOUND, local, remote);
            }
            if (s != null) {
                return s;
            }
        }
        return ProcNetTcp.stateOf(local, remote);
    }

    /** The first answer of {@code sources}; one that fails or answers what is no kernel state does not count. */
    private static SocketState ask(List<TcpStateSource> sources, InetSocketAddress local, InetSocketAddress remote) {
        for (TcpStateSource source : sources) {
            try {
                SocketState s = source.state(local, remote);
                if (s != null && s != SocketState.CLOSED) {
                    return s;
                }
            } catch (RuntimeException | LinkageError e) {
                // a source that fails (its native part gone) leaves the answer to the next, or to /proc
            }
        }
        return null;
    }
}
