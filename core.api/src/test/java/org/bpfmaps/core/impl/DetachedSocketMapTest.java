package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.SocketKind;
import org.bpfmaps.core.sock.SocketRule;
import org.bpfmaps.core.sock.SocketState;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.spi.Bytes;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapProvider;
import org.bpfmaps.core.spi.MapTypeTraits;
import org.bpfmaps.core.spi.ObjectHost;
import org.bpfmaps.core.spi.ProviderHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A map whose values are socket fds (SOCKMAP here) whose provider has gone answers an update as
 * attached wherever the core can tell without the provider: the checks its type makes before the
 * flags (the socket the value names, {@link MapTypeTraits#socketValue}), then the flags. Only what
 * needs the provider (the index, the insert) is ENODEV. The errnos are those recorded on 6.18
 * (corpus/sockmap-extra-6.18.json, case sockmap_update_check_order).
 */
class DetachedSocketMapTest {
    /** The sockets a sockmap takes, as map.sockmap declares them (the part these tests use). */
    private static final SocketRule RULE = SocketRule.builder()
            .take(SocketKind.TCP, "not connected or listening", SocketState.ESTABLISHED, SocketState.LISTEN)
            .build();

    private final ProviderHost runtime = new StandaloneRuntime();
    private final BpfInstance bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(2));
    private final TinySockMapProvider provider = new TinySockMapProvider();
    private final List<NetworkChannel> opened = new ArrayList<>();

    @AfterEach
    void close() throws IOException {
        bpf.close();
        for (NetworkChannel c : opened) {
            c.close();
        }
    }

    @Test
    void aDetachedSocketMapAnswersTheChecksBeforeItsFlagsAsAttached() throws IOException {
        TinyArrayProvider arrays = new TinyArrayProvider();
        runtime.addProvider(provider);
        runtime.addProvider(arrays);
        int map = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.SOCKMAP, 4, 8, 4));
        assertTrue(map >= 3, Errno.nameOf(map));
        int notSocket = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 4));
        ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        opened.add(server);
        int established = register(SocketChannel.open(server.getLocalAddress()));
        opened.add(server.accept());
        int unconnected = register(SocketChannel.open());

        // value fd, flags, key -> the kernel's answer; each judged before the map changes
        Map<String, long[]> inputs = new LinkedHashMap<>();
        inputs.put("bad fd, flags 3", new long[] {99, 3, 0});
        inputs.put("bad fd, flags 2^32", new long[] {99, 1L << 32, 0});
        inputs.put("not a socket, flags 3", new long[] {notSocket, 3, 0});
        inputs.put("fd > S32_MAX, flags 3", new long[] {1L << 31, 3, 0});
        inputs.put("unconnected TCP, flags 3", new long[] {unconnected, 3, 0});
        inputs.put("unconnected TCP, index 9", new long[] {unconnected, 0, 9});
        inputs.put("established TCP, flags 3", new long[] {established, 3, 0});
        inputs.put("established TCP, flags 8", new long[] {established, 8, 0});
        inputs.put("established TCP, flags -1", new long[] {established, -1, 0});
        inputs.put("established TCP, flags 3, index 9", new long[] {established, 3, 9});
        inputs.put("BPF_F_LOCK, bad fd", new long[] {99, BpfFlags.F_LOCK, 0});
        Map<String, Errno> kernel = Map.ofEntries(Map.entry("bad fd, flags 3", Errno.EBADF),
                Map.entry("bad fd, flags 2^32", Errno.EBADF), Map.entry("not a socket, flags 3", Errno.ENOTSOCK),
                Map.entry("fd > S32_MAX, flags 3", Errno.EINVAL),
                Map.entry("unconnected TCP, flags 3", Errno.EOPNOTSUPP),
                Map.entry("unconnected TCP, index 9", Errno.EOPNOTSUPP),
                Map.entry("established TCP, flags 3", Errno.EINVAL), Map.entry("established TCP, flags 8", Errno.EINVAL),
                Map.entry("established TCP, flags -1", Errno.EINVAL),
                Map.entry("established TCP, flags 3, index 9", Errno.EINVAL),
                Map.entry("BPF_F_LOCK, bad fd", Errno.EINVAL));

        for (Map.Entry<String, long[]> in : inputs.entrySet()) {
            String answer = update(map, in.getValue());
            assertEquals(kernel.get(in.getKey()).name(), errnoOf(answer), in.getKey() + ", attached: " + answer);
        }
        assertEquals("ok", update(map, new long[] {established, 0, 1}));

        runtime.removeProvider(provider);
        for (Map.Entry<String, long[]> in : inputs.entrySet()) {
            String answer = update(map, in.getValue());
            assertEquals(kernel.get(in.getKey()).name(), errnoOf(answer), in.getKey() + ", detached: " + answer);
        }
        assertEquals("EOPNOTSUPP: TCP socket not connected or listening (state CLOSE)",
                update(map, inputs.get("unconnected TCP, flags 3")), "the reason names the state, detached too");
        assertEquals("EBADF: fd 99 is not open", update(map, inputs.get("bad fd, flags 3")));

        // what needs the provider: the index, and the update itself
        assertEquals("ENODEV", errnoOf(update(map, new long[] {established, 0, 9})), "index 9, detached");
        assertEquals("ENODEV", errnoOf(update(map, new long[] {established, 2, 1})), "a good update, detached");

        // the typed face takes the same path
        BpfException e = assertThrows(BpfException.class,
                () -> bpf.elemPath(map).update(u32(0), u64(established), 3));
        assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
        assertTrue(e.getMessage().contains("flags 3"), e.getMessage());
        e = assertThrows(BpfException.class, () -> bpf.elemPath(map).update(u32(0), u64(99), 3));
        assertEquals(Errno.EBADF, e.errno(), e.getMessage());

        // a type without a socket rule keeps its order: the core's flags check, then ENODEV
        runtime.removeProvider(arrays);
        assertEquals("EINVAL", errnoOf(update(notSocket, new long[] {99, 3, 0})));
        assertEquals("ENODEV", errnoOf(update(notSocket, new long[] {99, 0, 0})));
    }

    @Test
    void aRuleTellsWhyItRefusesASocket() throws IOException {
        runtime.addProvider(provider);
        int fd = register(SocketChannel.open());
        BpfSocket s = Sockets.byFd(bpf, fd);
        assertEquals("TCP socket not connected or listening (state CLOSE)", RULE.refusal(s));
        SocketRule none = SocketRule.builder().build();
        assertEquals("TCP socket not taken by this map type", none.refusal(s));
        assertNull(SocketRule.builder().take(SocketKind.TCP, "x").build().refusal(s), "any state while open");
        assertEquals(RULE, SocketRule.builder().take(SocketKind.TCP, "not connected or listening",
                SocketState.LISTEN, SocketState.ESTABLISHED).build(), "rules are data");
    }

    /** One update through bpf(): "ok", or the errno's name and the reason. */
    private String update(int map, long[] in) {
        MapElemAttr a = new MapElemAttr().set(map, u32((int) in[2]), u64(in[0]), in[1]);
        int r = bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a);
        return r == 0 ? "ok" : Errno.nameOf(r) + ": " + a.errorMessage();
    }

    private static String errnoOf(String answer) {
        return answer.split(":")[0];
    }

    /** Registers a channel (closed after the test) as a socket of the instance: its fd. */
    private int register(NetworkChannel ch) {
        opened.add(ch);
        int fd = Sockets.register(bpf, ch);
        assertTrue(fd >= 3, Errno.nameOf(fd));
        return fd;
    }

    private static ByteBuffer u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, v);
    }

    private static ByteBuffer u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, v);
    }

    /**
     * A SOCKMAP with value_size 8 holding cookies, just enough for these tests: its update applies
     * {@link #RULE}, then the flags, then the index, as sock_map_update_elem_sys does.
     */
    private static final class TinySockMapProvider implements MapProvider {
        static final MapTypeTraits TRAITS = MapTypeTraits.of(MapType.SOCKMAP)
                .keySize(4, 4)
                .valueSize(8, 8, Errno.EINVAL)
                .socketValue(RULE)
                .commands(BpfCmd.MAP_LOOKUP_ELEM, BpfCmd.MAP_UPDATE_ELEM)
                .build();

        @Override
        public List<MapTypeTraits> types() {
            return List.of(TRAITS);
        }

        @Override
        public long memoryUsage(MapDef def) {
            return 8L * def.maxEntries();
        }

        @Override
        public MapOps alloc(MapDef def) {
            throw new UnsupportedOperationException("a socket map needs its instance");
        }

        @Override
        public MapOps alloc(MapDef def, ObjectHost host) {
            long[] cookies = new long[def.maxEntries()];
            String[] why = new String[1];
            ErrorSink sink = (errno, pattern, a, b) -> {
                why[0] = String.format(pattern, a, b).replace("%", "%%");
                return errno.ret();
            };
            int[] refused = new int[1];
            return new MapOps() {
                @Override
                public int lookupElem(ByteBuffer key, ByteBuffer value, long flags) {
                    int i = Bytes.getInt(key, key.position());
                    if (Integer.compareUnsigned(i, cookies.length) >= 0 || cookies[i] == 0) {
                        return Errno.ENOENT.ret();
                    }
                    Bytes.putLong(value, value.position(), cookies[i]);
                    return 0;
                }

                @Override
                public int updateElem(ByteBuffer key, ByteBuffer value, long flags) {
                    why[0] = null;
                    BpfSocket s = RULE.socket(host, value, 8, (errno, pattern, a, b) ->
                            refused[0] = sink.fail(errno, pattern, a, b));
                    if (s == null) {
                        return refused[0];
                    }
                    if (Long.compareUnsigned(flags, BpfFlags.EXIST) > 0) {
                        why[0] = "flags " + flags + " (the provider's check)";
                        return Errno.EINVAL.ret();
                    }
                    int i = Bytes.getInt(key, key.position());
                    if (Integer.compareUnsigned(i, cookies.length) >= 0) {
                        why[0] = "index beyond max_entries";
                        return Errno.E2BIG.ret();
                    }
                    cookies[i] = s.cookie();
                    return 0;
                }

                @Override
                public int deleteElem(ByteBuffer key) {
                    return Errno.EINVAL.ret();
                }

                @Override
                public int getNextKey(ByteBuffer key, ByteBuffer nextKey) {
                    return Errno.ENOENT.ret(); // no walk: these tests never take a map back
                }

                @Override
                public String why(BpfCmd cmd, int err) {
                    return why[0];
                }
            };
        }
    }
}
