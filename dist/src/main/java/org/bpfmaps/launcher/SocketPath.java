package org.bpfmaps.launcher;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import java.util.Set;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Where a running instance listens: {@code $XDG_RUNTIME_DIR/bpfmaps.sock}, the user's runtime
 * directory (a per-user 0700 tmpfs that systemd empties at logout), else
 * {@code /tmp/bpfmaps-$UID/bpfmaps.sock} in a folder this makes with mode 0700. Beside the socket,
 * {@code bpfmaps.lock}: the listening instance holds a lock on it for as long as it lives, which is
 * how a socket file left by a killed instance is told from a live one.
 *
 * <p>Whoever can write the folder can put a socket of their own there, and whoever listens on the
 * socket reads the command lines sent to it and writes the answers a user sees: so the folder,
 * whichever it is, and the socket file must be the user's own and writable by no one else
 * ({@link #checkOwned}), and a client talks only to an instance that runs as its own user
 * ({@link PeerCheck}). What fails these checks is refused ({@link Unsafe}), never used.
 */
record SocketPath(Path socket, Path lock) {
    static final String SOCKET = "bpfmaps.sock";
    static final String LOCK = "bpfmaps.lock";
    static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    /** The file type bits of {@code unix:mode} (stat's st_mode), and the types checked here. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFSOCK = 0140000;
    /** Group and others may write. */
    private static final int WRITABLE_BY_OTHERS = 0022;

    /** A socket folder or file that another user could have made or replaced, or a peer of another user's. */
    static final class Unsafe extends IOException {
        private static final long serialVersionUID = 1L;

        Unsafe(String message) {
            super(message);
        }
    }

    /** The path for this user, from the environment; the folder is made (0700) when missing. */
    static SocketPath forUser() throws IOException {
        return in(directory(System.getenv()));
    }

    static SocketPath in(Path dir) {
        return new SocketPath(dir.resolve(SOCKET), dir.resolve(LOCK));
    }

    /**
     * The runtime directory: $XDG_RUNTIME_DIR when it names a directory (pam_systemd makes it
     * 0700 and owned by the user), else /tmp/bpfmaps-UID, made with mode 0700 when missing.
     * Either must be the user's own and writable by no one else ({@link Unsafe} otherwise).
     */
    static Path directory(Map<String, String> env) throws IOException {
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute() && Files.isDirectory(Path.of(xdg))) {
            Path dir = Path.of(xdg);
            // A link to the runtime directory is the user's own business; what it leads to is checked.
            Path real = dir.toRealPath();
            checkOwned(real, "the socket folder ($XDG_RUNTIME_DIR" + (real.equals(dir) ? "" : " = " + dir) + ")", false);
            return dir;
        }
        Path dir = Path.of(System.getProperty("java.io.tmpdir", "/tmp"), "bpfmaps-" + uid());
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
                // createDirectory applies the umask to the mode: set it exactly.
                Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // Made by a concurrent start, or by someone else: checked below.
            }
        }
        checkOwned(dir, "the socket folder (set XDG_RUNTIME_DIR to use another)", false);
        return dir;
    }

    /**
     * Refuses {@code path} (not followed when a link) unless it is this user's and writable by no
     * one else, and a folder (or, with {@code socket}, not a link). {@code what} names it in the message.
     */
    static void checkOwned(Path path, String what, boolean socket) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        long owner = ((Number) a.get("uid")).longValue();
        int mode = (Integer) a.get("mode");
        int type = mode & S_IFMT;
        long me = uid();
        String found = owner == me && (mode & WRITABLE_BY_OTHERS) == 0 ? null
                : "is owned by " + user(path, owner, LinkOption.NOFOLLOW_LINKS) + " with mode " + String.format("%04o", mode & 07777);
        if (type == S_IFLNK) {
            found = "is a symbolic link";
        } else if (!socket && type != S_IFDIR) {
            found = "is not a folder";
        }
        if (found != null) {
            throw new Unsafe(path + ": " + what + " " + found + "; it must be " + (socket ? "a socket" : "a folder")
                    + " owned by this user, " + user(Path.of("/proc/self"), me) + ", and writable by no one else");
        }
    }

    /**
     * Checks the socket file before a client connects: false when there is none (no instance),
     * {@link Unsafe} when it is not this user's or others may write it.
     */
    static boolean checkSocketFile(Path socket) throws IOException {
        try {
            checkOwned(socket, "the instance's socket", true);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /**
     * The check of the user a client's peer runs as, prepared before the client connects (the
     * user's name, the native part of SO_PEERCRED), so that nothing slows the client down
     * between its connect and its request: a connection that stays silent looks like a flood's.
     */
    static PeerCheck peerCheck(SocketChannel ch) throws IOException {
        return new PeerCheck(ch, Files.getOwner(Path.of("/proc/self")),
                ch.supportedOptions().contains(ExtendedSocketOptions.SO_PEERCRED));
    }

    record PeerCheck(SocketChannel ch, UserPrincipal me, boolean supported) {
        /**
         * Refuses a connected peer that runs as another user (SO_PEERCRED, the credentials the
         * listener had when it called listen(2)), before anything is sent to it. Where the platform
         * does not tell the peer, the socket file's owner ({@link #checkSocketFile}) is all there is.
         */
        void check(Path socket) throws IOException {
            if (!supported) {
                return;
            }
            UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!peer.user().equals(me)) {
                throw new Unsafe(socket + ": the instance listening there runs as user " + peer.user().getName()
                        + ", not as this user, " + me.getName() + ": nothing was sent to it");
            }
        }
    }

    /** A user as a message shows it: the name of {@code path}'s owner {@code uid}, and the number. */
    private static String user(Path path, long uid, LinkOption... options) {
        try {
            String name = Files.getOwner(path, options).getName();
            return name.equals(Long.toString(uid)) ? "uid " + uid : name + " (uid " + uid + ")";
        } catch (IOException e) {
            return "uid " + uid;
        }
    }

    /** The real user id of this process, as the kernel shows it for /proc/self. */
    static long uid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }
}
