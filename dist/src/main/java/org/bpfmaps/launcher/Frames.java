package org.bpfmaps.launcher;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * The protocol on the instance's socket (version 1). One command per connection:
 *
 * <pre>
 * request  (client to server, once):  "BPF1"  u32 N  N bytes of UTF-8
 *          the command line as the shell reads it (Gogo syntax), 1 &lt;= N &lt;= {@value #MAX_REQUEST},
 *          with no line break or NUL in it
 * response (server to client):        frames  type(1 byte)  u32 N  N bytes, N &lt;= {@value #MAX_FRAME}
 *          'O' bytes of standard output, 'E' bytes of standard error, in the order written;
 *          'X' the last frame: N = 1, the command's exit code (0..255)
 * </pre>
 *
 * Integers are big-endian. The server closes the connection after 'X'. A request it cannot read
 * (wrong magic, a length out of range, bytes that are not UTF-8, a line break) is answered with
 * an 'E' frame holding an {@code Error:} line and 'X' 255; a request that does not arrive within
 * the server's deadline is dropped without an answer.
 */
final class Frames {
    static final byte[] MAGIC = "BPF1".getBytes(StandardCharsets.US_ASCII);
    /** A command line: far above any a person types; a request claiming more is refused unread. */
    static final int MAX_REQUEST = 64 * 1024;
    static final int MAX_FRAME = 64 * 1024;
    static final byte OUT = 'O';
    static final byte ERR = 'E';
    static final byte EXIT = 'X';
    static final int HEADER = 5;

    private Frames() {}

    /** The request for one command line. */
    static ByteBuffer request(String line) {
        byte[] text = line.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + text.length);
        b.put(MAGIC).putInt(text.length).put(text).flip();
        return b;
    }

    /**
     * Why a request line is unacceptable, or null: checked by the server on what it read, and by
     * the client before it sends, so that a user sees the same message either way.
     */
    static String invalidLine(String line) {
        if (line.isEmpty()) {
            return "empty command";
        }
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\n' || c == '\r' || c == 0) {
                return "one command per request: the line holds a line break or NUL";
            }
        }
        return null;
    }

    static void write(WritableByteChannel ch, byte type, byte[] b, int off, int len) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER).put(type).putInt(len).flip();
        ByteBuffer body = ByteBuffer.wrap(b, off, len);
        while (header.hasRemaining()) {
            ch.write(header);
        }
        while (body.hasRemaining()) {
            ch.write(body);
        }
    }

    static void writeExit(WritableByteChannel ch, int code) throws IOException {
        write(ch, EXIT, new byte[] {(byte) code}, 0, 1);
    }

    /** One response frame as read by a client. */
    record Frame(byte type, byte[] payload) {}

    /** Reads one frame; EOFException when the connection ends first. */
    static Frame read(ReadableByteChannel ch) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        fill(ch, header);
        byte type = header.get(0);
        int len = header.getInt(1);
        if (len < 0 || len > MAX_FRAME || (type != OUT && type != ERR && type != EXIT) || (type == EXIT && len != 1)) {
            throw new IOException("a malformed frame from the instance (type " + (type & 0xff) + ", length "
                    + Integer.toUnsignedString(len) + ")");
        }
        ByteBuffer body = ByteBuffer.allocate(len);
        fill(ch, body);
        return new Frame(type, body.array());
    }

    private static void fill(ReadableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("the instance closed the connection before the command's exit code");
            }
        }
    }
}
