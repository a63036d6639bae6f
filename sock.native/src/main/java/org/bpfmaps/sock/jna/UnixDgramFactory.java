package org.bpfmaps.sock.jna;

import java.io.IOException;
import java.util.Set;
import java.util.function.Supplier;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.sock.OpenedSocket;
import org.bpfmaps.core.sock.SocketFactory;
import org.bpfmaps.core.sock.Sockets;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code unix_dgram} socket kind, which the JDK cannot make: one end of a
 * {@code socketpair(AF_UNIX, SOCK_DGRAM)} registered in the instance as a socket of the core
 * ({@link Sockets#register(Bpf, org.bpfmaps.core.sock.NativeSocket, org.bpfmaps.core.api.ErrorSink)}),
 * its peer released by the caller's {@link OpenedSocket#close}. A service in a framework, listed in
 * {@code META-INF/services} for a plain class path. Without JNA it makes no kind.
 */
@Component(service = SocketFactory.class)
public final class UnixDgramFactory implements SocketFactory {
    static final String KIND = "unix_dgram";

    /**
     * Why the native calls cannot be made (null when they can), asked at the first {@link #kinds}
     * or {@link #open}, not when the component is made: loading JNA's native part takes some
     * hundred milliseconds, which a framework's start (SCR binds this service to the core as it
     * starts) and bpfmaps.jar's first prompt should not wait for when no socket of this kind is
     * ever made.
     */
    private final Supplier<Throwable> unavailable;

    public UnixDgramFactory() {
        this(() -> NativeCalls.UNAVAILABLE);
    }

    /** A factory that knows the native calls can or (with a reason) cannot be made. */
    UnixDgramFactory(Throwable unavailable) {
        this(() -> unavailable);
    }

    private UnixDgramFactory(Supplier<Throwable> unavailable) {
        this.unavailable = unavailable;
    }

    @Override
    public Set<String> kinds() {
        return unavailable.get() == null ? Set.of(KIND) : Set.of();
    }

    @Override
    public OpenedSocket open(Bpf bpf, String kind) throws IOException {
        if (!KIND.equals(kind)) {
            throw new IllegalArgumentException("this factory makes " + KIND + " sockets, not " + kind);
        }
        Throwable missing = unavailable.get();
        if (missing != null) {
            throw new IOException(KIND + ": native calls are not available here (" + missing + ")");
        }
        UnixDgramSocket[] pair = UnixDgramSocket.pair();
        String[] why = {""};
        int fd;
        try {
            fd = Sockets.register(bpf, pair[0], (errno, pattern, a, b) -> {
                why[0] = String.format(pattern, a, b);
                return errno.ret();
            });
        } catch (RuntimeException e) {
            pair[0].close();
            pair[1].close();
            throw e;
        }
        if (fd < 0) {
            pair[0].close(); // the core closed it already when it had no fd for it
            pair[1].close();
            throw new IOException(Errno.nameOf(fd) + ": no fd for the " + KIND + " socket: " + why[0]);
        }
        return OpenedSocket.of(fd, pair[1]::close);
    }
}
