package org.bpfmaps.map.queue;

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

/**
 * An instance with the queue provider, and the raw commands on 8-byte values that the tests use:
 * the keyless maps are reached through bpf() with a NULL key, as user space reaches them.
 */
class QueueFixture implements AutoCloseable {
    final ProviderHost runtime = Standalone.create();
    final BpfInstance bpf;

    QueueFixture() {
        runtime.addProvider(new QueueProvider(), 0, "1.0.0");
        bpf = runtime.newInstance(BpfSettings.defaults());
    }

    int create(MapType type, int maxEntries) {
        return create(type, 8, maxEntries, 0, 0);
    }

    int create(MapType type, int valueSize, int maxEntries, int flags, long mapExtra) {
        MapCreateAttr a = new MapCreateAttr(type, 0, valueSize, maxEntries).flags(flags);
        a.mapExtra = mapExtra;
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, a);
        assertTrue(fd >= 3, () -> "create: " + Errno.nameOf(fd) + ": " + a.errorMessage());
        return fd;
    }

    /** UPDATE with a NULL key: push (queue, stack) or add (bloom filter). */
    int push(int fd, long v, long flags) {
        return bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, null, u64(v), flags));
    }

    /** LOOKUP (peek), or LOOKUP_AND_DELETE (pop): the value, or {@code Long.MIN_VALUE + errno}. */
    long take(int fd, boolean pop) {
        ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        int r = bpf.bpf(pop ? BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM : BpfCmd.MAP_LOOKUP_ELEM,
                new MapElemAttr().set(fd, null, v, 0));
        return r == 0 ? v.getLong(0) : Long.MIN_VALUE - r;
    }

    long pop(int fd) {
        return take(fd, true);
    }

    long peek(int fd) {
        return take(fd, false);
    }

    /** What an empty map answers to a peek or pop. */
    static final long EMPTY = Long.MIN_VALUE + Errno.ENOENT.code();

    /** A bloom filter LOOKUP of {@code v}: 0 or a negated errno. */
    int contains(int fd, long v) {
        return bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, null, u64(v), 0));
    }

    static ByteBuffer u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, v);
    }

    @Override
    public void close() {
        bpf.close();
    }
}
