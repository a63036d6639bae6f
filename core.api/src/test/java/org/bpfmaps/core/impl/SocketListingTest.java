package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.MapSlot;
import org.bpfmaps.core.sock.SocketLink;
import org.bpfmaps.core.sock.SocketState;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.ObjectHost;
import org.bpfmaps.core.spi.ProviderHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Listings of an instance's sockets, for tools: {@link Sockets#list} (the socket fds, lowest first,
 * maps and closed fds left out) and {@link Sockets#slots} (the maps, by id and key, whose elements
 * hold a socket, from the links the maps register: here made by hand on real maps' ops).
 */
class SocketListingTest {
    private final TinyArrayProvider provider = new TinyArrayProvider();
    private final ProviderHost runtime = new StandaloneRuntime();
    private final BpfInstance bpf;
    private final List<NetworkChannel> opened = new ArrayList<>();

    SocketListingTest() {
        runtime.addProvider(provider);
        bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(2).withMemoryBudget(1 << 20));
    }

    @AfterEach
    void close() throws IOException {
        bpf.close();
        for (NetworkChannel c : opened) {
            c.close();
        }
    }

    private <C extends NetworkChannel> C keep(C c) {
        opened.add(c);
        return c;
    }

    private int map() {
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 4));
        assertTrue(fd >= 3);
        return fd;
    }

    private MapOps opsOf(int fd) {
        return ((MapObject) ((Instance) bpf).table().get(fd)).ops;
    }

    /** A link as a map registers one: its map's ops and a key. */
    private record Link(MapOps map, byte[] key) implements SocketLink {
        @Override
        public byte[] key() {
            return key.clone();
        }

        @Override
        public void run() {
        }
    }

    @Test
    void theSocketFdsLowestFirstWithoutMapsOrClosedFds() throws IOException {
        ServerSocketChannel server = keep(ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        int m = map();
        int fs = Sockets.register(bpf, server);
        int fc = Sockets.register(bpf, keep(SocketChannel.open(server.getLocalAddress())));
        int fu = Sockets.register(bpf, keep(DatagramChannel.open()));
        assertEquals(List.of(3, 4, 5, 6), List.of(m, fs, fc, fu));
        assertEquals(List.of(fs, fc, fu), List.copyOf(Sockets.list(bpf).keySet()));
        assertEquals(Sockets.byFd(bpf, fc), Sockets.list(bpf).get(fc));
        assertEquals(0, bpf.close(fc));
        assertEquals(List.of(fs, fu), List.copyOf(Sockets.list(bpf).keySet()), "a closed fd is gone");
        server.close();
        assertEquals(List.of(fs, fu), List.copyOf(Sockets.list(bpf).keySet()),
                "a socket whose channel closed keeps its fd until the fd is closed");
        assertEquals(SocketState.CLOSED, Sockets.list(bpf).get(fs).state());
        assertTrue(ObjectHost.of(bpf).orElseThrow().objects(org.bpfmaps.core.spi.ObjectKind.MAP).isEmpty(),
                "maps are no hosted objects");
    }

    @Test
    void slotsNameTheMapsByIdAndKeyInTheOrderOfInsertion() throws IOException {
        int a = map();
        int b = map();
        ObjectHost host = ObjectHost.of(bpf).orElseThrow();
        int idA = host.id(a);
        int idB = host.id(b);
        assertNotEquals(idA, idB);
        assertEquals(idA, host.mapId(opsOf(a)));
        assertEquals(0, host.mapId(null));

        BpfSocket s = Sockets.byFd(bpf, Sockets.register(bpf, keep(DatagramChannel.open())));
        Link inB = new Link(opsOf(b), new byte[] {2, 0, 0, 0});
        Link inA = new Link(opsOf(a), new byte[] {1, 0, 0, 0});
        Runnable plain = () -> { };
        assertTrue(s.onClose(inB));
        assertTrue(s.onClose(plain));
        assertTrue(s.onClose(inA));
        assertEquals(List.of(inB, inA), s.links(), "only the listeners that are links");
        List<MapSlot> slots = Sockets.slots(bpf, s);
        assertEquals(List.of(new MapSlot(idB, new byte[] {2, 0, 0, 0}), new MapSlot(idA, new byte[] {1, 0, 0, 0})),
                slots);
        assertArrayEquals(new byte[] {2, 0, 0, 0}, slots.get(0).key());
        assertEquals("map " + idB + " key 02 00 00 00", slots.get(0).toString());

        s.removeOnClose(inB);
        assertEquals(List.of(new MapSlot(idA, new byte[] {1, 0, 0, 0})), Sockets.slots(bpf, s));

        // the map goes: its ops run no map of the instance, so the link is not listed
        assertEquals(0, bpf.close(a));
        assertEquals(0, host.mapId(inA.map()));
        assertEquals(List.of(), Sockets.slots(bpf, s));
        assertEquals(List.of(inA), s.links(), "the link itself is the map's to remove");
    }

    @Test
    void aDetachedMapIsNotListedAndAnotherInstancesIsNot() throws IOException {
        int a = map();
        BpfSocket s = Sockets.byFd(bpf, Sockets.register(bpf, keep(DatagramChannel.open())));
        assertTrue(s.onClose(new Link(opsOf(a), new byte[4])));
        assertEquals(1, Sockets.slots(bpf, s).size());
        try (BpfInstance other = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(2))) {
            assertEquals(List.of(), Sockets.slots(other, s), "the map is not the other instance's");
            assertTrue(Sockets.list(other).isEmpty());
        }
        runtime.removeProvider(provider);
        assertEquals(List.of(), Sockets.slots(bpf, s), "detached while its provider is away");
    }

    @Test
    void aSocketThatLeftEveryMapHasNoLinks() throws IOException {
        int a = map();
        DatagramChannel ch = keep(DatagramChannel.open());
        BpfSocket s = Sockets.byFd(bpf, Sockets.register(bpf, ch));
        assertTrue(s.onClose(new Link(opsOf(a), new byte[4])));
        ch.close();
        assertEquals(SocketState.CLOSED, s.state());
        assertEquals(List.of(), s.links());
        assertEquals(List.of(), Sockets.slots(bpf, s));
    }
}
