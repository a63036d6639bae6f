package org.bpfmaps.shell;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The lines of a batch file as bpftool's {@code fgets(buf, BATCH_LINE_LEN_MAX, fp)} loop reads
 * them, in memory and time bounded by the limit whatever the input ({@code /dev/zero},
 * {@code /dev/urandom}, a pipe that never ends).
 *
 * <p>A line is its bytes up to and including its newline (the last one maybe without), cut at its
 * first NUL as C's string functions cut it. bpftool refuses a line that fills its buffer: 65535
 * bytes or more, newline included. It measures after cutting at {@code #} and NUL, so a line of
 * NULs or a long comment is read on in 65535-byte pieces, each taken as a line of its own:
 * {@code batch file /dev/zero} never ends. Here a line is measured as read, before any cut, and
 * refused at its 65535th byte without reading further: the longest line is {@value #LONGEST}
 * bytes whatever it holds, and no more than that is ever kept.
 *
 * <p>A line is returned with one char per byte (ISO-8859-1), so that lengths are bytes as in
 * bpftool's checks; {@link #text} turns a word of it into the UTF-8 text it holds.
 */
final class BatchLines {
    /** bpftool's {@code BATCH_LINE_LEN_MAX}: its line buffer, the string's terminating NUL included. */
    static final int LINE_LEN_MAX = 65536;
    /** The longest line bpftool accepts, its newline included: {@code strlen(buf) == sizeof(buf) - 1} is refused. */
    static final int LONGEST = LINE_LEN_MAX - 2;

    /** A line longer than {@value #LONGEST} bytes; what follows it is left unread. */
    static final class TooLong extends IOException {
        private static final long serialVersionUID = 1L;
        final int line;

        TooLong(int line) {
            super("line " + line + " is longer than " + LONGEST + " bytes (its newline included), bpftool's limit "
                    + "for a batch line (BATCH_LINE_LEN_MAX " + LINE_LEN_MAX + ")");
            this.line = line;
        }
    }

    private final InputStream in;
    private final byte[] chunk = new byte[8192];
    private int pos;
    private int end;
    private boolean eof;
    private final byte[] line = new byte[LONGEST];
    private int number;

    BatchLines(InputStream in) {
        this.in = in;
    }

    /** How many lines were returned (a line that failed to be read is the next). */
    int number() {
        return number;
    }

    /**
     * The next line, its newline included (the last maybe without), cut at its first NUL; null at
     * the end of the input.
     *
     * @throws TooLong at the line's {@code LONGEST + 1}th byte, before reading any further
     */
    String next() throws IOException {
        int len = 0;
        while (true) {
            if (pos == end && !fill()) {
                if (len == 0) {
                    return null;
                }
                break;
            }
            byte b = chunk[pos++];
            if (len == LONGEST) {
                throw new TooLong(number + 1);
            }
            line[len++] = b;
            if (b == '\n') {
                break;
            }
        }
        number++;
        int cut = 0;
        while (cut < len && line[cut] != 0) {
            cut++;
        }
        return new String(line, 0, cut, StandardCharsets.ISO_8859_1);
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

    /** A word of a line as the text its bytes hold in UTF-8 (a malformed byte is U+FFFD, as before). */
    static String text(String bytes) {
        return new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
