package org.bpfmaps.map.array;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;

/** An instance with the ARRAY provider, and the byte helpers the tests share. */
class ArrayFixture implements AutoCloseable {
    final ProviderHost runtime = Standalone.create();
    final ArrayProvider provider = new ArrayProvider();
    final BpfInstance bpf;
    final int cpus;

    ArrayFixture(int cpus) {
        this.cpus = cpus;
        runtime.addProvider(provider, 0, "1.0.0");
        bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(cpus));
    }

    int create(MapType type, int valueSize, int maxEntries, int flags) {
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(type, 4, valueSize, maxEntries).flags(flags));
        assertTrue(fd >= 3, "create: " + Errno.nameOf(fd));
        return fd;
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

    static ByteBuffer u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, v);
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 31 + i * 7 + 1);
        }
        return b;
    }

    @Override
    public void close() {
        bpf.close();
    }
}
