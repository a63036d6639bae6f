package org.bpfmaps.sock.jna;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.bpfmaps.core.sock.SocketState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The netlink messages of the exact lookup: requests and the kernel's replies recorded on this
 * machine (x86_64, 6.18) with Python's AF_NETLINK sockets, for a dual-stack socket with
 * IPv4-mapped addresses, a dual-stack listener, a TIME_WAIT socket and a four-tuple with no socket.
 */
class InetDiagTest {
    private static final HexFormat HEX = HexFormat.of();

    /** 127.0.0.1:59010 to 127.0.0.1:40007, asked as AF_INET, seq 7; the socket is AF_INET6 (::ffff:127.0.0.1). */
    private static final String MAPPED_REQUEST = "4800000014000100070000000000000002060000ffffffffe6829c477f00000100"
            + "00000000000000000000007f00000100000000000000000000000000000000ffffffffffffffff";
    private static final String MAPPED_REPLY = "7c0000001400000007000000462f00000a010000e6829c47000000000000000000"
            + "00ffff7f00000100000000000000000000ffff7f00000100000000a800000000000000000000000000000000000000000000"
            + "00e8af6a00050008000000000008000f00000000000c00150001000000000000000600160012000000";
    /** The listener [::]:40007, asked as AF_INET6 with the zero peer, seq 8. */
    private static final String LISTEN_REQUEST = "480000001400010008000000000000000a060000ffffffff9c4700000000000000"
            + "00000000000000000000000000000000000000000000000000000000000000ffffffffffffffff";
    private static final String LISTEN_REPLY = "840000001400000008000000462f00000a0a00009c47000000000000000000000000"
            + "0000000000000000000000000000000000000000000000000000a9000000000000000000000000000000800000000000000"
            + "0e7af6a00050008000000000005000b000000000008000f00000000000c00150001000000000000000600160012000000";
    /** 127.0.0.1:49262 to 127.0.0.1:44959 after FINs both ways: a TIME_WAIT socket, inode 0. */
    private static final String TIME_WAIT_REPLY = "600000001400000009000000462f000002060300c06eaf9f7f00000100000000"
            + "00000000000000007f00000100000000000000000000000000000000aa0000000000000060ea00000000000000000000000000"
            + "000000000008000f0000000000";
    /** No socket on 127.0.0.1:49262 to 127.0.0.1:1: NLMSG_ERROR -ENOENT, seq 10. */
    private static final String ENOENT_REPLY = "5c000000020000000a000000462f0000feffffff48000000140001000a000000000"
            + "0000002060000ffffffffc06e00017f0000010000000000000000000000007f000001000000000000000000000000000000"
            + "00ffffffffffffffff";

    @BeforeAll
    static void recordedOnLittleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the fixtures were recorded on x86");
    }

    private static InetSocketAddress at(String ip, int port) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    private static SocketState state(String reply, InetSocketAddress local, InetSocketAddress remote) {
        byte[] r = HEX.parseHex(reply);
        return InetDiag.state(r, r.length, local, remote);
    }

    @Test
    void requestsAreTheKernelsLayout() throws UnknownHostException {
        byte[] buf = new byte[InetDiag.REQUEST];
        assertEquals(InetDiag.REQUEST, InetDiag.lookup(buf, 7, at("127.0.0.1", 59010), at("127.0.0.1", 40007)));
        assertArrayEquals(HEX.parseHex(MAPPED_REQUEST), buf, "IPv4: AF_INET, the address in the first word");
        InetDiag.lookup(buf, 8, at("::", 40007), null);
        assertArrayEquals(HEX.parseHex(LISTEN_REQUEST), buf, "a listener: the zero peer (the buffer reused)");
    }

    @Test
    void aMappedSocketAnswersForItsIpv4Addresses() throws UnknownHostException {
        byte[] r = HEX.parseHex(MAPPED_REPLY);
        assertEquals(7, InetDiag.seq(r, r.length));
        assertEquals(SocketState.ESTABLISHED, state(MAPPED_REPLY, at("127.0.0.1", 59010), at("127.0.0.1", 40007)));
        assertNull(state(MAPPED_REPLY, at("127.0.0.1", 59011), at("127.0.0.1", 40007)), "another socket's answer");
        assertNull(state(MAPPED_REPLY, at("127.0.0.1", 59010), at("127.0.0.2", 40007)), "another socket's answer");
        assertNull(state(MAPPED_REPLY, at("127.0.0.1", 59010), null), "a connection is no listener");
    }

    @Test
    void aWildcardListenerAnswersForTheWildcardOnly() throws UnknownHostException {
        assertEquals(SocketState.LISTEN, state(LISTEN_REPLY, at("::", 40007), null));
        assertEquals(SocketState.LISTEN, state(LISTEN_REPLY, at("0.0.0.0", 40007), null), "either wildcard");
        assertNull(state(LISTEN_REPLY, at("127.0.0.1", 40007), null),
                "the kernel's listener lookup takes a wildcard listener for a specific address: not this socket");
        assertEquals(SocketState.CLOSE, state(LISTEN_REPLY, at("127.0.0.1", 40007), at("127.0.0.1", 59010)),
                "a listener in answer to a connection's lookup: nothing on the four-tuple in the established hash");
    }

    @Test
    void noSocketAndSocketsNoProgramHoldsAreClose() throws UnknownHostException {
        assertEquals(SocketState.CLOSE, state(TIME_WAIT_REPLY, at("127.0.0.1", 49262), at("127.0.0.1", 44959)),
                "TIME_WAIT has no inode, as in /proc/net/tcp");
        assertEquals(SocketState.CLOSE, state(ENOENT_REPLY, at("127.0.0.1", 49262), at("127.0.0.1", 1)));
        byte[] r = HEX.parseHex(ENOENT_REPLY);
        assertEquals(2, InetDiag.errno(r, r.length));
    }

    @Test
    void whatIsNoAnswerIsNull() throws UnknownHostException {
        byte[] einval = HEX.parseHex(ENOENT_REPLY);
        einval[16] = (byte) 0xea; // -22
        assertNull(InetDiag.state(einval, einval.length, at("127.0.0.1", 49262), at("127.0.0.1", 1)));
        byte[] r = HEX.parseHex(MAPPED_REPLY);
        assertNull(InetDiag.state(r, InetDiag.MESSAGE - 1, at("127.0.0.1", 59010), at("127.0.0.1", 40007)), "cut short");
        assertNull(InetDiag.state(r, 3, at("127.0.0.1", 59010), at("127.0.0.1", 40007)), "no header");
        r[16] = 7; // an address family that is neither
        assertNull(InetDiag.state(r, r.length, at("127.0.0.1", 59010), at("127.0.0.1", 40007)));
        r[16] = 10;
        r[17] = 42; // no TCP state
        assertNull(InetDiag.state(r, r.length, at("127.0.0.1", 59010), at("127.0.0.1", 40007)));
    }
}
