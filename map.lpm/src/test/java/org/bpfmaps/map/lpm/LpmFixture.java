package org.bpfmaps.map.lpm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;

/**
 * An instance with the LPM provider and the helpers the tests share, all through bpf(): keys are
 * {@code struct bpf_lpm_trie_key_u8} (host-order prefixlen, then the data bytes).
 */
class LpmFixture implements AutoCloseable {
    final ProviderHost runtime = Standalone.create();
    final BpfInstance bpf;
    /** The last failed call's message. */
    String lastError;

    LpmFixture() {
        runtime.addProvider(new LpmProvider(), 0, "1.0.0");
        bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(2));
    }

    /** Creates an LPM trie with {@code dataSize} data bytes, asserting it worked. */
    int create(int dataSize, int valueSize, int maxEntries) {
        MapCreateAttr a = new MapCreateAttr(MapType.LPM_TRIE, 4 + dataSize, valueSize, maxEntries)
                .flags(BpfFlags.F_NO_PREALLOC);
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, a);
        assertTrue(fd >= 3, () -> "create: " + Errno.nameOf(fd) + ": " + a.errorMessage());
        return fd;
    }

    static ByteBuffer key(int prefixlen, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + data.length).order(ByteOrder.nativeOrder());
        b.putInt(0, prefixlen);
        b.put(4, data);
        return b;
    }

    /** A key from an address literal: {@code key("192.168.0.0", 16)}. */
    static ByteBuffer key(String address, int prefixlen) {
        return key(prefixlen, addr(address));
    }

    static byte[] addr(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    static ByteBuffer u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, v);
    }

    int update(int fd, ByteBuffer key, ByteBuffer value, long flags) {
        MapElemAttr a = new MapElemAttr().set(fd, key, value, flags);
        int r = bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a);
        lastError = r < 0 ? a.errorMessage() : null;
        return r;
    }

    int update(int fd, ByteBuffer key, long value) {
        return update(fd, key, u64(value), BpfFlags.ANY);
    }

    /** The value found for {@code key}, or null for ENOENT (other errors fail the test). */
    byte[] lookup(int fd, ByteBuffer key, int valueSize) {
        ByteBuffer v = ByteBuffer.allocate(valueSize);
        MapElemAttr a = new MapElemAttr().set(fd, key, v, 0);
        int r = bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a);
        lastError = r < 0 ? a.errorMessage() : null;
        if (r == Errno.ENOENT.ret()) {
            return null;
        }
        assertTrue(r == 0, () -> "lookup: " + Errno.nameOf(r) + ": " + a.errorMessage());
        return v.array();
    }

    /** The 8-byte value found, or -1 for ENOENT. */
    long lookupLong(int fd, ByteBuffer key) {
        byte[] v = lookup(fd, key, 8);
        return v == null ? -1 : ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getLong(0);
    }

    int delete(int fd, ByteBuffer key) {
        MapElemAttr a = new MapElemAttr().set(fd, key, null, 0);
        int r = bpf.bpf(BpfCmd.MAP_DELETE_ELEM, a);
        lastError = r < 0 ? a.errorMessage() : null;
        return r;
    }

    /** get_next_key from {@code key} (null: from the start): the next key, or null at the end. */
    ByteBuffer nextKey(int fd, ByteBuffer key, int keySize) {
        MapElemAttr a = new MapElemAttr().set(fd, key, null, 0);
        a.nextKey = ByteBuffer.allocate(keySize).order(ByteOrder.nativeOrder());
        int r = bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, a);
        if (r == Errno.ENOENT.ret()) {
            return null;
        }
        assertTrue(r == 0, () -> "get_next_key: " + Errno.nameOf(r) + ": " + a.errorMessage());
        return a.nextKey;
    }

    /** Every key by get_next_key from NULL, as "prefixlen:hexdata". */
    List<String> keys(int fd, int keySize) {
        List<String> keys = new ArrayList<>();
        for (ByteBuffer k = nextKey(fd, null, keySize); k != null; k = nextKey(fd, k, keySize)) {
            keys.add(show(k));
            assertTrue(keys.size() < 1_000_000, "the walk never ends");
        }
        return keys;
    }

    /** A key as "prefixlen:hexdata", for messages and comparisons. */
    static String show(ByteBuffer key) {
        byte[] data = new byte[key.capacity() - 4];
        key.get(4, data);
        return key.order(ByteOrder.nativeOrder()).getInt(0) + ":" + HexFormat.of().formatHex(data);
    }

    @Override
    public void close() {
        bpf.close();
    }
}
