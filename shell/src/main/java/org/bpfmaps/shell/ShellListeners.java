package org.bpfmaps.shell;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The listeners {@code sock listen} and {@code sock unix listen} opened, for as long as they are
 * open: only the shell accepts on them, so {@code sock connect} to one of them can accept the
 * connection and register its accepted end too. A listener the application registered is never
 * accepted on (the application does that). One per shell (the Gogo component), so that one-shot
 * commands against a running instance share it. The listeners are non-blocking.
 */
final class ShellListeners {
    private final Set<ServerSocketChannel> open = ConcurrentHashMap.newKeySet();

    void add(ServerSocketChannel listener) {
        open.add(listener);
    }

    /** The shell's open listener a connection to {@code target} reaches, or null; closed ones are forgotten. */
    ServerSocketChannel find(SocketAddress target) {
        open.removeIf(l -> !l.isOpen());
        for (ServerSocketChannel l : open) {
            try {
                if (reaches(target, l.getLocalAddress())) {
                    return l;
                }
            } catch (IOException e) {
                // closed meanwhile: not a listener any more
            }
        }
        return null;
    }

    /**
     * Whether a connection to {@code target} lands on a listener bound to {@code local}: the same
     * path, or the same port and address, or a wildcard listener's port on an address of this host.
     */
    static boolean reaches(SocketAddress target, SocketAddress local) {
        if (target instanceof UnixDomainSocketAddress t && local instanceof UnixDomainSocketAddress l) {
            return !l.getPath().toString().isEmpty()
                    && t.getPath().toAbsolutePath().normalize().equals(l.getPath().toAbsolutePath().normalize());
        }
        if (target instanceof InetSocketAddress t && local instanceof InetSocketAddress l && t.getPort() == l.getPort()
                && t.getAddress() != null && l.getAddress() != null) {
            return t.getAddress().equals(l.getAddress()) || l.getAddress().isAnyLocalAddress() && local(t.getAddress());
        }
        return false;
    }

    private static boolean local(InetAddress a) {
        try {
            return a.isLoopbackAddress() || a.isAnyLocalAddress() || NetworkInterface.getByInetAddress(a) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
