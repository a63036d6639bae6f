package org.bpfmaps.core.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Random;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.Errno;
import org.junit.jupiter.api.Test;

/**
 * The Toeplitz hash against Microsoft's "Verifying the RSS Hash Calculation" suite (the same
 * vectors as the Intel 82599 datasheet 7.1.2.8.3 and DPDK's test_thash.c), and the queue choice.
 */
class ToeplitzTest {
    /** src, dst, src port, dst port, hash of the 2-tuple, hash of the 4-tuple. */
    private static final Object[][] V4 = {
        {"66.9.149.187", "161.142.100.80", 2794, 1766, 0x323e8fc2, 0x51ccc178},
        {"199.92.111.2", "65.69.140.83", 14230, 4739, 0xd718262a, 0xc626b0ea},
        {"24.19.198.95", "12.22.207.184", 12898, 38024, 0xd2d0a5de, 0x5c2b394a},
        {"38.27.205.30", "209.142.163.6", 48228, 2217, 0x82989176, 0xafc7327f},
        {"153.39.163.191", "202.188.127.2", 44251, 1303, 0x5d1809c5, 0x10e828a2},
    };
    private static final Object[][] V6 = {
        {"3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766, 0x2cc18cd5, 0x40207d3d},
        {"3ffe:501:8::260:97ff:fe40:efab", "ff02::1", 14230, 4739, 0x0f0c461c, 0xdde51bbf},
        {"3ffe:1900:4545:3:200:f8ff:fe21:67cf", "fe80::200:f8ff:fe21:67cf", 44251, 38024, 0x4b61e985, 0x02d1feef},
    };

    private final Toeplitz rss = Toeplitz.microsoft();

    private static byte[] addr(Object s) throws Exception {
        return InetAddress.getByName((String) s).getAddress();
    }

    @Test
    void ipv4VerificationSuite() throws Exception {
        for (Object[] v : V4) {
            byte[] s = addr(v[0]);
            byte[] d = addr(v[1]);
            int sp = (Integer) v[2];
            int dp = (Integer) v[3];
            String name = v[0] + ":" + sp + " -> " + v[1] + ":" + dp;
            assertEquals((int) (Integer) v[5], rss.hash(s, d, sp, dp), name);
            int si = ByteBuffer.wrap(s).getInt();
            int di = ByteBuffer.wrap(d).getInt();
            assertEquals((int) (Integer) v[5], rss.hashIpv4(si, di, sp, dp), name + " (ints)");
            assertEquals((int) (Integer) v[4], rss.hashIpv4(si, di), name + " (2-tuple)");
            assertEquals((int) (Integer) v[5], rss.hash(new InetSocketAddress(InetAddress.getByAddress(s), sp),
                    new InetSocketAddress(InetAddress.getByAddress(d), dp)), name + " (socket addresses)");
        }
    }

    @Test
    void ipv6VerificationSuite() throws Exception {
        for (Object[] v : V6) {
            byte[] s = addr(v[0]);
            byte[] d = addr(v[1]);
            String name = v[0] + " -> " + v[1];
            assertEquals((int) (Integer) v[5], rss.hash(s, d, (Integer) v[2], (Integer) v[3]), name);
            byte[] twoTuple = ByteBuffer.allocate(32).put(s).put(d).array();
            assertEquals((int) (Integer) v[4], rss.hash(twoTuple, 0, 32), name + " (2-tuple)");
        }
    }

    /** The table-driven hash against the definition, bit by bit, on random keys and inputs. */
    @Test
    void tableMatchesTheBitDefinition() {
        Random r = new Random(21);
        for (int round = 0; round < 200; round++) {
            byte[] key = new byte[16 + r.nextInt(Toeplitz.MAX_KEY - 15)];
            r.nextBytes(key);
            byte[] in = new byte[r.nextInt(key.length - 3)];
            r.nextBytes(in);
            assertEquals(bitByBit(key, in), new Toeplitz(key).hash(in, 0, in.length));
        }
    }

    private static int bitByBit(byte[] key, byte[] in) {
        int h = 0;
        for (int i = 0; i < in.length * 8; i++) {
            if ((in[i / 8] & (0x80 >> (i % 8))) != 0) {
                int w = 0;
                for (int k = 0; k < 32; k++) {
                    int bit = i + k;
                    w = (w << 1) | ((key[bit / 8] >> (7 - bit % 8)) & 1);
                }
                h ^= w;
            }
        }
        return h;
    }

    @Test
    void queueIsTheDefaultIndirectionTableEntry() {
        // ethtool_rxfh_indir_default: entry i of 128 is i % queues; the hash's low 7 bits pick the entry
        assertEquals(0x78 % 3, Toeplitz.queue(0x51ccc178, 3));
        assertEquals(0, Toeplitz.queue(0x51ccc178, 1));
        int[] perQueue = new int[4];
        for (int entry = 0; entry < Toeplitz.INDIRECTION_SIZE; entry++) {
            perQueue[Toeplitz.queue(0xabcd0000 | entry, 4)]++;
        }
        assertArrayEquals(new int[] {32, 32, 32, 32}, perQueue);
        assertEquals(127, Toeplitz.queue(0xffffffff, 4096), "entries beyond 128 queues are never chosen");
        assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> Toeplitz.queue(1, 0)).errno());
    }

    @Test
    void spreadsLoopbackFlowsOverQueues() {
        int[] perQueue = new int[4];
        for (int port = 40000; port < 40400; port++) {
            perQueue[Toeplitz.queue(rss.hashIpv4(0x7f000001, 0x7f000001, port, 9000), 4)]++;
        }
        for (int q = 0; q < 4; q++) {
            assertTrue(perQueue[q] > 50, "queue " + q + " got " + perQueue[q] + " of 400 flows");
        }
    }

    @Test
    void badKeysAndInputsAreRefused() {
        BpfException e = assertThrows(BpfException.class, () -> new Toeplitz(new byte[15]));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("15 bytes"), e.getMessage());
        assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> new Toeplitz(new byte[65])).errno());
        Toeplitz small = new Toeplitz(new byte[16]);
        assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> small.hash(new byte[13], 0, 13)).errno());
        assertEquals(Errno.EINVAL,
                assertThrows(BpfException.class, () -> small.hash(new byte[16], new byte[16], 1, 2)).errno(),
                "IPv6 needs a 40-byte key");
        assertEquals(Errno.EINVAL,
                assertThrows(BpfException.class, () -> rss.hash(new byte[4], new byte[16], 1, 2)).errno());
        byte[] k = new byte[40];
        Toeplitz t = new Toeplitz(k);
        k[0] = 1;
        assertEquals(0, t.hash(new byte[] {(byte) 0x80}, 0, 1), "the key was copied");
    }
}
