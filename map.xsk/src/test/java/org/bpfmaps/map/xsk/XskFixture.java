package org.bpfmaps.map.xsk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.sock.OpenedSocket;
import org.bpfmaps.core.sock.SocketFactories;
import org.bpfmaps.core.xdp.XdpSocket;
import org.bpfmaps.testsupport.ProviderFixture;

/** An instance with the XSKMAP provider, sockets of the socket-kind extension point, and the raw commands. */
class XskFixture extends ProviderFixture<XskMapProvider> {
    /** The reason the last failed command gave. */
    String why;

    XskFixture() {
        super(new XskMapProvider());
    }

    /** A socket of a kind of the extension point (the core's or this bundle's): its fd. */
    int sock(String kind) throws IOException {
        OpenedSocket s = SocketFactories.open(bpf, kind);
        s.close(); // the helper ends only: the fd stays the instance's
        return s.fd();
    }

    /**
     * An XSK socket on each of the device's {@code queues} queues ({@link XdpTraffic#socket}, rings of
     * {@code frames}), each at its queue's key of the XSKMAP {@code map}, as an application sets them up.
     */
    XdpSocket[] socketsPerQueue(int eth, int queues, int map, int frames, int chunk) {
        XdpSocket[] xsk = new XdpSocket[queues];
        for (int q = 0; q < queues; q++) {
            int fd = XdpTraffic.socket(bpf, eth, q, frames, chunk, frames);
            assertEquals(0, update(map, q, fd, 0), why);
            xsk[q] = XdpSocket.byFd(bpf, fd);
        }
        return xsk;
    }

    XdpSocket xsk(int fd) {
        XdpSocket s = XdpSocket.byFd(bpf, fd);
        assertNotNull(s);
        return s;
    }

    int xskmap(int max) {
        int fd = create(MapType.XSKMAP, 4, 4, max, 0);
        assertTrue(fd >= 3, why);
        return fd;
    }

    int create(MapType type, int keySize, int valueSize, int max, int flags) {
        MapCreateAttr a = new MapCreateAttr(type, keySize, valueSize, max).flags(flags);
        int r = bpf.bpf(BpfCmd.MAP_CREATE, a);
        why = a.errorMessage();
        return r;
    }

    /** UPDATE writing {@code fd} as the 4-byte value. */
    int update(int map, int key, int fd, long flags) {
        MapElemAttr a = new MapElemAttr().set(map, u32(key), u32(fd), flags);
        int r = bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a);
        why = a.errorMessage();
        return r;
    }

    int lookup(int map, int key) {
        ByteBuffer v = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        MapElemAttr a = new MapElemAttr().set(map, u32(key), v, 0);
        int r = bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a);
        why = a.errorMessage();
        return r;
    }

    int delete(int map, int key) {
        MapElemAttr a = new MapElemAttr().set(map, u32(key), null, 0);
        int r = bpf.bpf(BpfCmd.MAP_DELETE_ELEM, a);
        why = a.errorMessage();
        return r;
    }

    long memlock(int map) {
        return bpf.fdinfo(map).memlock();
    }
}
