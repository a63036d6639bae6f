package org.bpfmaps.map.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.MapIterator;
import org.bpfmaps.core.api.MapSpec;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.UpdateFlag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The typed iterator over the hash family: a walk returns each key at most once even while keys
 * are deleted under it (where a get_next_key walk restarts from the first key), and ends.
 */
class HashIteratorTest {
    private final HashFixture f = new HashFixture(2);

    @AfterEach
    void close() {
        f.close();
    }

    /** Deleting the key the walk just returned is what sends a get_next_key walk back to the start. */
    @ParameterizedTest
    @EnumSource(names = {"HASH", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH"})
    void deletingWhatTheWalkReturnedNeverRepeatsAKey(MapType t) {
        try (BpfMap m = BpfMap.create(f.bpf, MapSpec.of(t, 4, 8, 1000))) {
            for (int k = 0; k < 500; k++) {
                m.update(key(k), ByteBuffer.allocate(m.valueBufferSize()), UpdateFlag.ANY);
            }
            ByteBuffer k = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            ByteBuffer v = ByteBuffer.allocate(m.valueBufferSize());
            Set<Integer> seen = new HashSet<>();
            MapIterator it = m.iterator();
            while (it.next(k, v)) {
                int got = k.getInt(0);
                assertTrue(seen.add(got), "key " + got + " returned twice");
                // every other key returned is deleted at once, as a consumer draining the map would
                if (got % 2 == 0) {
                    assertTrue(m.delete(key(got)));
                }
            }
            assertEquals(500, seen.size(), "every key present at the start and never deleted before its turn");
            assertFalse(it.next(k, v), "a finished walk stays finished");
        }
    }

    /**
     * A bucket holding more elements than the iterator's first page (64): LOOKUP_BATCH answers
     * ENOSPC, the page grows and the walk still returns every key once. BPF_F_ZERO_SEED makes the
     * buckets computable, so the test can fill one.
     */
    @Test
    void aBucketLargerThanAPageIsReturnedWhole() {
        try (BpfMap m = BpfMap.create(f.bpf, MapSpec.of(MapType.HASH, 4, 8, 128).withFlags(BpfFlags.F_ZERO_SEED))) {
            int inBucket = 0;
            for (int k = 0; inBucket < 100; k++) {
                if ((KeyBytes.hashInt(k, 0) & 127) == 5) {
                    m.updateLong(k, k, UpdateFlag.ANY);
                    inBucket++;
                }
            }
            assertEquals(100, inBucket);
            ByteBuffer k = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            Set<Integer> seen = new HashSet<>();
            MapIterator it = m.iterator();
            while (it.next(k, v)) {
                assertTrue(seen.add(k.getInt(0)));
                assertEquals(k.getInt(0), v.getLong(0));
            }
            assertEquals(100, seen.size());
        }
    }

    /**
     * While another thread deletes and re-adds keys of its own, walks never crash, never return a
     * key twice unless it was re-added (the churning keys, which are not checked for that), and
     * always return every stable key exactly once.
     */
    @Test
    void walksUnderConcurrentDeletesAndInsertsSeeStableKeysOnce() throws Exception {
        try (BpfMap m = BpfMap.create(f.bpf, MapSpec.of(MapType.HASH, 4, 8, 2000))) {
            for (int k = 0; k < 1000; k++) {
                m.updateLong(k, k, UpdateFlag.ANY);
            }
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Void> churn = CompletableFuture.runAsync(() -> {
                for (int i = 0; !stop.get(); i++) {
                    int k = 1000 + (i % 500);
                    if (!m.delete(key(k))) {
                        m.updateLong(k, k, UpdateFlag.ANY);
                    }
                }
            });
            try {
                ByteBuffer k = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
                ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
                for (int walk = 0; walk < 200; walk++) {
                    Set<Integer> stable = new HashSet<>();
                    MapIterator it = m.iterator();
                    while (it.next(k, v)) {
                        int got = k.getInt(0);
                        assertEquals(got, v.getLong(0), "a key with another key's value");
                        if (got < 1000) {
                            assertTrue(stable.add(got), "stable key " + got + " returned twice in walk " + walk);
                        }
                    }
                    assertEquals(1000, stable.size(), "walk " + walk);
                }
            } finally {
                stop.set(true);
            }
            assertNull(churn.get());
        }
    }

    private static ByteBuffer key(int k) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, k);
    }
}
