package org.bpfmaps.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * Where a running instance listens: {@code $XDG_RUNTIME_DIR/bpfmaps.sock}, the user's runtime
 * directory (a per-user 0700 tmpfs that systemd empties at logout), else
 * {@code /tmp/bpfmaps-$UID/bpfmaps.sock} in a folder this makes with mode 0700. Beside the socket,
 * {@code bpfmaps.lock}: the listening instance holds a lock on it for as long as it lives, which is
 * how a socket file left by a killed instance is told from a live one.
 */
record SocketPath(Path socket, Path lock) {
    static final String SOCKET = "bpfmaps.sock";
    static final String LOCK = "bpfmaps.lock";
    static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    /** The path for this user, from the environment; the folder is made (0700) when missing. */
    static SocketPath forUser() throws IOException {
        return in(directory(System.getenv()));
    }

    static SocketPath in(Path dir) {
        return new SocketPath(dir.resolve(SOCKET), dir.resolve(LOCK));
    }

    /**
     * The runtime directory: $XDG_RUNTIME_DIR when it names a directory (pam_systemd makes it
     * 0700 and owned by the user), else /tmp/bpfmaps-UID, which must be the user's own and
     * closed to others: a folder someone else made there could hand our clients their socket.
     */
    static Path directory(Map<String, String> env) throws IOException {
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute() && Files.isDirectory(Path.of(xdg))) {
            return Path.of(xdg);
        }
        Path dir = Path.of(System.getProperty("java.io.tmpdir", "/tmp"), "bpfmaps-" + uid());
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // Made by a concurrent start, or not a directory: checked below.
            }
            // createDirectory applies the umask to the mode: set it exactly.
            Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
        }
        Object owner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || ((Number) owner).longValue() != uid()
                || !Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY_DIR)) {
            throw new IOException(dir + " is not a folder of this user's with mode 0700: set XDG_RUNTIME_DIR "
                    + "or remove it");
        }
        return dir;
    }

    /** The real user id of this process, as the kernel shows it for /proc/self. */
    static long uid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }
}
