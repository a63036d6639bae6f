package org.bpfmaps.testsupport.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class StreamPatternTest {

    @Test
    void fillAtAnyOffsetGivesTheBytesOfByteAtInEitherByteOrder() {
        StreamPattern p = new StreamPattern(42);
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            for (long offset : new long[] {0, 1, 7, 8, 13, 1L << 33}) {
                for (int len : new int[] {0, 1, 7, 8, 9, 64, 1000}) {
                    ByteBuffer b = ByteBuffer.allocateDirect(len + 3).order(order);
                    b.position(3);
                    p.fill(b, offset);
                    assertEquals(len + 3, b.position());
                    for (int i = 0; i < len; i++) {
                        assertEquals(p.byteAt(offset + i), b.get(3 + i), "offset " + offset + " + " + i);
                    }
                }
            }
        }
    }

    @Test
    void aStreamShiftedByOneByteDiffersFromTheStream() {
        StreamPattern p = new StreamPattern(7);
        ByteBuffer a = ByteBuffer.allocate(4096);
        ByteBuffer b = ByteBuffer.allocate(4096);
        p.fill(a, 0);
        p.fill(b, 1);
        assertNotEquals(-1, a.flip().mismatch(b.flip()));
        ByteBuffer c = ByteBuffer.allocate(4096);
        new StreamPattern(8).fill(c, 0);
        assertNotEquals(-1, a.rewind().mismatch(c.flip()));
    }
}
