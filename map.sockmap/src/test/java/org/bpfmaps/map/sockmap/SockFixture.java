package org.bpfmaps.map.sockmap;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.testsupport.ProviderFixture;

/** An instance with the sockmap provider, real loopback sockets registered in it, and the raw commands. */
class SockFixture extends ProviderFixture<SockMapProvider> {
    private final List<NetworkChannel> opened = new ArrayList<>();
    /** The reason the last failed command gave. */
    String why;

    SockFixture() {
        super(new SockMapProvider());
    }

    <C extends NetworkChannel> C keep(C c) {
        opened.add(c);
        return c;
    }

    int register(NetworkChannel ch) {
        int fd = Sockets.register(bpf, keep(ch));
        assertTrue(fd >= 3, Errno.nameOf(fd));
        return fd;
    }

    BpfSocket sock(int fd) {
        BpfSocket s = Sockets.byFd(bpf, fd);
        assertNotNull(s);
        return s;
    }

    /** A listener, a client connected to it and the accepted end, on {@code ip}. */
    record Tcp(ServerSocketChannel server, SocketChannel client, SocketChannel accepted) {
    }

    Tcp tcp(String ip) throws IOException {
        ServerSocketChannel server = keep(ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getByName(ip), 0)));
        SocketChannel client = keep(SocketChannel.open(server.getLocalAddress()));
        return new Tcp(server, client, keep(server.accept()));
    }

    /** The fd of a new established TCP client socket on 127.0.0.1. */
    int established() throws IOException {
        return register(tcp("127.0.0.1").client());
    }

    int create(MapType type, int keySize, int valueSize, int max, int flags) {
        MapCreateAttr a = new MapCreateAttr(type, keySize, valueSize, max).flags(flags);
        int r = bpf.bpf(BpfCmd.MAP_CREATE, a);
        why = a.errorMessage();
        return r;
    }

    /** UPDATE writing {@code fd} as a value of {@code valueSize} bytes. */
    int update(int map, ByteBuffer key, int valueSize, long fd, long flags) {
        ByteBuffer v = valueSize == 8 ? u64(fd) : u32((int) fd);
        MapElemAttr a = new MapElemAttr().set(map, key, v, flags);
        int r = bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a);
        why = a.errorMessage();
        return r;
    }

    int update(int map, int key, long fd, long flags) {
        return update(map, u32(key), 8, fd, flags);
    }

    /** LOOKUP: the cookie, or {@code Long.MIN_VALUE - errno}. */
    long lookup(int map, ByteBuffer key) {
        ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        MapElemAttr a = new MapElemAttr().set(map, key, v, 0);
        int r = bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a);
        why = a.errorMessage();
        return r == 0 ? v.getLong(0) : Long.MIN_VALUE - r;
    }

    long lookup(int map, int key) {
        return lookup(map, u32(key));
    }

    static long err(Errno e) {
        return Long.MIN_VALUE + e.code();
    }

    int delete(int map, ByteBuffer key) {
        MapElemAttr a = new MapElemAttr().set(map, key, null, 0);
        int r = bpf.bpf(BpfCmd.MAP_DELETE_ELEM, a);
        why = a.errorMessage();
        return r;
    }

    /** GET_NEXT_KEY of a 4-byte key: the next key, or {@code Long.MIN_VALUE - errno}. */
    long next(int map, Integer key) {
        ByteBuffer n = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        MapElemAttr a = new MapElemAttr().set(map, key == null ? null : u32(key), null, 0);
        a.nextKey = n;
        int r = bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, a);
        return r == 0 ? n.getInt(0) : Long.MIN_VALUE - r;
    }

    @Override
    public void close() {
        super.close();
        for (NetworkChannel c : opened) {
            try {
                c.close();
            } catch (IOException e) {
                // closing test sockets: nothing to assert
            }
        }
    }
}
