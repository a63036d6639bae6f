package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** strtoul as glibc reads numbers, which decides what bpftool accepts as a byte, a size or an id. */
class CNumbersTest {
    @Test
    void baseZeroReadsDecimalHexAndOctal() {
        assertEquals(10L, CNumbers.strtoul("10", 0));
        assertEquals(16L, CNumbers.strtoul("0x10", 0));
        assertEquals(16L, CNumbers.strtoul("0X10", 0));
        assertEquals(8L, CNumbers.strtoul("010", 0), "a leading 0 is octal");
        assertEquals(0L, CNumbers.strtoul("0", 0));
        assertEquals(255L, CNumbers.strtoul("0377", 0));
    }

    @Test
    void baseSixteenTakesBareDigitsAndAPrefix() {
        assertEquals(0x10L, CNumbers.strtoul("10", 16));
        assertEquals(0x1fL, CNumbers.strtoul("0x1f", 16));
        assertEquals(0xabL, CNumbers.strtoul("AB", 16));
        assertEquals(0x01000000L, CNumbers.strtoul("01000000", 16));
    }

    @Test
    void trailingCharactersAreErrors() {
        assertNull(CNumbers.strtoul("0g", 0));
        assertNull(CNumbers.strtoul("0x1g", 0));
        assertNull(CNumbers.strtoul("08", 0), "8 is no octal digit");
        assertNull(CNumbers.strtoul("0x", 0), "0x alone reads as 0 followed by an x");
        assertNull(CNumbers.strtoul("0x", 16));
        assertNull(CNumbers.strtoul("1.5", 0));
        assertNull(CNumbers.strtoul("x", 0));
        assertNull(CNumbers.strtoul("-", 0));
        assertNull(CNumbers.strtoul("1 ", 0));
        assertNull(CNumbers.strtoul("\u0661", 0), "only ASCII digits");
    }

    @Test
    void cQuirksBpftoolInherits() {
        assertEquals(0L, CNumbers.strtoul("", 0), "an empty word reads as 0: end stays at the start, a NUL");
        assertEquals(5L, CNumbers.strtoul(" +5", 0), "leading space and a plus sign");
        assertEquals(-1L, CNumbers.strtoul("-1", 0), "minus negates in unsigned arithmetic");
        assertEquals(-1L, CNumbers.strtoul("99999999999999999999999", 0), "overflow saturates to all ones");
        assertEquals(-1L, CNumbers.strtoul("-99999999999999999999999", 0));
        assertEquals(0xffffffffffffffffL, CNumbers.strtoul("0xffffffffffffffff", 0));
    }
}
