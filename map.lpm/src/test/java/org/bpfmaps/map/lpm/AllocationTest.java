package org.bpfmaps.map.lpm;

import static org.bpfmaps.testsupport.Allocation.assertNoAllocation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapSpec;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lookups (hits and misses) and get_next_key into the caller's buffers allocate nothing, through
 * bpf() and through the typed handle, for IPv4, IPv6 and 2048-bit keys, measured with the JVM's
 * per-thread allocation counter after the code is compiled. Updates allocate their node by design.
 */
class AllocationTest {
    private final LpmFixture f = new LpmFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 16, 256})
    void lookupsAndWalksDoNotAllocate(int dataSize) {
        int fd = f.create(dataSize, 8, 1024);
        SplittableRandom rnd = new SplittableRandom(1);
        ByteBuffer key = ByteBuffer.allocateDirect(4 + dataSize).order(ByteOrder.nativeOrder());
        for (int i = 0; i < 500; i++) {
            byte[] d = new byte[dataSize];
            rnd.nextBytes(d);
            assertEquals(0, f.update(fd, LpmFixture.key(1 + rnd.nextInt(8 * dataSize), d), i));
        }
        ByteBuffer value = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        ByteBuffer next = ByteBuffer.allocateDirect(4 + dataSize).order(ByteOrder.nativeOrder());
        MapElemAttr a = new MapElemAttr();
        int[] hits = new int[1];
        assertNoAllocation("lookup/get_next_key, " + dataSize + " data bytes", () -> {
            for (int i = 0; i < 50_000; i++) {
                key.putInt(0, 8 * dataSize);
                key.putInt(4, rnd.nextInt());
                if (f.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a.set(fd, key, value, 0)) == 0) {
                    hits[0]++;
                }
                a.set(fd, key, null, 0);
                a.nextKey = next;
                f.bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, a);
            }
        });
        assertTrue(hits[0] > 0, "some lookups hit");
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 16})
    void typedLookupsDoNotAllocate(int dataSize) {
        try (BpfMap map = BpfMap.create(f.bpf, MapSpec.of(MapType.LPM_TRIE, 4 + dataSize, 8, 64)
                .withFlags(BpfFlags.F_NO_PREALLOC))) {
            ByteBuffer key = ByteBuffer.allocateDirect(4 + dataSize).order(ByteOrder.nativeOrder());
            ByteBuffer value = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            key.putInt(0, 1).put(4, (byte) 0x80);
            map.update(key, value.putLong(0, 7), org.bpfmaps.core.api.UpdateFlag.ANY);
            SplittableRandom rnd = new SplittableRandom(2);
            int[] hits = new int[1];
            assertNoAllocation("typed lookup, " + dataSize + " data bytes", () -> {
                for (int i = 0; i < 50_000; i++) {
                    key.putInt(0, 8 * dataSize);
                    key.putInt(4, rnd.nextInt());
                    if (map.lookup(key, value)) {
                        hits[0]++;
                    }
                }
            });
            assertTrue(hits[0] > 0 && hits[0] < 150_000, "hits and misses both");
        }
    }
}
