package org.bpfmaps.map.hash;

import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.testsupport.SwapUnderWriters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hash family leaving and returning while threads write and delete: every write that returned
 * 0 is in the map afterwards (the leaving provider retires its buckets before it exports), writes
 * in the gap answer ENODEV, and a deleted key stays deleted.
 */
class ProviderSwapTest {
    private static final int KEYS = 2000;
    private final HashFixture f = new HashFixture(2);

    @AfterEach
    void close() {
        f.close();
    }

    @ParameterizedTest
    @EnumSource(value = MapType.class, names = {"HASH", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void noAcknowledgedWriteIsLostAcrossSwaps(MapType type) throws Exception {
        // room for every key: an LRU map must not evict here
        int fd = f.create(type, 4, 8, 4 * KEYS, 0);
        int valueBuf = f.valueBuf(type, 8);
        long none = HashFixture.missing(Errno.ENOENT);
        SwapUnderWriters.run(f, HashProvider::new, type.name(), KEYS, true, new SwapUnderWriters.Elements() {
            @Override
            public int update(int key, long value) {
                return f.put(type, fd, key, value, 0);
            }

            @Override
            public int delete(int key) {
                return f.delete(fd, key);
            }

            @Override
            public long read(int key) {
                long v = f.lookup(fd, key, valueBuf); // CPU 0's value on a per-CPU map
                return v == none ? 0 : v;
            }
        });
    }
}
