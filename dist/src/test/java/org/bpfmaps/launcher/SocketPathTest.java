package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link SocketPath} accepts as the socket's folder, file and peer, and what it says when it refuses. */
class SocketPathTest {
    @TempDir
    Path tmp;

    private String me() throws Exception {
        String name = Files.getOwner(Path.of("/proc/self")).getName();
        long uid = SocketPath.uid();
        return name.equals(Long.toString(uid)) ? "uid " + uid : name + " (uid " + uid + ")";
    }

    @Test
    void theUsersOwnClosedRuntimeDirectoryIsTheSocketsFolder() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-x---"));
        assertEquals(tmp, SocketPath.directory(Map.of("XDG_RUNTIME_DIR", tmp.toString())),
                "others may read it, not write it");
    }

    @Test
    void aRuntimeDirectoryOthersMayWriteIsRefusedNotReplaced() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwx---"));
        SocketPath.Unsafe e = assertThrows(SocketPath.Unsafe.class,
                () -> SocketPath.directory(Map.of("XDG_RUNTIME_DIR", tmp.toString())));
        assertEquals(tmp + ": the socket folder ($XDG_RUNTIME_DIR) is owned by " + me() + " with mode 0770; it must be "
                + "a folder owned by this user, " + me() + ", and writable by no one else", e.getMessage());
    }

    @Test
    void aLinkToTheRuntimeDirectoryIsFollowedAndWhatItLeadsToChecked() throws Exception {
        Path real = Files.createDirectory(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        Files.setPosixFilePermissions(real, SocketPath.OWNER_ONLY_DIR);
        assertEquals(link, SocketPath.directory(Map.of("XDG_RUNTIME_DIR", link.toString())));
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwx---rwx"));
        SocketPath.Unsafe e = assertThrows(SocketPath.Unsafe.class,
                () -> SocketPath.directory(Map.of("XDG_RUNTIME_DIR", link.toString())));
        assertTrue(e.getMessage().startsWith(real + ": the socket folder ($XDG_RUNTIME_DIR = " + link + ") is owned by "
                + me() + " with mode 0707;"), e.getMessage());
    }

    @Test
    void theSocketFileMustBeTheUsersAndNoLink() throws Exception {
        Path socket = tmp.resolve(SocketPath.SOCKET);
        assertFalse(SocketPath.checkSocketFile(socket), "none: no instance");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, SocketPath.OWNER_ONLY_FILE);
            assertTrue(SocketPath.checkSocketFile(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            assertEquals(socket + ": the instance's socket is owned by " + me() + " with mode 0666; it must be a socket "
                    + "owned by this user, " + me() + ", and writable by no one else",
                    assertThrows(SocketPath.Unsafe.class, () -> SocketPath.checkSocketFile(socket)).getMessage());
            Path link = Files.createSymbolicLink(tmp.resolve("link.sock"), socket);
            assertTrue(assertThrows(SocketPath.Unsafe.class, () -> SocketPath.checkSocketFile(link)).getMessage()
                    .startsWith(link + ": the instance's socket is a symbolic link; it must be a socket"));
        }
    }

    @Test
    void aListenerOfTheUsersOwnPassesThePeerCheck() throws Exception {
        Path socket = tmp.resolve(SocketPath.SOCKET);
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            SocketPath.PeerCheck check = SocketPath.peerCheck(ch);
            assertTrue(check.supported(), "Linux tells a Unix socket's peer (SO_PEERCRED)");
            ch.connect(UnixDomainSocketAddress.of(socket));
            check.check(socket); // no Unsafe: the same user
        }
    }
}
