package org.bpfmaps.map.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapSpec;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.UpdateFlag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The typed lookups of a small array, which the core reads from the array's words itself
 * (PrimitiveOps.lookupWords) instead of calling the ops: they answer what bpf() answers for every
 * buffer a caller may pass (either byte order, a position inside the buffer, too short, read-only,
 * null), for keys inside and outside the array, and follow the fd's access and the map's provider.
 */
class TypedWordsTest {
    private final ArrayFixture f = new ArrayFixture(2);

    @AfterEach
    void close() {
        f.close();
    }

    /** An array of 16 elements of {@code valueSize} bytes, element k holding {@link #valueOf}(k). */
    private BpfMap filled(int valueSize) {
        BpfMap m = BpfMap.create(f.bpf, MapSpec.of(MapType.ARRAY, 4, valueSize, 16));
        for (int k = 0; k < 16; k++) {
            m.updateLong(k, valueOf(k, valueSize), UpdateFlag.ANY);
        }
        return m;
    }

    private static long valueOf(int k, int valueSize) {
        long v = 0x0102030405060708L * (k + 1);
        return valueSize == 8 ? v : v & ((1L << (8 * valueSize)) - 1);
    }

    /** A buffer of {@code room} bytes after a position of 3, in {@code order}. */
    private static ByteBuffer at3(int room, ByteOrder order, boolean direct) {
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(3 + room + 5) : ByteBuffer.allocate(3 + room + 5);
        return b.order(order).position(3).limit(3 + room);
    }

    /** The key as bpf() reads it: host order, at the buffer's position. */
    private static ByteBuffer key(int k, ByteOrder order, boolean direct) {
        ByteBuffer b = at3(4, order, direct);
        ByteBuffer host = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, k);
        for (int i = 0; i < 4; i++) {
            b.put(3 + i, host.get(i));
        }
        return b;
    }

    private static byte[] bytes(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(b.position(), out, 0, n);
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 4, 3})
    void everyBufferShapeGivesWhatBpfGives(int valueSize) {
        try (BpfMap m = filled(valueSize)) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                for (boolean direct : new boolean[] {true, false}) {
                    // 0x05000000 and 0x0f000000 are out of range, and in range byte-swapped
                    for (int k : new int[] {0, 7, 15, 16, -1, Integer.MIN_VALUE, 0x05000000, 0x0f000000}) {
                        String what = valueSize + "-byte values, " + order + (direct ? " direct" : " heap") + ", key " + k;
                        ByteBuffer typed = at3(valueSize, order, direct);
                        ByteBuffer viaBpf = at3(valueSize, order, direct);
                        boolean found = m.lookup(key(k, order, direct), typed);
                        int r = f.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(m.fd(), key(k, order, direct), viaBpf, 0));
                        assertEquals(r == 0, found, what);
                        assertEquals(k >= 0 && k < 16, found, what);
                        assertArrayEquals(bytes(viaBpf, valueSize), bytes(typed, valueSize), what);
                        assertEquals(3, typed.position(), what + ": the position is not moved");
                        assertEquals(found ? valueOf(k, valueSize) : -7, m.lookupLong(k, -7), what);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 4})
    void badBuffersAreRefusedAsBpfRefusesThemAndNothingIsWritten(int valueSize) {
        try (BpfMap m = filled(valueSize)) {
            ByteOrder host = ByteOrder.nativeOrder();
            ByteBuffer[][] cases = {
                {at3(3, host, true), at3(valueSize, host, true)}, // a key of 3 bytes
                {key(2, host, true), at3(valueSize - 1, host, true)}, // a value with a byte too few
                {key(2, host, true), at3(valueSize, host, true).asReadOnlyBuffer()},
                {key(2, host, false), at3(valueSize, host, false).asReadOnlyBuffer()},
                {null, at3(valueSize, host, true)},
                {key(2, host, true), null},
            };
            for (ByteBuffer[] c : cases) {
                String what = "key " + c[0] + ", value " + c[1];
                byte[] before = c[1] == null || c[1].isReadOnly() ? null : bytes(c[1], c[1].remaining());
                BpfException e = assertThrows(BpfException.class, () -> m.lookup(c[0], c[1]), what);
                MapElemAttr a = new MapElemAttr().set(m.fd(), c[0], c[1], 0);
                int r = f.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a);
                assertEquals(Errno.of(r), e.errno(), what);
                assertEquals(Errno.EFAULT, e.errno(), what);
                assertTrue(e.getMessage().endsWith(": " + a.errorMessage()), what + ": " + e.getMessage());
                if (before != null) {
                    assertArrayEquals(before, bytes(c[1], c[1].remaining()), what + ": nothing written");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 4})
    void theWordsFollowTheFdAndTheProvider(int valueSize) {
        try (BpfMap m = filled(valueSize);
                BpfMap writeOnly = BpfMap.fromId(f.bpf, m.id(), BpfFlags.F_WRONLY)) {
            ByteBuffer v = ByteBuffer.allocateDirect(valueSize);
            assertEquals(Errno.EPERM, assertThrows(BpfException.class, () -> writeOnly.lookupLong(1, -1)).errno());
            assertEquals(Errno.EPERM, assertThrows(BpfException.class,
                    () -> writeOnly.lookup(key(1, ByteOrder.nativeOrder(), true), v)).errno());

            m.freeze();
            assertEquals(valueOf(1, valueSize), m.lookupLong(1, -1), "a frozen map is still read");

            f.runtime.removeProvider(f.provider);
            assertEquals(Errno.ENODEV, assertThrows(BpfException.class, () -> m.lookupLong(1, -1)).errno());
            assertEquals(Errno.ENODEV, assertThrows(BpfException.class,
                    () -> m.lookup(key(1, ByteOrder.nativeOrder(), true), v)).errno());
            f.runtime.addProvider(new ArrayProvider(), 0, "1.1.0");
            for (int k = 0; k < 16; k++) {
                assertEquals(valueOf(k, valueSize), m.lookupLong(k, -1), "element " + k + " is back");
            }
            assertTrue(m.lookup(key(15, ByteOrder.nativeOrder(), true), v.clear()));

            BpfMap closedUnder = BpfMap.fromId(f.bpf, m.id());
            assertEquals(valueOf(2, valueSize), closedUnder.lookupLong(2, -1));
            assertEquals(0, f.bpf.close(closedUnder.fd()));
            assertEquals(Errno.EBADF, assertThrows(BpfException.class, () -> closedUnder.lookupLong(2, -1)).errno(),
                    "the fd was closed under the handle: its path has no words");
            assertEquals(Errno.EBADF, assertThrows(BpfException.class,
                    () -> closedUnder.lookup(key(2, ByteOrder.nativeOrder(), true), v.clear())).errno());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 4})
    void aWriteIsSeenByTheNextLookup(int valueSize) {
        try (BpfMap m = filled(valueSize)) {
            ByteBuffer v = ByteBuffer.allocateDirect(valueSize).order(ByteOrder.nativeOrder());
            m.update(key(9, ByteOrder.nativeOrder(), true), at3(valueSize, ByteOrder.nativeOrder(), true), UpdateFlag.ANY);
            assertEquals(0, m.lookupLong(9, -1), "zeros written through the buffer form");
            assertTrue(m.lookup(key(9, ByteOrder.nativeOrder(), true), v));
            assertEquals(0, valueSize == 8 ? v.getLong(0) : v.getInt(0));
            m.updateLong(9, 5, UpdateFlag.EXIST);
            assertTrue(m.lookup(key(9, ByteOrder.nativeOrder(), true), v));
            assertEquals(5, valueSize == 8 ? v.getLong(0) : v.getInt(0));
            assertFalse(m.lookup(key(16, ByteOrder.nativeOrder(), true), v));
        }
    }

    /**
     * Lookups until one fails, at most {@code max}: nothing in the loop but the lookup, so that
     * once compiled nothing else orders the loop's reads. The Java memory model lets a plain read
     * keep its first value for the whole loop (the JIT may hoist it), which is why the path makes
     * one ordered read per call; the test holds any design to what a user sees.
     */
    private static long spin(BpfMap m, ByteBuffer key, ByteBuffer v, boolean buffers, long max) {
        long n = 0;
        if (buffers) {
            while (n < max && m.lookup(key, v)) {
                n++;
            }
        } else {
            while (n < max && m.lookupLong(1, -1) != -1) {
                n++;
            }
        }
        return n;
    }

    /**
     * A thread that does nothing but look up, in compiled code, sees the provider go (ENODEV) or
     * the fd closed under its handle (EBADF) in bounded time, as a program looping on
     * bpf_map_lookup_elem sees the map's state: the path's one ordered read per call is what
     * makes the change visible to it.
     */
    @ParameterizedTest
    @CsvSource({"true,detach", "false,detach", "true,close", "false,close"})
    void aThreadSpinningOnLookupsSeesTheMapGo(boolean buffers, String how) throws Exception {
        BpfMap m = filled(8);
        BpfMap spun = BpfMap.fromId(f.bpf, m.id());
        ByteBuffer k = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, 1);
        ByteBuffer v = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        CountDownLatch spinning = new CountDownLatch(1);
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                // enough calls for the JIT to compile spin() with the lookup inlined into it
                for (int i = 0; i < 2_000; i++) {
                    assertEquals(10_000, spin(spun, k, v, buffers, 10_000));
                }
                spinning.countDown();
                spin(spun, k, v, buffers, Long.MAX_VALUE);
                ended.set(new AssertionError("a lookup said \"not found\" for a key inside the array"));
            } catch (Throwable e) {
                ended.set(e);
            }
        }, "spinner");
        t.setDaemon(true); // should it never see the change, it must not keep the JVM alive
        t.start();
        assertTrue(spinning.await(60, TimeUnit.SECONDS), "the spinner warmed up");
        if (how.equals("detach")) {
            f.runtime.removeProvider(f.provider);
        } else {
            assertEquals(0, f.bpf.close(spun.fd()));
        }
        t.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(t.isAlive(), "the spinning thread never saw the map " + (how.equals("detach") ? "detached" : "closed"));
        BpfException e = assertThrows(BpfException.class, () -> {
            throw ended.get();
        });
        assertEquals(how.equals("detach") ? Errno.ENODEV : Errno.EBADF, e.errno());
        m.close();
    }
}
