package org.bpfmaps.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * The client side of {@link Frames}: sends one command's words to the instance listening on a
 * socket and copies its output to this process's standard output and error as it arrives.
 */
final class CommandClient {
    private CommandClient() {}

    /**
     * Runs the command {@code words} on the instance listening at {@code socket}: its exit code, or
     * null when no instance listens there (no socket file, or a stale one that refuses connections).
     * A socket file or a listener of another user's is refused with an {@code Error:} line and
     * 255, before anything is sent ({@link SocketPath#checkSocketFile}, {@link SocketPath.PeerCheck}).
     */
    static Integer run(Path socket, List<String> words, PrintStream out, PrintStream err) {
        SocketChannel ch;
        SocketPath.PeerCheck peer;
        try {
            if (!SocketPath.checkSocketFile(socket)) {
                return null;
            }
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            peer = SocketPath.peerCheck(ch);
        } catch (SocketPath.Unsafe e) {
            err.println("Error: " + e.getMessage());
            return LineRunner.FAILED;
        } catch (IOException e) {
            return null;
        }
        try (ch) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (ConnectException | java.nio.file.NoSuchFileException e) {
                return null;
            } catch (SocketException e) {
                return null; // e.g. the path is no socket, or is not ours to open
            }
            String bad = Frames.invalid(words);
            if (bad != null) {
                err.println("Error: " + bad);
                return LineRunner.FAILED;
            }
            peer.check(socket);
            ByteBuffer request = Frames.request(words);
            while (request.hasRemaining()) {
                ch.write(request);
            }
            while (true) {
                Frames.Frame f = Frames.read(ch);
                switch (f.type()) {
                    case Frames.OUT -> {
                        out.write(f.payload(), 0, f.payload().length);
                        out.flush();
                    }
                    case Frames.ERR -> {
                        err.write(f.payload(), 0, f.payload().length);
                        err.flush();
                    }
                    default -> {
                        return f.payload()[0] & 0xff;
                    }
                }
            }
        } catch (SocketPath.Unsafe e) {
            err.println("Error: " + e.getMessage());
            return LineRunner.FAILED;
        } catch (IOException e) {
            out.flush();
            err.println("Error: " + socket + ": " + LineRunner.message(e));
            return LineRunner.FAILED;
        }
    }
}
