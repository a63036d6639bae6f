package org.bpfmaps.launcher;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The command lines of a script (a FILE, standard input, or the text of {@code -c}), read a line
 * at a time in memory bounded by the line limit, whatever the input: {@code /dev/zero},
 * {@code /dev/urandom}, a pipe that never ends.
 *
 * <p>A line ends at {@code \n}, {@code \r} or {@code \r\n} (as {@code BufferedReader} ends it).
 * Its limit is bpftool's for a line of a batch file: {@value #LONGEST} bytes, its line break
 * counted as one ({@code BATCH_LINE_LEN_MAX}, 65536, is fgets' buffer with the string's NUL), so
 * that a script and a {@code batch file} take the same lines. A longer line ends the script at its
 * 65535th byte, unread beyond it: it cannot be a command, and what follows may never end.
 * A line holding a NUL byte or bytes that are not UTF-8 is refused on its own, as the instance's
 * socket refuses such a request, and the script goes on.
 */
final class ScriptLines {
    /** The longest line, its line break included: bpftool's BATCH_LINE_LEN_MAX (65536) less fgets' NUL and one. */
    static final int LONGEST = 65534;

    /** A line that is not a command line; {@link #endsInput} when nothing after it is read. */
    static final class BadLine extends IOException {
        private static final long serialVersionUID = 1L;
        final boolean endsInput;

        BadLine(String message, boolean endsInput) {
            super(message);
            this.endsInput = endsInput;
        }
    }

    private final InputStream in;
    private final String source;
    private final byte[] chunk = new byte[8192];
    private int pos;
    private int end;
    private boolean eof;
    private final byte[] line = new byte[LONGEST];
    private int number;
    private boolean skipLf;

    /** {@code source} names the input in messages ("script.bpf", "standard input", "-c"). */
    ScriptLines(InputStream in, String source) {
        this.in = in;
        this.source = source;
    }

    /** The lines of a text held in memory already (the argument of {@code -c}, a one-shot command). */
    static ScriptLines of(String text, String source) {
        return new ScriptLines(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), source);
    }

    /** How many lines {@link #next} has read (a refused one included): the number of the last. */
    int number() {
        return number;
    }

    /**
     * The next line without its line break; null at the end of the input.
     *
     * @throws BadLine for a line that holds a NUL or is not UTF-8 (the next call reads the line
     *     after it), or that is longer than {@value #LONGEST} bytes (nothing more is read)
     */
    String next() throws IOException {
        int len = 0; // the bytes of the line, its line break (one byte) included
        boolean broken = false;
        while (!broken) {
            if (pos == end && !fill()) {
                if (len == 0) {
                    return null;
                }
                break;
            }
            byte b = chunk[pos++];
            if (skipLf) { // the \n of a \r\n whose \r ended the last line
                skipLf = false;
                if (b == '\n') {
                    continue;
                }
            }
            if (len == LONGEST) {
                eof = true; // nothing after a line that is too long is read, or returned
                pos = end;
                throw new BadLine("line " + (number + 1) + " of " + source + " is longer than " + LONGEST
                        + " bytes (bpftool's limit for a line of a batch file): the rest of " + source
                        + " is not read", true);
            }
            line[len++] = b;
            broken = b == '\n' || b == '\r';
            skipLf = b == '\r'; // returned now, not after waiting for the next byte of a pipe
        }
        number++;
        int textLen = broken ? len - 1 : len;
        for (int i = 0; i < textLen; i++) {
            if (line[i] == 0) {
                throw new BadLine("line " + number + " of " + source + " holds a NUL byte", false);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line, 0, textLen))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadLine("line " + number + " of " + source + " is not UTF-8", false);
        }
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        int n = in.read(chunk);
        if (n <= 0) { // -1 at the end; 0 only from a broken stream, taken as the end rather than spun on
            eof = true;
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }
}
