package org.bpfmaps.map.sockmap;

import static org.bpfmaps.map.sockmap.SockFixture.u32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.sock.MapSlot;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.spi.ObjectHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The elements a socket is in, as tools list them ({@link Sockets#slots}): the map's id and the
 * key, for SOCKMAP slots and SOCKHASH keys; gone when the element is replaced, deleted, or the
 * socket closes; back, under the same id, after the provider's update.
 */
class SockMapLinksTest {
    private final SockFixture f = new SockFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private int id(int fd) {
        return ObjectHost.of(f.bpf).orElseThrow().id(fd);
    }

    private List<MapSlot> slots(int fd) {
        return Sockets.slots(f.bpf, f.sock(fd));
    }

    private static byte[] le(int v) {
        byte[] b = new byte[4];
        u32(v).get(0, b);
        return b;
    }

    @Test
    void aSocketInASockmapSlotAndASockhashKey() throws IOException {
        int sm = f.create(MapType.SOCKMAP, 4, 8, 4, 0);
        int sh = f.create(MapType.SOCKHASH, 6, 8, 4, 0);
        int s = f.established();
        int t = f.established();
        ByteBuffer key = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6});
        assertEquals(0, f.update(sm, 2, s, 0));
        assertEquals(0, f.update(sh, key, 8, s, 0));
        assertEquals(0, f.update(sm, 3, s, 0), "a socket in two slots of one map");
        assertEquals(List.of(new MapSlot(id(sm), le(2)), new MapSlot(id(sh), new byte[] {1, 2, 3, 4, 5, 6}),
                new MapSlot(id(sm), le(3))), slots(s));
        assertEquals(List.of(), slots(t));

        assertEquals(0, f.update(sm, 2, t, 0), "replaced");
        assertEquals(0, f.delete(sh, key));
        assertEquals(List.of(new MapSlot(id(sm), le(3))), slots(s));
        assertEquals(List.of(new MapSlot(id(sm), le(2))), slots(t));

        f.sock(t).channel().close();
        f.sock(t).state(); // the read that notices the close
        assertEquals(List.of(), slots(t));
        assertEquals(0, f.bpf.close(sm));
        assertEquals(List.of(), slots(s), "a map freed with its last fd takes its links");
    }

    @Test
    void afterTheProvidersUpdateTheSameIdsAndKeys() throws IOException {
        int sh = f.create(MapType.SOCKHASH, 4, 8, 4, 0);
        int s = f.established();
        assertEquals(0, f.update(sh, 9, s, 0));
        List<MapSlot> before = slots(s);
        f.runtime.removeProvider(f.provider);
        assertEquals(List.of(), slots(s), "detached: the state holds the socket, no map does");
        f.runtime.addProvider(new SockMapProvider(), 0, "1.0.1");
        assertEquals(before, slots(s));
        assertTrue(before.get(0).mapId() > 0);
    }
}
