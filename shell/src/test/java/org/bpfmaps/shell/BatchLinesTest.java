package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link BatchLines}: fgets' lines, bounded, with bpftool's limit. */
class BatchLinesTest {
    private static List<String> lines(byte[] input) throws IOException {
        BatchLines in = new BatchLines(new ByteArrayInputStream(input));
        List<String> out = new ArrayList<>();
        for (String l; (l = in.next()) != null; ) {
            out.add(l);
        }
        return out;
    }

    private static List<String> lines(String input) throws IOException {
        return lines(input.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] line(int length, boolean newline) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) 'x');
        if (newline) {
            b[length - 1] = '\n';
        }
        return b;
    }

    /** An endless input, as /dev/zero, that counts what was taken from it. */
    private static final class Endless extends InputStream {
        final byte fill;
        long read;

        Endless(byte fill) {
            this.fill = fill;
        }

        @Override
        public int read() {
            read++;
            return fill & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            Arrays.fill(b, off, off + len, fill);
            read += len;
            return len;
        }
    }

    @Test
    void linesKeepTheirNewlineAndTheLastMayHaveNone() throws IOException {
        assertEquals(List.of("map show\n", "\n", "version"), lines("map show\n\nversion"));
        assertEquals(List.of("map show\n"), lines("map show\n"));
        assertEquals(List.of(), lines(""));
    }

    @Test
    void crlfIsLeftToTheWordSplitterWhichTakesCrAsABlank() throws IOException {
        assertEquals(List.of("map show\r\n", "version\r\n"), lines("map show\r\nversion\r\n"));
    }

    @Test
    void aLineEndsAtItsFirstNulAsCStringsDo() throws IOException {
        byte[] in = "map show\0garbage\nversion\n\0\n".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(List.of("map show", "version\n", ""), lines(in));
    }

    @Test
    void charsAreBytesUntilAWordIsTurnedIntoText() throws IOException {
        String line = lines("name \u00e9t\u00e9\n").get(0);
        assertEquals("name ".length() + 5 + 1, line.length(), "two chars of 2 bytes: lengths are bytes");
        assertEquals("\u00e9t\u00e9", BatchLines.text(line.substring(5, line.length() - 1)));
        assertEquals("\ufffd", BatchLines.text("\u00ff"), "a byte that is not UTF-8");
    }

    @Test
    void theLimitIsBpftools65534BytesNewlineIncluded() throws IOException {
        // checked with bpftool 7.1: 65534 bytes with the newline run, 65535 are E2BIG; without a
        // newline the same
        assertEquals(BatchLines.LONGEST, lines(line(65534, true)).get(0).length());
        assertEquals(BatchLines.LONGEST, lines(line(65534, false)).get(0).length());
        BatchLines.TooLong e = assertThrows(BatchLines.TooLong.class, () -> lines(line(65535, true)));
        assertEquals(1, e.line);
        assertThrows(BatchLines.TooLong.class, () -> lines(line(65535, false)));
        assertTrue(e.getMessage().contains("65534 bytes") && e.getMessage().contains("BATCH_LINE_LEN_MAX"),
                e.getMessage());
    }

    @Test
    void aLongLineIsFoundAtItsLimitAndNothingAfterItIsRead() throws IOException {
        byte[] in = ("ok\n" + "y".repeat(200_000) + "\nnever read\n").getBytes(StandardCharsets.US_ASCII);
        BatchLines lines = new BatchLines(new ByteArrayInputStream(in));
        assertEquals("ok\n", lines.next());
        BatchLines.TooLong e = assertThrows(BatchLines.TooLong.class, lines::next);
        assertEquals(2, e.line, "the line number");
        assertEquals(1, lines.number(), "lines returned");
    }

    @Test
    void endlessInputEndsAtTheFirstLinesLimit() {
        for (byte fill : new byte[] {0, 'x', '#'}) { // /dev/zero, one endless word, one endless comment
            Endless zero = new Endless(fill);
            BatchLines lines = new BatchLines(zero);
            assertThrows(BatchLines.TooLong.class, lines::next);
            assertTrue(zero.read <= BatchLines.LINE_LEN_MAX + 8192, "read " + zero.read + " bytes of an endless input");
        }
    }
}
