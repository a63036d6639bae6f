package org.bpfmaps.map.array;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.testsupport.ProviderFixture;

/** An instance with the ARRAY provider, and the byte helpers the tests share. */
class ArrayFixture extends ProviderFixture<ArrayProvider> {
    ArrayFixture(int cpus) {
        super(new ArrayProvider(), cpus);
    }

    int create(MapType type, int valueSize, int maxEntries, int flags) {
        return create(new MapCreateAttr(type, 4, valueSize, maxEntries).flags(flags));
    }

    int update(int fd, int key, byte[] value, long flags) {
        return bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, u32(key), ByteBuffer.wrap(value), flags));
    }

    /** The value at key, or null with {@code err[0]} set. */
    byte[] lookup(int fd, int key, int size, int[] err) {
        ByteBuffer v = ByteBuffer.allocate(size);
        int r = bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, u32(key), v, 0));
        if (err != null) {
            err[0] = r;
        }
        return r == 0 ? v.array() : null;
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 31 + i * 7 + 1);
        }
        return b;
    }
}
