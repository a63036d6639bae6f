package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The request of protocol BPF2: a command's words, encoded by the client and read back by the server. */
class FramesTest {
    /** The body of a request (what follows the magic and its length), as the server reads it. */
    private static ByteBuffer body(ByteBuffer request) {
        byte[] magic = new byte[4];
        request.get(magic);
        assertEquals("BPF2", new String(magic, StandardCharsets.US_ASCII));
        int length = request.getInt();
        assertEquals(request.remaining(), length, "the length is the body's");
        return request.slice();
    }

    private static String refused(byte[] body) {
        return assertThrows(Frames.BadRequest.class, () -> Frames.words(ByteBuffer.wrap(body))).getMessage();
    }

    @Test
    void wordsArriveAsTheyWereSent() throws Exception {
        List<String> words = List.of("map", "update", "name", "a b", "", "> f", "|", "//x", "$v", "%", "é\n'\"\\");
        assertNull(Frames.invalid(words));
        assertEquals(words, Frames.words(body(Frames.request(words))));
    }

    @Test
    void theSmallestRequestIsOneEmptyWord() throws Exception {
        ByteBuffer r = Frames.request(List.of(""));
        assertEquals(4 + 4 + Frames.MIN_REQUEST, r.remaining());
        assertEquals(List.of(""), Frames.words(body(r)));
    }

    @Test
    void aMalformedBodyIsRefusedWithItsReason() {
        assertEquals("a request of 0 words in 8 bytes: it must hold 1 word or more, each a length and its bytes",
                refused(ByteBuffer.allocate(8).putInt(0).putInt(0).array()));
        assertEquals("a request of 4294967295 words in 8 bytes: it must hold 1 word or more, each a length and its bytes",
                refused(ByteBuffer.allocate(8).putInt(-1).putInt(0).array()));
        assertEquals("word 1 of 1 runs past the end of the request",
                refused(ByteBuffer.allocate(8).putInt(1).putInt(1).array()));
        assertEquals("word 2 of 2 runs past the end of the request",
                refused(ByteBuffer.allocate(12).putInt(2).putInt(0).putInt(-5).array()));
        assertEquals("3 bytes after the last of 1 words",
                refused(ByteBuffer.allocate(11).putInt(1).putInt(0).put(new byte[3]).array()));
        assertEquals("word 1 is not UTF-8",
                refused(ByteBuffer.allocate(10).putInt(1).putInt(2).put((byte) 0xc3).put((byte) 0x28).array()));
        assertEquals("a word holds a NUL byte, which no command's argument can",
                refused(ByteBuffer.allocate(9).putInt(1).putInt(1).put((byte) 0).array()));
        assertEquals("a request of 0 words in 2 bytes: it must hold 1 word or more, each a length and its bytes",
                refused(new byte[2]));
    }

    @Test
    void theClientChecksWhatTheServerWouldRefuse() {
        assertEquals("empty command", Frames.invalid(List.of()));
        assertEquals("a word holds a NUL byte, which no command's argument can", Frames.invalid(List.of("a\0b")));
        char[] big = new char[Frames.MAX_REQUEST - 8];
        Arrays.fill(big, 'x');
        assertNull(Frames.invalid(List.of(new String(big))), "exactly the limit");
        assertEquals("a command of 65537 bytes: at most 65536 fit in a request",
                Frames.invalid(List.of(new String(big) + "x")));
    }
}
