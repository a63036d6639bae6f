package org.bpfmaps.core.sock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reader of the kernel's TCP tables: lines recorded from /proc/net/tcp and tcp6 on this
 * machine (x86_64, 6.18), and real sockets on loopback, 127.0.0.1 and ::1.
 */
class ProcNetTcpTest {
    private static final String HEADER6 = "  sl  local_address                         remote_address                        st "
            + "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

    @BeforeAll
    static void recordedOnLittleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the fixtures were printed by an x86 kernel");
    }

    private static InetSocketAddress at(String ip, int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void ipv4LinesAreHostOrderWords() throws IOException {
        ProcNetTcp.Entry e = ProcNetTcp.parse("   0: 0100007F:1F90 0200007F:B3F2 01 00000000:00000000 00:00000000 "
                + "00000000     0        0 3099242 1 00000000bf789fc7 20 0 0 10 -1");
        assertEquals(at("127.0.0.1", 8080), e.local());
        assertEquals(at("127.0.0.2", 0xB3F2), e.remote());
        assertEquals(SocketState.ESTABLISHED, e.state());
        assertEquals(3099242L, e.inode());
        assertEquals(SocketState.LISTEN, ProcNetTcp.parse("   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 "
                + "00:00000000 00000000     0        0 221 1 000000009632a10d 100 0 0 10 0").state());
    }

    @Test
    void ipv6LinesAndIpv4MappedOnes() throws IOException {
        ProcNetTcp.Entry mapped = ProcNetTcp.parse("   2: 0000000000000000FFFF00000100007F:9C18 "
                + "0000000000000000FFFF00000100007F:97EF 08 00000000:00000000 00:00000000 00000000     0        0 "
                + "3099242 2 00000000bf789fc7 20 0 0 10 -1");
        assertInstanceOf(Inet4Address.class, mapped.local().getAddress(), "::ffff:127.0.0.1 is what Java reports");
        assertEquals(at("127.0.0.1", 0x9C18), mapped.local());
        assertEquals(at("127.0.0.1", 0x97EF), mapped.remote());
        assertEquals(SocketState.CLOSE_WAIT, mapped.state());

        ProcNetTcp.Entry v6 = ProcNetTcp.parse("   1: 00000000000000000000000001000000:1F90 "
                + "00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 "
                + "77 1 0000000000000000 100 0 0 10 0");
        assertInstanceOf(Inet6Address.class, v6.local().getAddress());
        assertEquals(at("::1", 8080), v6.local());
        assertEquals(at("::", 0), v6.remote());
        assertEquals(77L, v6.inode());
        assertEquals(at("fe80::1:2", 0x50), ProcNetTcp.address("000080FE000000000000000002000100:0050"));
    }

    @Test
    void whatIsNoSocketLineIsNull() {
        assertNull(ProcNetTcp.parse(HEADER6));
        assertNull(ProcNetTcp.parse(""));
        assertNull(ProcNetTcp.parse("   0: 0100007F:1F90 0200007F:B3F2 01"), "too short");
        assertNull(ProcNetTcp.parse("   0: 0100007:1F90 0200007F:B3F2 01 0:0 00:0 0 0 0 5 1"), "7 hex digits");
        assertNull(ProcNetTcp.parse("   0: 0100007F:1F90 0200007F:B3F2 2A 0:0 00:0 0 0 0 5 1"), "no state 42");
        assertNull(ProcNetTcp.parse("   0: 0100007G:1F90 0200007F:B3F2 01 0:0 00:0 0 0 0 5 1"), "not hex");
    }

    /** A table where a TIME_WAIT line (inode 0) and an unaccepted connection share a four-tuple with others. */
    private static final String TABLE = HEADER6 + "\n"
            + "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 500 1 0 100 0 0 10 0\n"
            + "   1: 0100007F:1F90 0100007F:A000 06 00000000:00000000 03:00000F00 00000000 0 0 0 3 0\n"
            + "   2: 0100007F:1F90 0100007F:A001 01 00000000:00000000 00:00000000 00000000 0 0 0 1 0 20 4 30 10 -1\n"
            + "   3: 0100007F:A002 0100007F:1F90 02 00000000:00000000 01:00000100 00000000 0 0 601 2 0 100 0 0 10 -1\n"
            + "   4: 0100007F:A003 0100007F:1F90 08 00000000:00000000 00:00000000 00000000 0 0 602 1 0 20 4 30 10 -1\n";

    private static SocketState find(InetSocketAddress local, InetSocketAddress remote) throws IOException {
        return ProcNetTcp.find(new BufferedReader(new StringReader(TABLE)), local, remote);
    }

    @Test
    void socketsAreFoundByAddressesAmongLinesWithAnInode() throws IOException {
        InetSocketAddress server = at("127.0.0.1", 0x1F90);
        assertEquals(SocketState.LISTEN, find(server, null), "the listener: the zero peer");
        assertNull(find(at("0.0.0.0", 0x1F90), null), "a listener on 127.0.0.1 is not one on the wildcard");
        assertNull(find(server, at("127.0.0.1", 0xA000)), "a TIME_WAIT line is no socket of ours");
        assertNull(find(server, at("127.0.0.1", 0xA001)), "a connection nobody accepted yet is no socket of ours");
        assertEquals(SocketState.SYN_SENT, find(at("127.0.0.1", 0xA002), server));
        assertEquals(SocketState.CLOSE_WAIT, find(at("127.0.0.1", 0xA003), server));
        assertEquals(SocketState.SYN_SENT, find(null, server), "a connect under way, before Java knows its port");
        assertNull(find(at("127.0.0.1", 0xA004), server), "not in the table: CLOSE for the caller");
    }

    @Test
    void realLoopbackSocketsV4AndV6() throws IOException {
        for (String ip : new String[] {"127.0.0.1", "::1"}) {
            try (ServerSocketChannel server = ServerSocketChannel.open().bind(at(ip, 0));
                    SocketChannel client = SocketChannel.open(server.getLocalAddress());
                    SocketChannel accepted = server.accept()) {
                InetSocketAddress s = (InetSocketAddress) server.getLocalAddress();
                InetSocketAddress c = (InetSocketAddress) client.getLocalAddress();
                assertEquals(SocketState.LISTEN, ProcNetTcp.stateOf(s, null), ip);
                assertEquals(SocketState.ESTABLISHED, ProcNetTcp.stateOf(c, s), ip);
                assertEquals(SocketState.ESTABLISHED, ProcNetTcp.stateOf(s, c), ip + " accepted");
                assertEquals(SocketState.CLOSE, ProcNetTcp.stateOf(c, at(ip, 1)), ip + " no such connection");
            }
        }
    }
}
