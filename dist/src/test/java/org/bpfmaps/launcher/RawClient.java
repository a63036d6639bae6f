package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A client of the instance's socket written from the protocol's description ({@link Frames}),
 * able to send anything, and reading with a deadline so that no test hangs on a server that
 * does not answer.
 */
final class RawClient implements AutoCloseable {
    static final long DEADLINE_MS = 30_000;

    /** What came back: the bytes of each stream, the exit code (-1 when none came) and whether the server closed. */
    record Response(String out, String err, int exit, boolean closed) {}

    final SocketChannel ch;

    RawClient(Path socket) throws IOException {
        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
    }

    void send(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** The command {@code words}, as the jar's client sends them. */
    void sendRequest(List<String> words) throws IOException {
        ByteBuffer b = Frames.request(words);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** The words of {@code line}, split at single spaces (a test's shorthand). */
    void sendRequest(String line) throws IOException {
        sendRequest(List.of(line.split(" ")));
    }

    /** Reads until the server closes the connection, or fails the test at the deadline. */
    Response readAll() throws IOException {
        return readAll(DEADLINE_MS);
    }

    Response readAll(long deadlineMs) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        ch.configureBlocking(false);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMs);
        boolean closed = false;
        try (Selector sel = Selector.open()) {
            ch.register(sel, SelectionKey.OP_READ);
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            while (!closed) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    fail("the server neither answered nor closed within " + deadlineMs + " ms");
                }
                sel.select(left);
                sel.selectedKeys().clear();
                int n;
                try {
                    n = ch.read(b.clear());
                } catch (IOException e) {
                    n = -1; // reset by the server: closed as well
                }
                if (n < 0) {
                    closed = true;
                } else {
                    raw.write(b.array(), 0, n);
                }
            }
        }
        return parse(raw.toByteArray(), closed);
    }

    static Response parse(byte[] bytes, boolean closed) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = -1;
        while (b.remaining() >= Frames.HEADER) {
            byte type = b.get();
            int len = b.getInt();
            if (len > b.remaining()) {
                break; // cut off: the server closed mid-frame
            }
            byte[] payload = new byte[len];
            b.get(payload);
            switch (type) {
                case Frames.OUT -> out.writeBytes(payload);
                case Frames.ERR -> err.writeBytes(payload);
                case Frames.EXIT -> exit = payload[0] & 0xff;
                default -> fail("a frame of type " + type);
            }
        }
        return new Response(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), exit, closed);
    }

    /** One command, the way the jar's client sends it: the words of {@code line}, split at single spaces. */
    static Response run(Path socket, String line) throws IOException {
        return run(socket, List.of(line.split(" ")));
    }

    static Response run(Path socket, List<String> words) throws IOException {
        try (RawClient c = new RawClient(socket)) {
            c.sendRequest(words);
            return c.readAll();
        }
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
