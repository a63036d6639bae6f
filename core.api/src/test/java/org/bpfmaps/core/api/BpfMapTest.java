package org.bpfmaps.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The typed face, on the core's test ARRAY provider; both faces reach the same map. */
class BpfMapTest {
    private final ProviderHost runtime = Standalone.create();
    private final BpfInstance bpf;

    BpfMapTest() {
        runtime.addProvider(new org.bpfmaps.core.impl.TestProviders().array());
        bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(2));
    }

    @AfterEach
    void close() {
        bpf.close();
    }

    @Test
    void primitiveAndBufferFormsReachTheSameMapAsBpf() {
        try (BpfMap m = BpfMap.create(bpf, MapSpec.of(MapType.ARRAY, 4, 8, 8).withName("counters"))) {
            m.updateLong(3, 42, UpdateFlag.ANY);
            assertEquals(42, m.lookupLong(3, -1));
            assertEquals(-1, m.lookupLong(8, -1), "out of range is not found");
            ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            MapElemAttr a = new MapElemAttr().set(m.fd(), key(3), v, 0);
            assertEquals(0, bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a), "the fd is the map's for bpf() too");
            assertEquals(42, v.getLong(0));
            byte[] raw = new byte[8];
            assertTrue(m.lookup(new byte[] {3, 0, 0, 0}, raw));
            assertEquals(42, raw[0]);
            byte[] next = new byte[4];
            assertTrue(m.nextKey(new byte[] {3, 0, 0, 0}, next));
            assertEquals(4, next[0]);
            assertTrue(m.nextKey(null, next));
            assertEquals(0, next[0]);
            assertFalse(m.nextKey(new byte[] {7, 0, 0, 0}, next), "the last index has no next");
            assertEquals("counters", m.name());
            assertEquals(m.id(), m.info().id());
        }
    }

    @Test
    void failuresCarryTheErrnoAndTheReason() {
        try (BpfMap m = BpfMap.create(bpf, MapSpec.of(MapType.ARRAY, 4, 8, 2))) {
            BpfException e = assertThrows(BpfException.class, () -> m.updateLong(5, 1, UpdateFlag.ANY));
            assertEquals(Errno.E2BIG, e.errno());
            e = assertThrows(BpfException.class, () -> m.updateLong(0, 1, UpdateFlag.NOEXIST));
            assertEquals(Errno.EEXIST, e.errno());
            e = assertThrows(BpfException.class, () -> m.lookup(new byte[3], new byte[8]));
            assertTrue(e.getMessage().contains("key"), e.getMessage());
            e = assertThrows(BpfException.class, () -> m.lookup(ByteBuffer.allocate(4), ByteBuffer.allocate(7)));
            assertEquals(Errno.EFAULT, e.errno(), "as the dispatcher answers a buffer too small");
            assertTrue(e.getMessage().contains("room for fewer than 8 bytes"), e.getMessage());
            e = assertThrows(BpfException.class,
                    () -> m.lookup(key(0), ByteBuffer.allocate(8).asReadOnlyBuffer()));
            assertEquals(Errno.EFAULT, e.errno(), "the map cannot write its value into a read-only buffer");
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            e = assertThrows(BpfException.class, () -> m.lookupPerCpu(0, new long[2]));
            assertEquals(Errno.EINVAL, e.errno());
            e = assertThrows(BpfException.class, () -> m.lookupPerCpu(new byte[4], new byte[][] {new byte[8], new byte[8]}));
            assertEquals(Errno.EINVAL, e.errno(), "the byte[][] per-CPU forms need a per-CPU map");
            assertTrue(e.getMessage().contains("per-CPU"), e.getMessage());
            e = assertThrows(BpfException.class, () -> m.updatePerCpu(new byte[4], null, UpdateFlag.ANY));
            assertEquals(Errno.EINVAL, e.errno());
            e = assertThrows(BpfException.class, () -> m.update(key(0), value(1), null));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().contains("flag"), e.getMessage());
            e = assertThrows(BpfException.class, () -> m.updateLong(0, 1, null));
            assertEquals(Errno.EINVAL, e.errno());
        }
        BpfException e = assertThrows(BpfException.class,
                () -> BpfMap.create(bpf, MapSpec.of(MapType.HASH, 4, 8, 2)));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("no installed provider"), e.getMessage());
    }

    /**
     * Bad input through the typed face gets what bpf() answers for the same buffers: the same
     * errno and message, in the dispatcher's order (a frozen map is EPERM before a short value is
     * EFAULT; a miss is "not found" before a short value is a fault, as the kernel copies out
     * only after a hit).
     */
    @Test
    void badInputGetsTheErrnoAndMessageBpfGives() {
        try (BpfMap m = BpfMap.create(bpf, MapSpec.of(MapType.ARRAY, 4, 8, 2))) {
            ByteBuffer shortValue = ByteBuffer.allocate(7);
            ByteBuffer shortKey = ByteBuffer.allocate(3);
            ByteBuffer readOnly = ByteBuffer.allocate(8).asReadOnlyBuffer();
            assertSameAnswer(() -> m.lookup(key(0), shortValue), BpfCmd.MAP_LOOKUP_ELEM,
                    new MapElemAttr().set(m.fd(), key(0), shortValue, 0));
            assertSameAnswer(() -> m.lookup(key(0), readOnly), BpfCmd.MAP_LOOKUP_ELEM,
                    new MapElemAttr().set(m.fd(), key(0), readOnly, 0));
            assertSameAnswer(() -> m.lookup(shortKey, value(0)), BpfCmd.MAP_LOOKUP_ELEM,
                    new MapElemAttr().set(m.fd(), shortKey, value(0), 0));
            assertSameAnswer(() -> m.lookup(null, value(0)), BpfCmd.MAP_LOOKUP_ELEM,
                    new MapElemAttr().set(m.fd(), null, value(0), 0));
            assertSameAnswer(() -> m.update(shortKey, value(0), UpdateFlag.ANY), BpfCmd.MAP_UPDATE_ELEM,
                    new MapElemAttr().set(m.fd(), shortKey, value(0), 0));
            assertSameAnswer(() -> m.delete(shortKey), BpfCmd.MAP_DELETE_ELEM,
                    new MapElemAttr().set(m.fd(), shortKey, null, 0));
            assertSameAnswer(() -> m.lookupAndDelete(key(0), shortValue), BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM,
                    new MapElemAttr().set(m.fd(), key(0), shortValue, 0));
            MapElemAttr next = new MapElemAttr().set(m.fd(), key(0), null, 0);
            next.nextKey = shortKey;
            assertSameAnswer(() -> m.nextKey(key(0), shortKey), BpfCmd.MAP_GET_NEXT_KEY, next);
            assertFalse(m.lookup(key(5), shortValue), "a miss, whatever the value buffer");

            m.freeze();
            BpfException e = assertSameAnswer(() -> m.update(key(0), shortValue, UpdateFlag.ANY),
                    BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(m.fd(), key(0), shortValue, 0));
            assertEquals(Errno.EPERM, e.errno(), "frozen comes before the short value");
        }
    }

    private BpfException assertSameAnswer(org.junit.jupiter.api.function.Executable typed, BpfCmd cmd, BpfAttr attr) {
        BpfException e = assertThrows(BpfException.class, typed);
        int r = bpf.bpf(cmd, attr);
        assertEquals(Errno.of(r), e.errno(), e.getMessage());
        assertTrue(e.getMessage().endsWith(": " + attr.errorMessage()), e.getMessage() + " / bpf(): " + attr.errorMessage());
        return e;
    }

    @Test
    void aClosedHandleSaysSo() {
        BpfMap m = BpfMap.create(bpf, MapSpec.of(MapType.ARRAY, 4, 8, 2));
        m.close();
        m.close();
        BpfException e = assertThrows(BpfException.class, () -> m.lookupLong(0, 0));
        assertEquals(Errno.EBADF, e.errno());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void aFreezeThroughAnotherFdStopsThisHandlesWritesAtOnce() {
        try (BpfMap m = BpfMap.create(bpf, MapSpec.of(MapType.ARRAY, 4, 8, 4));
                BpfMap other = m.duplicate()) {
            m.updateLong(1, 10, UpdateFlag.ANY);
            other.freeze();
            BpfException e = assertThrows(BpfException.class, () -> m.updateLong(1, 11, UpdateFlag.ANY));
            assertEquals(Errno.EPERM, e.errno());
            assertTrue(e.getMessage().contains("frozen"), e.getMessage());
            e = assertThrows(BpfException.class, () -> m.update(key(1), value(12), UpdateFlag.ANY));
            assertEquals(Errno.EPERM, e.errno());
            assertEquals(10, m.lookupLong(1, -1), "reads go on, and the value is the one before the freeze");
        }
    }

    @Test
    void aHandleWhoseFdWasClosedUnderItIsEbadfAndNeverReachesTheFdsNextMap() {
        BpfMap m = BpfMap.create(bpf, MapSpec.of(MapType.ARRAY, 4, 8, 4));
        m.updateLong(0, 5, UpdateFlag.ANY);
        assertEquals(0, bpf.close(m.fd()), "closed through bpf(), not through the handle");
        assertEquals(Errno.EBADF, assertThrows(BpfException.class, () -> m.lookupLong(0, -1)).errno());
        assertEquals(Errno.EBADF,
                assertThrows(BpfException.class, () -> m.updateLong(0, 6, UpdateFlag.ANY)).errno());
        assertEquals(Errno.EBADF,
                assertThrows(BpfException.class, () -> m.lookup(key(0), value(0))).errno());
        try (BpfMap next = BpfMap.create(bpf, MapSpec.of(MapType.ARRAY, 4, 8, 4))) {
            assertEquals(m.fd(), next.fd(), "the lowest free fd is taken again");
            next.updateLong(0, 7, UpdateFlag.ANY);
            assertEquals(Errno.EBADF, assertThrows(BpfException.class, () -> m.lookupLong(0, -1)).errno(),
                    "the old handle's path died with its fd");
            assertEquals(7, next.lookupLong(0, -1));
        }
    }

    private static ByteBuffer value(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, v);
    }

    @Test
    void pinnedIdAndDuplicateHandlesShareTheMap() {
        try (BpfMap m = BpfMap.create(bpf, MapSpec.of(MapType.ARRAY, 4, 8, 4))) {
            m.pin("/sys/fs/bpf/shared");
            try (BpfMap p = BpfMap.openPinned(bpf, "/sys/fs/bpf/shared");
                    BpfMap i = BpfMap.fromId(bpf, m.id());
                    BpfMap d = m.duplicate();
                    BpfMap ro = BpfMap.openPinned(bpf, "/sys/fs/bpf/shared", BpfFlags.F_RDONLY)) {
                p.updateLong(1, 11, UpdateFlag.ANY);
                assertEquals(11, i.lookupLong(1, 0));
                assertEquals(11, d.lookupLong(1, 0));
                assertEquals(11, ro.lookupLong(1, 0));
                assertEquals(Errno.EPERM,
                        assertThrows(BpfException.class, () -> ro.updateLong(1, 2, UpdateFlag.ANY)).errno());
                assertTrue(p.fd() != m.fd() && d.fd() != m.fd());
            }
            assertEquals(Errno.ENOENT,
                    assertThrows(BpfException.class, () -> BpfMap.openPinned(bpf, "/sys/fs/bpf/none")).errno());
        }
    }

    @Test
    void iteratorAndBatchWalkEveryElement() {
        try (BpfMap m = BpfMap.create(bpf, MapSpec.of(MapType.ARRAY, 4, 8, 5))) {
            for (int i = 0; i < 5; i++) {
                m.updateLong(i, 100 + i, UpdateFlag.ANY);
            }
            MapIterator it = m.iterator();
            ByteBuffer k = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            List<Long> seen = new ArrayList<>();
            while (it.next(k, v)) {
                seen.add(k.getInt(0) * 1000L + v.getLong(0));
            }
            assertEquals(List.of(100L, 1101L, 2102L, 3103L, 4104L), seen);
            assertFalse(it.next(k, v));

            MapIterator fresh = m.iterator();
            for (ByteBuffer bad : new ByteBuffer[] {ByteBuffer.allocate(2), ByteBuffer.allocate(4).asReadOnlyBuffer(), null}) {
                BpfException e = assertThrows(BpfException.class, () -> fresh.next(bad, v));
                assertEquals(Errno.EFAULT, e.errno());
                assertTrue(e.getMessage().contains("key has room for fewer than 4 bytes"), e.getMessage());
            }
            BpfException e = assertThrows(BpfException.class, () -> fresh.next(k, ByteBuffer.allocate(7)));
            assertTrue(e.getMessage().contains("value has room for fewer than 8 bytes"), e.getMessage());
            assertTrue(fresh.next(k, v), "a refused call does not move the walk");
            assertEquals(0, k.getInt(0));

            BatchCursor c = new BatchCursor();
            ByteBuffer keys = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            ByteBuffer values = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
            List<Integer> batchKeys = new ArrayList<>();
            while (!c.done()) {
                int n = m.lookupBatch(c, keys, values, 2);
                for (int i = 0; i < n; i++) {
                    batchKeys.add(keys.getInt(4 * i));
                }
            }
            assertEquals(List.of(0, 1, 2, 3, 4), batchKeys);
        }
    }

    private static ByteBuffer key(int k) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, k);
    }
}
