package org.bpfmaps.map.hash;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.testsupport.ProviderFixture;

/** An instance with the hash provider, and the helpers the tests share: 4-byte keys, 8-byte values. */
class HashFixture extends ProviderFixture<HashProvider> {
    HashFixture(int cpus) {
        super(new HashProvider(), cpus);
    }

    /** Creates a map, asserting it worked. */
    int create(MapType type, int keySize, int valueSize, int maxEntries, int flags) {
        return create(new MapCreateAttr(type, keySize, valueSize, maxEntries).flags(flags));
    }

    /** The errno of a create (0 for success, the fd then closed). */
    int createErr(MapType type, int keySize, int valueSize, int maxEntries, int flags) {
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(type, keySize, valueSize, maxEntries).flags(flags));
        if (fd >= 0) {
            bpf.close(fd);
            return 0;
        }
        return fd;
    }

    /** The bytes of a value: value_size, or the per-CPU layout. */
    int valueBuf(MapType type, int valueSize) {
        return HashProvider.perCpu(type) ? ((valueSize + 7) & ~7) * cpus : valueSize;
    }

    int update(int fd, int key, long value, long flags) {
        return bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, u32(key), u64(value), flags));
    }

    /** An update in the type's layout: per-CPU maps get {@code value + c} on CPU c. */
    int put(MapType type, int fd, int key, long value, long flags) {
        return HashProvider.perCpu(type) ? updatePercpu(fd, key, value, flags) : update(fd, key, value, flags);
    }

    /** Per-CPU update: CPU c gets {@code value + c}. */
    int updatePercpu(int fd, int key, long value, long flags) {
        ByteBuffer v = ByteBuffer.allocate(8 * cpus).order(ByteOrder.nativeOrder());
        for (int c = 0; c < cpus; c++) {
            v.putLong(c * 8, value + c);
        }
        return bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, u32(key), v, flags));
    }

    /** The 8-byte value at key (CPU 0's for per-CPU maps), or the negated errno as a Long.MIN_VALUE marker. */
    long lookup(int fd, int key, int valueBuf) {
        ByteBuffer v = ByteBuffer.allocate(valueBuf).order(ByteOrder.nativeOrder());
        int r = bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, u32(key), v, 0));
        return r == 0 ? v.getLong(0) : Long.MIN_VALUE + (-r);
    }

    static long missing(Errno e) {
        return Long.MIN_VALUE + e.code();
    }

    /** lookup_and_delete of key: its 8-byte value, or the negated errno as {@link #missing} marks it. */
    long lookupAndDelete(int fd, int key) {
        ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        int r = bpf.bpf(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, new MapElemAttr().set(fd, u32(key), v, 0));
        return r == 0 ? v.getLong(0) : Long.MIN_VALUE + (-r);
    }

    int delete(int fd, int key) {
        return bpf.bpf(BpfCmd.MAP_DELETE_ELEM, new MapElemAttr().set(fd, u32(key), null, 0));
    }

    /** get_next_key from {@code key} (null for the first): the next key, or null at the end. */
    Integer nextKey(int fd, Integer key) {
        MapElemAttr a = new MapElemAttr().set(fd, key == null ? null : u32(key), null, 0);
        a.nextKey = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        int r = bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, a);
        return r == 0 ? a.nextKey.getInt(0) : null;
    }

    /** Every key, by get_next_key from NULL. */
    List<Integer> keys(int fd) {
        List<Integer> keys = new ArrayList<>();
        for (Integer k = nextKey(fd, null); k != null; k = nextKey(fd, k)) {
            keys.add(k);
            assertTrue(keys.size() < 1_000_000, "the walk never ends");
        }
        return keys;
    }

}
