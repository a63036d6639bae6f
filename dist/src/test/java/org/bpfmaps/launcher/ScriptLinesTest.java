package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

/** {@link ScriptLines}: script lines, bounded, with bpftool's batch limit. */
class ScriptLinesTest {
    private static ScriptLines reader(byte[] bytes) {
        return new ScriptLines(new ByteArrayInputStream(bytes), "s.bpf");
    }

    private static List<String> lines(String text) throws IOException {
        ScriptLines in = reader(text.getBytes(StandardCharsets.ISO_8859_1));
        List<String> out = new ArrayList<>();
        for (String l; (l = in.next()) != null; ) {
            out.add(l);
        }
        return out;
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
    void linesEndAtLfCrOrCrlfAsBufferedReaderEndsThem() throws IOException {
        assertEquals(List.of("a", "b", "c", "", "d"), lines("a\nb\r\nc\r\rd"));
        assertEquals(List.of("last without a line break"), lines("last without a line break"));
        assertEquals(List.of(), lines(""));
    }

    @Test
    void aCrIsReturnedWithoutWaitingForTheNextByte() throws IOException {
        InputStream oneLine = new InputStream() {
            private final byte[] b = "map show\r".getBytes(StandardCharsets.US_ASCII);
            private int i;

            @Override
            public int read() {
                assertTrue(i < b.length, "read past the \\r: a pipe would block here");
                return b[i++];
            }

            @Override
            public int read(byte[] into, int off, int len) {
                into[off] = (byte) read(); // a byte at a time, as a pipe written slowly gives them
                return 1;
            }
        };
        assertEquals("map show", new ScriptLines(oneLine, "stdin").next());
    }

    @Test
    void utf8IsText() throws IOException {
        ScriptLines in = reader("map show name \u00e9t\u00e9\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("map show name \u00e9t\u00e9", in.next());
    }

    @Test
    void aNulOrBytesThatAreNotUtf8RefuseTheirLineAndTheNextIsRead() throws IOException {
        ScriptLines in = reader(new byte[] {'a', 0, 'b', '\n', (byte) 0xff, '\n', 'c', '\n'});
        ScriptLines.BadLine nul = assertThrows(ScriptLines.BadLine.class, in::next);
        assertEquals("line 1 of s.bpf holds a NUL byte", nul.getMessage());
        assertFalse(nul.endsInput);
        ScriptLines.BadLine utf = assertThrows(ScriptLines.BadLine.class, in::next);
        assertEquals("line 2 of s.bpf is not UTF-8", utf.getMessage());
        assertEquals("c", in.next());
        assertNull(in.next());
    }

    @Test
    void theLimitIsBpftoolsBatchLimit() throws IOException {
        String fits = "x".repeat(ScriptLines.LONGEST - 1);
        assertEquals(List.of(fits, "y"), lines(fits + "\ny"), "65534 bytes with the newline");
        assertEquals(List.of(fits + "x"), lines(fits + "x"), "65534 bytes without a newline");
        ScriptLines in = reader(("ok\n" + fits + "x\nnever read\n").getBytes(StandardCharsets.US_ASCII));
        assertEquals("ok", in.next());
        ScriptLines.BadLine e = assertThrows(ScriptLines.BadLine.class, in::next);
        assertTrue(e.endsInput);
        assertEquals("line 2 of s.bpf is longer than 65534 bytes (bpftool's limit for a line of a batch file): "
                + "the rest of s.bpf is not read", e.getMessage());
        assertNull(in.next(), "nothing after it");
    }

    @Test
    void endlessInputEndsAtTheFirstLinesLimit() throws IOException {
        for (byte fill : new byte[] {0, 'x', (byte) 0xff}) {
            Endless endless = new Endless(fill);
            ScriptLines in = new ScriptLines(endless, "/dev/zero");
            ScriptLines.BadLine e = assertThrows(ScriptLines.BadLine.class, in::next);
            assertTrue(e.endsInput);
            assertTrue(endless.read <= ScriptLines.LONGEST + 8192, "read " + endless.read + " bytes");
            assertNull(in.next());
        }
    }
}
