package org.bpfmaps.map.lpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CIDR text to the kernel's key bytes and back, and the errors for text that does not fit. */
class LpmKeyFormatTest {
    private final LpmKeyFormat f = new LpmKeyFormat();

    @Test
    void servesLpmTriesOnly() {
        assertTrue(f.serves(MapType.LPM_TRIE));
        assertEquals(false, f.serves(MapType.HASH));
    }

    @Test
    void keysAreHostOrderPrefixlenAndNetworkOrderAddress() {
        ByteBuffer want = LpmFixture.key("10.1.2.3", 8);
        assertArrayEquals(want.array(), f.parseKey("10.1.2.3/8", 8));
        assertArrayEquals(LpmFixture.key("10.1.2.3", 32).array(), f.parseKey("10.1.2.3", 8));
        assertArrayEquals(LpmFixture.key("2001:db8::", 32).array(), f.parseKey("2001:db8::/32", 20));
        // an IPv4-mapped IPv6 address stays the IPv6 bytes written
        assertArrayEquals(LpmFixture.key(128, mapped()).array(), f.parseKey("::ffff:0.0.0.0", 20));
        assertNull(f.parseKey("10", 8), "a byte word is not CIDR");
        assertNull(f.parseKey("0x0a", 8));
    }

    private static byte[] mapped() {
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        return b;
    }

    @ParameterizedTest
    @CsvSource({"10.0.0.0/8,8", "0.0.0.0/0,8", "255.255.255.255/32,8", "2001:db8::/32,20", "::/0,20",
        "::1/128,20", "fe80::1:0:0:0/64,20", "1:0:0:2::/64,20", "2001:db8:0:1:1:1:1:1/128,20"})
    void formatRoundTrips(String cidr, int keySize) {
        assertEquals(cidr, f.formatKey(f.parseKey(cidr, keySize), keySize));
    }

    @Test
    void otherKeySizesHaveNoCidrForm() {
        assertNull(f.formatKey(new byte[6], 6));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0.0/33|8|prefix length 33 is above 32, the most an IPv4 key (key_size 8) holds",
        "2001:db8::/129|20|prefix length 129 is above 128, the most an IPv6 key (key_size 20) holds",
        "10.0.0.0/8|20|IPv4 keys have key_size 8; this map's key_size is 20 (IPv6)",
        "::/0|8|IPv6 keys have key_size 20; this map's key_size is 8 (IPv4)",
        "10.0.0.0/8|7|IPv4 keys have key_size 8; this map's key_size is 7 (no address size)",
        "10.0.0/8|8|'10.0.0' is not an IPv4 address",
        "10.0.0.256|8|'10.0.0.256' is not an IPv4 address",
        "example.com|8|'example.com' is not an IPv4 address",
        "2001:db8::g/32|20|'2001:db8::g' is not an IPv6 address",
        "10.0.0.0/|8|prefix length '' is not a number 0..32",
        "10.0.0.0/-1|8|prefix length '-1' is not a number 0..32"})
    void badTextNamesTheLimit(String word, int keySize, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.parseKey(word, keySize));
        assertTrue(e.getMessage().startsWith(why), e.getMessage());
    }
}
