package org.bpfmaps.launcher;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The protocol on the instance's socket (version 2). One command per connection:
 *
 * <pre>
 * request  (client to server, once):  "BPF2"  u32 N  then N bytes:
 *            u32 C                   the number of words, C &gt;= 1
 *            C times: u32 L, L bytes the words of the command, each in UTF-8 without NUL
 *          {@value #MIN_REQUEST} &lt;= N &lt;= {@value #MAX_REQUEST}, and the words fill the N bytes exactly
 * response (server to client):        frames  type(1 byte)  u32 N  N bytes, N &lt;= {@value #MAX_FRAME}
 *          'O' bytes of standard output, 'E' bytes of standard error, in the order written;
 *          'X' the last frame: N = 1, the command's exit code (0..255)
 * </pre>
 *
 * The words are the command's arguments as the client's shell made them ({@code bpfmaps map
 * update name 'a b' ...}): the server runs them as they are and parses nothing (version 1 sent a
 * command line, which Gogo's parser read again). Integers are big-endian. The server closes the
 * connection after 'X'. A request it cannot read (wrong magic, a length out of range, words that
 * do not fill it, bytes that are not UTF-8, a NUL) is answered with an 'E' frame holding an
 * {@code Error:} line and 'X' 255; a request that does not arrive within the server's deadline
 * is dropped without an answer.
 */
final class Frames {
    static final byte[] MAGIC = "BPF2".getBytes(StandardCharsets.US_ASCII);
    /** The magic of version 1, which a client of an older bpfmaps sends; it is told why it is refused. */
    static final byte[] MAGIC_V1 = "BPF1".getBytes(StandardCharsets.US_ASCII);
    /** A command: far above any a person types; a request claiming more is refused unread. */
    static final int MAX_REQUEST = 64 * 1024;
    /** The count and one (possibly empty) word. */
    static final int MIN_REQUEST = 8;
    static final int MAX_FRAME = 64 * 1024;
    static final byte OUT = 'O';
    static final byte ERR = 'E';
    static final byte EXIT = 'X';
    static final int HEADER = 5;

    private Frames() {}

    /** A request the server cannot read: the message of its {@code Error:} line. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequest(String why) {
            super(why, null, false, false);
        }
    }

    /** The request for one command's words (which {@link #invalid} accepts). */
    static ByteBuffer request(List<String> words) {
        List<byte[]> bytes = new ArrayList<>(words.size());
        int body = 4;
        for (String w : words) {
            byte[] b = w.getBytes(StandardCharsets.UTF_8);
            bytes.add(b);
            body += 4 + b.length;
        }
        ByteBuffer r = ByteBuffer.allocate(MAGIC.length + 4 + body);
        r.put(MAGIC).putInt(body).putInt(words.size());
        for (byte[] b : bytes) {
            r.putInt(b.length).put(b);
        }
        return r.flip();
    }

    /**
     * Why a command cannot be sent, or null: checked by the client before it sends and by the
     * server on what it read, so that a user sees the same message either way.
     */
    static String invalid(List<String> words) {
        if (words.isEmpty()) {
            return "empty command";
        }
        long size = 4;
        for (String w : words) {
            if (w.indexOf('\0') >= 0) {
                return "a word holds a NUL byte, which no command's argument can";
            }
            size += 4 + w.getBytes(StandardCharsets.UTF_8).length;
        }
        if (size > MAX_REQUEST) {
            return "a command of " + size + " bytes: at most " + MAX_REQUEST + " fit in a request";
        }
        return null;
    }

    /** The words of a request's body (the N bytes after its header). */
    static List<String> words(ByteBuffer body) throws BadRequest {
        int size = body.remaining();
        int count = size >= 4 ? body.getInt() : 0;
        if (count < 1 || count > body.remaining() / 4) {
            throw new BadRequest("a request of " + Integer.toUnsignedString(count) + " words in " + size
                    + " bytes: it must hold 1 word or more, each a length and its bytes");
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        List<String> words = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            int len = body.remaining() >= 4 ? body.getInt() : -1;
            if (len < 0 || len > body.remaining()) {
                throw new BadRequest("word " + i + " of " + count + " runs past the end of the request");
            }
            ByteBuffer word = body.slice(body.position(), len);
            body.position(body.position() + len);
            try {
                words.add(utf8.decode(word).toString());
            } catch (CharacterCodingException e) {
                throw new BadRequest("word " + i + " is not UTF-8");
            }
        }
        if (body.hasRemaining()) {
            throw new BadRequest(body.remaining() + " bytes after the last of " + count + " words");
        }
        String bad = invalid(words);
        if (bad != null) {
            throw new BadRequest(bad);
        }
        return words;
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
