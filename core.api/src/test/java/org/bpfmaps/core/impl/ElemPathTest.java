package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bpfmaps.core.api.BatchCursor;
import org.bpfmaps.core.api.BpfAttr;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapBatchAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapSpec;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.UpdateFlag;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The typed face ({@link BpfMap}, through its bound {@link FastElemPath} or through bpf()) and
 * {@code bpf()} are one element path: every element command gives the same errno and message on
 * both, for a provider that throws and for a map that is detached or whose type lacks the command.
 */
class ElemPathTest {
    private static final BpfCmd[] ALL = {BpfCmd.MAP_LOOKUP_ELEM, BpfCmd.MAP_UPDATE_ELEM, BpfCmd.MAP_DELETE_ELEM,
        BpfCmd.MAP_GET_NEXT_KEY, BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, BpfCmd.MAP_LOOKUP_BATCH,
        BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH, BpfCmd.MAP_UPDATE_BATCH, BpfCmd.MAP_DELETE_BATCH};
    private static final byte FILL = 0x5a;

    private final ProviderHost runtime = Standalone.create();
    private final BpfInstance bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(2));

    @AfterEach
    void close() {
        bpf.close();
    }

    /**
     * One command on both faces: the typed call, and the attr of the same call through bpf(), each
     * with its own caller buffers of the same contents, which must be unchanged after a failure.
     */
    private record Case(String name, BpfCmd cmd, Executable typed, Supplier<BpfAttr> attr, Object[] typedBuffers) {
    }

    /** Every element command, in every typed form, on map {@code m}. */
    private List<Case> cases(BpfMap m) {
        int fd = m.fd();
        List<Case> out = new ArrayList<>();
        Object[] b;

        b = new Object[] {key(1), filled(8)};
        out.add(buffers("lookup(ByteBuffer)", BpfCmd.MAP_LOOKUP_ELEM, b,
                () -> m.lookup((ByteBuffer) b[0], (ByteBuffer) b[1]),
                () -> new MapElemAttr().set(fd, key(1), filled(8), 0)));
        Object[] b2 = {keyBytes(1), filledBytes(8)};
        out.add(buffers("lookup(byte[])", BpfCmd.MAP_LOOKUP_ELEM, b2,
                () -> m.lookup((byte[]) b2[0], (byte[]) b2[1]),
                () -> new MapElemAttr().set(fd, key(1), filled(8), 0)));
        out.add(buffers("lookupLong", BpfCmd.MAP_LOOKUP_ELEM, new Object[0], () -> m.lookupLong(1, -1),
                () -> new MapElemAttr().set(fd, key(1), filled(8), 0)));

        Object[] b3 = {key(1), filled(8)};
        out.add(buffers("update(ByteBuffer)", BpfCmd.MAP_UPDATE_ELEM, b3,
                () -> m.update((ByteBuffer) b3[0], (ByteBuffer) b3[1], UpdateFlag.ANY),
                () -> new MapElemAttr().set(fd, key(1), filled(8), 0)));
        Object[] b4 = {keyBytes(1), filledBytes(8)};
        out.add(buffers("update(byte[])", BpfCmd.MAP_UPDATE_ELEM, b4,
                () -> m.update((byte[]) b4[0], (byte[]) b4[1], UpdateFlag.ANY),
                () -> new MapElemAttr().set(fd, key(1), filled(8), 0)));
        out.add(buffers("updateLong", BpfCmd.MAP_UPDATE_ELEM, new Object[0],
                () -> m.updateLong(1, 0x5a5a5a5a5a5a5a5aL, UpdateFlag.ANY),
                () -> new MapElemAttr().set(fd, key(1), filled(8), 0)));

        Object[] b5 = {key(1)};
        out.add(buffers("delete(ByteBuffer)", BpfCmd.MAP_DELETE_ELEM, b5, () -> m.delete((ByteBuffer) b5[0]),
                () -> new MapElemAttr().set(fd, key(1), null, 0)));
        Object[] b6 = {keyBytes(1)};
        out.add(buffers("delete(byte[])", BpfCmd.MAP_DELETE_ELEM, b6, () -> m.delete((byte[]) b6[0]),
                () -> new MapElemAttr().set(fd, key(1), null, 0)));

        Object[] b7 = {key(1), filled(4)};
        out.add(buffers("nextKey(ByteBuffer)", BpfCmd.MAP_GET_NEXT_KEY, b7,
                () -> m.nextKey((ByteBuffer) b7[0], (ByteBuffer) b7[1]), () -> nextKeyAttr(fd, key(1))));
        Object[] b8 = {keyBytes(1), filledBytes(4)};
        out.add(buffers("nextKey(byte[])", BpfCmd.MAP_GET_NEXT_KEY, b8,
                () -> m.nextKey((byte[]) b8[0], (byte[]) b8[1]), () -> nextKeyAttr(fd, key(1))));
        Object[] b9 = {filledBytes(4)};
        out.add(buffers("nextKey(null)", BpfCmd.MAP_GET_NEXT_KEY, b9, () -> m.nextKey(null, (byte[]) b9[0]),
                () -> nextKeyAttr(fd, null)));

        Object[] b10 = {key(1), filled(8)};
        out.add(buffers("lookupAndDelete(ByteBuffer)", BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, b10,
                () -> m.lookupAndDelete((ByteBuffer) b10[0], (ByteBuffer) b10[1]),
                () -> new MapElemAttr().set(fd, key(1), filled(8), 0)));
        Object[] b11 = {keyBytes(1), filledBytes(8)};
        out.add(buffers("lookupAndDelete(byte[])", BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, b11,
                () -> m.lookupAndDelete((byte[]) b11[0], (byte[]) b11[1]),
                () -> new MapElemAttr().set(fd, key(1), filled(8), 0)));

        Object[] b12 = {filled(4), filled(8)};
        out.add(buffers("iterator", BpfCmd.MAP_LOOKUP_BATCH, b12,
                () -> m.iterator().next((ByteBuffer) b12[0], (ByteBuffer) b12[1]),
                () -> walkAttr(fd)));
        Object[] b13 = {filled(4 * 8), filled(8 * 8)};
        out.add(buffers("lookupBatch", BpfCmd.MAP_LOOKUP_BATCH, b13,
                () -> m.lookupBatch(new BatchCursor(), (ByteBuffer) b13[0], (ByteBuffer) b13[1], 8),
                () -> walkAttr(fd)));
        Object[] b14 = {filled(4 * 8), filled(8 * 8)};
        out.add(buffers("lookupAndDeleteBatch", BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH, b14,
                () -> m.lookupAndDeleteBatch(new BatchCursor(), (ByteBuffer) b14[0], (ByteBuffer) b14[1], 8),
                () -> walkAttr(fd)));
        Object[] b15 = {keys(1, 2), filled(16)};
        out.add(buffers("updateBatch", BpfCmd.MAP_UPDATE_BATCH, b15,
                () -> m.updateBatch((ByteBuffer) b15[0], (ByteBuffer) b15[1], 2),
                () -> batchAttr(fd, keys(1, 2), filled(16), 2)));
        Object[] b16 = {keys(1, 2)};
        out.add(buffers("deleteBatch", BpfCmd.MAP_DELETE_BATCH, b16, () -> m.deleteBatch((ByteBuffer) b16[0], 2),
                () -> batchAttr(fd, keys(1, 2), null, 2)));
        return out;
    }

    private static Case buffers(String name, BpfCmd cmd, Object[] typedBuffers, Executable typed,
            Supplier<BpfAttr> attr) {
        return new Case(name, cmd, typed, attr, typedBuffers);
    }

    @Test
    void aThrowingProviderIsEfaultWithTheSameMessageOnBothFacesForEveryCommand() {
        FaultyProvider p = new FaultyProvider(MapType.HASH, ALL);
        runtime.addProvider(p);
        try (BpfMap m = BpfMap.create(bpf, MapSpec.of(MapType.HASH, 4, 8, 8).withName("faulty"))) {
            m.updateLong(1, 11, UpdateFlag.ANY);
            m.updateLong(2, 22, UpdateFlag.ANY);
            Map<Integer, Long> before = p.contents();
            assertEquals(Map.of(1, 11L, 2, 22L), before);
            List<Throwable> faults = List.of(new IllegalStateException("index 100% out of its mind"),
                    new NoClassDefFoundError("org/example/gone/Storage"));
            int checked = 0;
            for (Throwable fault : faults) {
                for (Case c : cases(m)) {
                    p.fault = fault;
                    BpfException e = assertThrows(BpfException.class, c.typed(),
                            c.name() + ": the provider's " + fault + " must not escape the typed face");
                    BpfAttr a = c.attr().get();
                    Object[] bpfBuffers = buffersOf(a);
                    int r = bpf.bpf(c.cmd(), a);
                    p.fault = null;

                    String why = a.errorMessage();
                    assertEquals(Errno.EFAULT.ret(), r, c.name() + " through bpf(): " + why);
                    assertEquals(Errno.EFAULT, e.errno(), c.name() + ": " + e.getMessage());
                    assertTrue(e.getMessage().endsWith(": " + why), c.name() + ": typed '" + e.getMessage()
                            + "' / bpf() '" + why + "'");
                    for (String part : List.of(fault.toString(), FaultyProvider.class.getName(), "'faulty'",
                            "id " + m.id(), c.cmd().name(), "map type hash")) {
                        assertTrue(why.contains(part), c.name() + ": '" + why + "' names " + part);
                    }
                    assertUnchanged(c.name() + " typed", c.typedBuffers());
                    assertUnchanged(c.name() + " bpf()", bpfBuffers);
                    assertEquals(before, p.contents(), c.name() + ": the map is as it was");
                    checked++;
                }
            }
            assertEquals(2 * 18, checked);
            assertEquals(22, m.lookupLong(2, -1), "the map serves again once the provider does");
        }
    }

    @Test
    void aThrowingWhyKeepsTheOpsErrnoOnBothFaces() {
        FaultyProvider p = new FaultyProvider(MapType.HASH, ALL);
        runtime.addProvider(p);
        try (BpfMap m = BpfMap.create(bpf, MapSpec.of(MapType.HASH, 4, 8, 8))) {
            p.whyFault = new IllegalStateException("no reason");
            BpfException e = assertThrows(BpfException.class, () -> m.updateLong(9, 1, UpdateFlag.ANY));
            MapElemAttr a = new MapElemAttr().set(m.fd(), key(9), filled(8), 0);
            assertEquals(Errno.E2BIG.ret(), bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a));
            assertEquals(Errno.E2BIG, e.errno());
            assertTrue(e.getMessage().endsWith(": " + a.errorMessage()), e.getMessage() + " / " + a.errorMessage());
        }
    }

    /**
     * Where the kernel calls the op, ENOTSUPP (the type lacks the command) comes before ENODEV (the
     * map is detached), for every command, on both faces: a type without a command answers
     * ENOTSUPP whether or not a provider serves the map.
     */
    @Test
    void enotsuppComesBeforeEnodevForEveryCommandOnBothFaces() {
        FaultyProvider full = new FaultyProvider(MapType.HASH, ALL);
        FaultyProvider bare = new FaultyProvider(MapType.ARRAY);
        runtime.addProvider(full);
        runtime.addProvider(bare);
        try (BpfMap served = BpfMap.create(bpf, MapSpec.of(MapType.HASH, 4, 8, 8).withName("served"));
                BpfMap lacking = BpfMap.create(bpf, MapSpec.of(MapType.ARRAY, 4, 8, 8).withName("lacking"))) {
            served.updateLong(1, 11, UpdateFlag.ANY);
            assertEveryCommand(lacking, Errno.ENOTSUPP, "attached, the type has no commands");

            runtime.removeProvider(full);
            runtime.removeProvider(bare);
            assertEveryCommand(lacking, Errno.ENOTSUPP, "detached, the type has no commands");
            assertEveryCommand(served, Errno.ENODEV, "detached, the type has every command");
        }
    }

    private void assertEveryCommand(BpfMap m, Errno expected, String state) {
        for (Case c : cases(m)) {
            BpfException e = assertThrows(BpfException.class, c.typed(), c.name() + ", " + state);
            // a walk over a map without LOOKUP_BATCH goes by get_next_key, as libbpf's does
            BpfCmd cmd = c.name().equals("iterator") && expected == Errno.ENOTSUPP ? BpfCmd.MAP_GET_NEXT_KEY : c.cmd();
            BpfAttr a = cmd == c.cmd() ? c.attr().get() : nextKeyAttr(m.fd(), null);
            int r = bpf.bpf(cmd, a);
            assertEquals(expected.ret(), r, c.name() + " through bpf(), " + state + ": " + a.errorMessage());
            assertEquals(expected, e.errno(), c.name() + ", " + state + ": " + e.getMessage());
            assertTrue(e.getMessage().endsWith(": " + a.errorMessage()), c.name() + ", " + state + ": typed '"
                    + e.getMessage() + "' / bpf() '" + a.errorMessage() + "'");
            if (expected == Errno.ENOTSUPP) {
                assertTrue(a.errorMessage().contains(cmd.name()), a.errorMessage());
            }
        }
    }

    /**
     * The states the typed face's cache says no to (a read-only or write-only fd, a frozen map, an
     * fd closed under the handle), the ops' own failures and bad flags: every command answers on
     * both faces alike, succeeding on both or failing with the same errno and message.
     */
    @Test
    void everyStateTheCacheRefusesAnswersAsBpfDoes() {
        FaultyProvider p = new FaultyProvider(MapType.HASH, ALL);
        runtime.addProvider(p);
        try (BpfMap m = BpfMap.create(bpf, MapSpec.of(MapType.HASH, 4, 8, 8).withName("states"));
                BpfMap ro = BpfMap.fromId(bpf, m.id(), org.bpfmaps.core.api.BpfFlags.F_RDONLY);
                BpfMap wo = BpfMap.fromId(bpf, m.id(), org.bpfmaps.core.api.BpfFlags.F_WRONLY)) {
            m.updateLong(1, 11, UpdateFlag.ANY);
            assertEquals(10, assertSameOnBothFaces(ro, "read-only fd"), "the writes fail");
            assertEquals(11, assertSameOnBothFaces(wo, "write-only fd"), "the reads fail");
            m.updateLong(1, 11, UpdateFlag.ANY);

            ElemPathCheck.ops(m, Errno.E2BIG, () -> m.updateLong(9, 1, UpdateFlag.ANY), BpfCmd.MAP_UPDATE_ELEM,
                    new MapElemAttr().set(m.fd(), key(9), filled(8), 0), bpf);
            ElemPathCheck.ops(m, Errno.EEXIST, () -> m.update(key(1), filled(8), UpdateFlag.NOEXIST),
                    BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(m.fd(), key(1), filled(8), 1), bpf);
            ElemPathCheck.ops(m, Errno.ENOENT, () -> m.updateLong(5, 1, UpdateFlag.EXIST), BpfCmd.MAP_UPDATE_ELEM,
                    new MapElemAttr().set(m.fd(), key(5), filled(8), 2), bpf);
            org.bpfmaps.core.api.ElemPath path = bpf.elemPath(m.fd());
            ElemPathCheck.ops(m, Errno.EINVAL, () -> path.update(key(1), filled(8), 7), BpfCmd.MAP_UPDATE_ELEM,
                    new MapElemAttr().set(m.fd(), key(1), filled(8), 7), bpf);
            ElemPathCheck.ops(m, Errno.EINVAL, () -> path.updateLong(1, 1, -1), BpfCmd.MAP_UPDATE_ELEM,
                    new MapElemAttr().set(m.fd(), key(1), filled(8), -1), bpf);

            m.freeze();
            assertEquals(10, assertSameOnBothFaces(m, "frozen map"), "the writes fail");
            BpfMap closedUnder = BpfMap.fromId(bpf, m.id());
            assertEquals(0, bpf.close(closedUnder.fd()));
            assertEquals(18, assertSameOnBothFaces(closedUnder, "fd closed under the handle"));
        }
    }

    /** Runs every case on both faces; returns how many failed (alike). */
    private int assertSameOnBothFaces(BpfMap m, String state) {
        int failed = 0;
        for (Case c : cases(m)) {
            BpfException e = null;
            try {
                c.typed().execute();
            } catch (BpfException x) {
                e = x;
            } catch (Throwable t) {
                throw new AssertionError(c.name() + ", " + state + ": " + t, t);
            }
            BpfAttr a = c.attr().get();
            int r = bpf.bpf(c.cmd(), a);
            if (e == null) {
                assertTrue(r == 0 || r == Errno.ENOENT.ret(), c.name() + ", " + state + ": typed succeeded, bpf() "
                        + a.errorMessage());
                continue;
            }
            failed++;
            assertEquals(Errno.of(r), e.errno(), c.name() + ", " + state + ": " + e.getMessage() + " / bpf() "
                    + a.errorMessage());
            assertTrue(e.getMessage().endsWith(": " + a.errorMessage()), c.name() + ", " + state + ": typed '"
                    + e.getMessage() + "' / bpf() '" + a.errorMessage() + "'");
        }
        return failed;
    }

    /** One failure on both faces. */
    private static final class ElemPathCheck {
        static void ops(BpfMap m, Errno expected, Executable typed, BpfCmd cmd, BpfAttr a, BpfInstance bpf) {
            BpfException e = assertThrows(BpfException.class, typed);
            assertEquals(expected.ret(), bpf.bpf(cmd, a), a.errorMessage());
            assertEquals(expected, e.errno(), e.getMessage());
            assertTrue(e.getMessage().endsWith(": " + a.errorMessage()), e.getMessage() + " / bpf() " + a.errorMessage());
        }
    }

    /**
     * map_get_next_key copies next_key out after the op (measured on 6.18 with bpf(2): an ARRAY's
     * last key with a NULL next_key is ENOENT, another key EFAULT), as lookup copies its value.
     */
    @Test
    void getNextKeyChecksNextKeyAfterTheOpAsTheKernelDoes() {
        runtime.addProvider(new FaultyProvider(MapType.HASH, ALL));
        try (BpfMap m = BpfMap.create(bpf, MapSpec.of(MapType.HASH, 4, 8, 8))) {
            m.updateLong(1, 11, UpdateFlag.ANY);
            m.updateLong(2, 22, UpdateFlag.ANY);
            MapElemAttr a = new MapElemAttr().set(m.fd(), key(2), null, 0);
            assertEquals(Errno.ENOENT.ret(), bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, a), "the walk's end, whatever next_key");
            assertEquals(false, m.nextKey(key(2), null));
            a = new MapElemAttr().set(m.fd(), key(1), null, 0);
            assertEquals(Errno.EFAULT.ret(), bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, a));
            assertTrue(a.errorMessage().contains("next_key"), a.errorMessage());
            ByteBuffer readOnly = filled(4).asReadOnlyBuffer();
            ElemPathCheck.ops(m, Errno.EFAULT, () -> m.nextKey(key(1), readOnly), BpfCmd.MAP_GET_NEXT_KEY,
                    nextKey(m.fd(), key(1), readOnly), bpf);
        }
    }

    /** The typed face's cache follows the traits of the provider a map is re-attached to. */
    @Test
    void aReattachedMapTakesTheNewProvidersCommandsOnTheTypedFace() {
        FaultyProvider noDelete = new FaultyProvider(MapType.HASH, BpfCmd.MAP_LOOKUP_ELEM, BpfCmd.MAP_UPDATE_ELEM,
                BpfCmd.MAP_GET_NEXT_KEY);
        runtime.addProvider(noDelete);
        try (BpfMap m = BpfMap.create(bpf, MapSpec.of(MapType.HASH, 4, 8, 8))) {
            m.updateLong(3, 33, UpdateFlag.ANY);
            assertEquals(Errno.ENOTSUPP, assertThrows(BpfException.class, () -> m.delete(key(3))).errno());
            runtime.removeProvider(noDelete);
            FaultyProvider withDelete = new FaultyProvider(MapType.HASH, ALL);
            runtime.addProvider(withDelete);
            assertEquals(33, m.lookupLong(3, -1), "re-attached with its elements");
            assertTrue(m.delete(key(3)), "the new provider's type has deletes");
            assertEquals(-1, m.lookupLong(3, -1));
        }
    }

    // ---- buffers ----

    private static ByteBuffer key(int k) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, k);
    }

    private static ByteBuffer keys(int... ks) {
        ByteBuffer b = ByteBuffer.allocate(4 * ks.length).order(ByteOrder.nativeOrder());
        for (int i = 0; i < ks.length; i++) {
            b.putInt(4 * i, ks[i]);
        }
        return b;
    }

    private static byte[] keyBytes(int k) {
        byte[] out = new byte[4];
        key(k).get(0, out);
        return out;
    }

    private static ByteBuffer filled(int n) {
        return ByteBuffer.wrap(filledBytes(n)).order(ByteOrder.nativeOrder());
    }

    private static byte[] filledBytes(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, FILL);
        return b;
    }

    private static MapElemAttr nextKeyAttr(int fd, ByteBuffer key) {
        MapElemAttr a = new MapElemAttr().set(fd, key, null, 0);
        a.nextKey = filled(4);
        return a;
    }

    private static MapElemAttr nextKey(int fd, ByteBuffer key, ByteBuffer next) {
        MapElemAttr a = new MapElemAttr().set(fd, key, null, 0);
        a.nextKey = next;
        return a;
    }

    private static MapBatchAttr batchAttr(int fd, ByteBuffer keys, ByteBuffer values, int count) {
        MapBatchAttr a = new MapBatchAttr(fd);
        a.keys = keys;
        a.values = values;
        a.count = count;
        return a;
    }

    /** A lookup batch from the start, as a {@link BatchCursor} sets it up. */
    private static MapBatchAttr walkAttr(int fd) {
        MapBatchAttr a = batchAttr(fd, filled(4 * 8), filled(8 * 8), 8);
        a.outBatch = filled(4);
        return a;
    }

    /** The caller's buffers of an attr, as copies to compare with after the call. */
    private static Object[] buffersOf(BpfAttr a) {
        if (a instanceof MapElemAttr e) {
            return new Object[] {e.key, e.value, e.nextKey};
        }
        MapBatchAttr b = (MapBatchAttr) a;
        return new Object[] {b.keys, b.values};
    }

    /**
     * Each buffer as it was made: a ByteBuffer at position 0 and limit capacity, with the bytes a
     * key or a fill gave it; a byte[] likewise. Keys are compared with the key they were made from.
     */
    private static void assertUnchanged(String what, Object[] buffers) {
        for (Object o : buffers) {
            if (o instanceof ByteBuffer b) {
                assertEquals(0, b.position(), what + ": position");
                assertEquals(b.capacity(), b.limit(), what + ": limit");
                byte[] now = new byte[b.capacity()];
                b.get(0, now);
                assertTrue(isFill(now) || isKeys(now), what + ": contents " + Arrays.toString(now));
            } else if (o instanceof byte[] a) {
                assertTrue(isFill(a) || Arrays.equals(a, keyBytes(1)), what + ": contents " + Arrays.toString(a));
            }
        }
    }

    private static boolean isFill(byte[] b) {
        for (byte x : b) {
            if (x != FILL) {
                return false;
            }
        }
        return true;
    }

    /** The keys the cases use: 1, or 1 and 2. */
    private static boolean isKeys(byte[] b) {
        return Arrays.equals(b, keyBytes(1)) || Arrays.equals(b, keys(1, 2).array());
    }

    @Test
    void theBuffersCheckSeesAChange() {
        ByteBuffer v = filled(8);
        v.put(3, (byte) 0);
        assertThrows(org.opentest4j.AssertionFailedError.class, () -> assertUnchanged("v", new Object[] {v}));
        byte[] k = keyBytes(1);
        assertUnchanged("k", new Object[] {k});
        k[0] = 9;
        assertThrows(org.opentest4j.AssertionFailedError.class, () -> assertUnchanged("k", new Object[] {k}));
    }
}
