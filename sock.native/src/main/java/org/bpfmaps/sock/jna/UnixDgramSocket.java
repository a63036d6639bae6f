package org.bpfmaps.sock.jna;

import com.sun.jna.LastErrorException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bpfmaps.core.sock.NativeSocket;
import org.bpfmaps.core.sock.SocketKind;
import org.bpfmaps.core.sock.SocketState;

/**
 * One end of a {@code socketpair(AF_UNIX, SOCK_DGRAM)}: a real Unix datagram socket of this
 * process, which the JDK cannot make. Its state is the kernel's {@code sk_state}, read from
 * {@code /proc/net/unix} by the socket's inode (found once, from {@code /proc/self/fd}, while the
 * fd is surely this socket's): the {@code St} column is 03 exactly when {@code sk_state} is
 * {@code TCP_ESTABLISHED} ({@code unix_seq_show}). Socketpair ends are unnamed: no addresses.
 */
final class UnixDgramSocket implements NativeSocket {
    static final Path TABLE = Path.of("/proc/net/unix");
    /** {@code SS_CONNECTED}, shown for a socket whose {@code sk_state} is {@code TCP_ESTABLISHED}. */
    private static final int SS_CONNECTED = 3;

    private final int fd;
    private final long inode;
    private final AtomicBoolean closed = new AtomicBoolean();

    private UnixDgramSocket(int fd, long inode) {
        this.fd = fd;
        this.inode = inode;
    }

    /** A connected pair; nothing is left open when it fails. */
    static UnixDgramSocket[] pair() throws IOException {
        int[] sv = new int[2];
        try {
            Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0, sv);
        } catch (LastErrorException e) {
            throw new IOException("socketpair(AF_UNIX, SOCK_DGRAM): errno " + e.getErrorCode(), e);
        }
        try {
            return new UnixDgramSocket[] {new UnixDgramSocket(sv[0], inodeOf(sv[0])),
                new UnixDgramSocket(sv[1], inodeOf(sv[1]))};
        } catch (IOException | RuntimeException e) {
            Libc.close(sv[0]);
            Libc.close(sv[1]);
            throw e;
        }
    }

    /** The socket's inode: {@code /proc/self/fd/N} links to {@code socket:[INODE]}. */
    private static long inodeOf(int fd) throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        if (!link.startsWith("socket:[") || !link.endsWith("]")) {
            throw new IOException("fd " + fd + " is " + link + ", not a socket");
        }
        return Long.parseLong(link, "socket:[".length(), link.length() - 1, 10);
    }

    int fd() {
        return fd;
    }

    long inode() {
        return inode;
    }

    @Override
    public SocketKind kind() {
        return SocketKind.UNIX_DGRAM;
    }

    @Override
    public SocketState state() {
        if (closed.get()) {
            return SocketState.CLOSED;
        }
        int st = st(inode);
        if (closed.get()) {
            return SocketState.CLOSED; // closed while the table was read
        }
        return st == SS_CONNECTED ? SocketState.ESTABLISHED : SocketState.CLOSE;
    }

    /**
     * The {@code St} column of the socket's line ({@code Num RefCount Protocol Flags Type St Inode
     * [Path]}), or -1 when no line has its inode.
     */
    static int st(long inode) {
        try (BufferedReader r = Files.newBufferedReader(TABLE, StandardCharsets.US_ASCII)) {
            String line;
            String ino = Long.toString(inode);
            while ((line = r.readLine()) != null) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 7 && f[0].endsWith(":") && f[6].equals(ino)) {
                    return Integer.parseInt(f[5], 16);
                }
            }
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Unix socket states in " + TABLE, e);
        }
    }

    @Override
    public boolean isOpen() {
        return !closed.get();
    }

    /** Unnamed: a socketpair's ends have no address. */
    @Override
    public SocketAddress localAddress() {
        return null;
    }

    @Override
    public SocketAddress remoteAddress() {
        return null;
    }

    /** Closes the descriptor, once. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                Libc.close(fd);
            } catch (LastErrorException e) {
                // EINTR or EIO from close(2): Linux released the descriptor anyway
            }
        }
    }

    @Override
    public String toString() {
        return "unix_dgram fd " + fd + " inode " + inode;
    }
}
