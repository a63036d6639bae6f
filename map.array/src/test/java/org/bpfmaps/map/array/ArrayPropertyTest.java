package org.bpfmaps.map.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import org.bpfmaps.core.api.BpfAttr;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.UpdateFlag;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.GetIdAttr;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapBatchAttr;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ObjAttr;
import org.junit.jupiter.api.Test;

/**
 * Random commands, attrs, fds, flags and buffer sizes thrown at both faces (the dispatcher and the
 * typed {@link BpfMap}): every call returns the errno a reference model of the kernel's ARRAY
 * semantics (semantics.md §1.1) predicts, never throws anything else, and changes only the map it
 * names, only as the model says. Each command is derived from one random long, so
 * QuickTheories shrinks a failure to a short sequence of small seeds.
 */
class ArrayPropertyTest {
    /** Three maps of different shapes; the model holds each one's bytes. */
    private static final MapType[] TYPES = {MapType.ARRAY, MapType.ARRAY, MapType.PERCPU_ARRAY};
    private static final int[] VALUE_SIZES = {8, 3, 4};
    private static final int[] MAX = {5, 4, 3};
    /** MMAPABLE keeps the first array off-heap; the second lives in a long[]: both layouts are modelled. */
    private static final int[] FLAGS = {BpfFlags.F_MMAPABLE, 0, 0};
    private static final int CPUS = 2;

    @Test
    void commandsChangeOnlyWhatTheModelSays() {
        qt().withFixedSeed(QtSeed.pick("ArrayPropertyTest")).withExamples(300)
                .forAll(lists().of(longs().all()).ofSizeBetween(1, 40)).checkAssert(this::replay);
    }

    private static int bufSize(int m) {
        return TYPES[m] == MapType.PERCPU_ARRAY ? ((VALUE_SIZES[m] + 7) & ~7) * CPUS : VALUE_SIZES[m];
    }

    private void replay(List<Long> seeds) {
        try (ArrayFixture f = new ArrayFixture(CPUS)) {
            int[] fds = new int[3];
            byte[][][] model = new byte[3][][];
            boolean[] frozen = new boolean[3];
            for (int m = 0; m < 3; m++) {
                fds[m] = f.create(TYPES[m], VALUE_SIZES[m], MAX[m], FLAGS[m]);
                model[m] = new byte[MAX[m]][bufSize(m)];
            }
            // the typed face on the same maps: a second fd each, through MAP_GET_FD_BY_ID
            BpfMap[] handles = new BpfMap[3];
            for (int m = 0; m < 3; m++) {
                handles[m] = BpfMap.fromId(f.bpf, BpfMap.ofFd(f.bpf, fds[m]).id());
            }
            int closed = f.create(MapType.ARRAY, 8, 1, 0);
            f.bpf.close(closed);
            for (long seed : seeds) {
                SplittableRandom r = new SplittableRandom(seed);
                int pick = r.nextInt(6);
                final int m = pick < 3 ? pick : -1;
                int fd = pick < 3 ? fds[pick] : pick == 3 ? closed : pick == 4 ? 900 : -1;
                int expected;
                int got;
                switch (r.nextInt(9)) {
                    case 0: { // lookup
                        long flags = r.nextInt(4) == 0 ? 1L << r.nextInt(4) : 0;
                        ByteBuffer key = key(r);
                        int vs = m >= 0 ? bufSize(m) : 8;
                        ByteBuffer value = ByteBuffer.allocate(r.nextInt(5) == 0 ? vs - 1 : vs);
                        // one model for both faces: the typed face answers bad input as bpf() does
                        expected = (flags & ~BpfFlags.F_LOCK) != 0 ? -22 : m < 0 ? -9 : flags != 0 ? -22
                                : badKey(key) ? -14 : idx(key) >= MAX[m] ? -2 : value.capacity() < vs ? -14 : 0;
                        if (m >= 0 && flags == 0 && r.nextBoolean()) {
                            got = typed(() -> handles[m].lookup(key, value) ? 0 : Errno.ENOENT.ret());
                        } else {
                            got = f.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, key, value, flags));
                        }
                        if (got == 0) {
                            assertArrayEquals(model[m][(int) idx(key)], value.array());
                        }
                        break;
                    }
                    case 1:
                    case 2: { // update
                        long flags = r.nextInt(3) == 0 ? r.nextInt(9) : r.nextInt(3);
                        ByteBuffer key = key(r);
                        int vs = m >= 0 ? bufSize(m) : 8;
                        byte[] v = new byte[r.nextInt(6) == 0 ? vs - 1 : vs];
                        r.nextBytes(v);
                        expected = m < 0 ? -9 : frozen[m] ? -1 : (flags & BpfFlags.F_LOCK) != 0 ? -22
                                : badKey(key) ? -14 : v.length < vs ? -14 : flags > 2 ? -22
                                : idx(key) >= MAX[m] ? -7 : flags == BpfFlags.NOEXIST ? -17 : 0;
                        if (m >= 0 && flags <= 2 && r.nextBoolean()) {
                            UpdateFlag uf = UpdateFlag.values()[(int) flags];
                            got = typed(() -> {
                                handles[m].update(key, ByteBuffer.wrap(v), uf);
                                return 0;
                            });
                        } else {
                            got = f.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM,
                                    new MapElemAttr().set(fd, key, ByteBuffer.wrap(v), flags));
                        }
                        if (expected == 0) {
                            model[m][(int) idx(key)] = storedValue(m, v);
                        }
                        break;
                    }
                    case 3: { // delete: never allowed on an array
                        ByteBuffer key = key(r);
                        got = f.bpf.bpf(BpfCmd.MAP_DELETE_ELEM, new MapElemAttr().set(fd, key, null, 0));
                        expected = m < 0 ? -9 : frozen[m] ? -1 : badKey(key) ? -14 : -22;
                        break;
                    }
                    case 4: { // freeze, rarely
                        if (r.nextInt(4) != 0) {
                            continue;
                        }
                        got = m >= 0 && r.nextBoolean() ? typed(() -> {
                            handles[m].freeze();
                            return 0;
                        }) : f.bpf.bpf(BpfCmd.MAP_FREEZE, new MapElemAttr(fd));
                        expected = m < 0 ? -9 : frozen[m] ? -1 : 0;
                        if (expected == 0) {
                            frozen[m] = true;
                        }
                        break;
                    }
                    case 5: { // update batch, stopping at the first bad key
                        int n = r.nextInt(5);
                        long elemFlags = r.nextInt(4) == 0 ? r.nextInt(3) : 0;
                        int vs = m >= 0 ? bufSize(m) : 8;
                        ByteBuffer keys = ByteBuffer.allocate(4 * n).order(ByteOrder.nativeOrder());
                        byte[] values = new byte[vs * n];
                        r.nextBytes(values);
                        for (int i = 0; i < n; i++) {
                            keys.putInt(4 * i, r.nextInt(7));
                        }
                        MapBatchAttr b = new MapBatchAttr(fd);
                        b.keys = keys;
                        b.values = ByteBuffer.wrap(values);
                        b.count = n;
                        b.elemFlags = elemFlags;
                        got = f.bpf.bpf(BpfCmd.MAP_UPDATE_BATCH, b);
                        expected = m < 0 ? -9 : frozen[m] ? -1 : elemFlags != 0 ? -22 : 0;
                        int done = expected == 0 ? 0 : n;
                        if (expected == 0) {
                            for (int i = 0; i < n; i++) {
                                int k = keys.getInt(4 * i);
                                if (k >= MAX[m]) {
                                    expected = -7;
                                    break;
                                }
                                byte[] v = new byte[vs];
                                System.arraycopy(values, i * vs, v, 0, vs);
                                model[m][k] = storedValue(m, v);
                                done++;
                            }
                        }
                        assertEquals(done, b.count, "batch count");
                        break;
                    }
                    case 6: { // get_next_key, either face: NULL or out of range is the first index
                        ByteBuffer key = r.nextInt(4) == 0 ? null : key(r);
                        ByteBuffer next = ByteBuffer.allocate(r.nextInt(5) == 0 ? 3 : 4).order(ByteOrder.nativeOrder());
                        long i = key == null ? -1 : idx(key);
                        // next_key is copied out after the op (syscall.c): the walk's end is ENOENT first
                        expected = m < 0 ? -9 : key != null && badKey(key) ? -14 : i == MAX[m] - 1 ? -2
                                : next.capacity() < 4 ? -14 : 0;
                        if (m >= 0 && r.nextBoolean()) {
                            got = typed(() -> handles[m].nextKey(key, next) ? 0 : Errno.ENOENT.ret());
                        } else {
                            MapElemAttr a = new MapElemAttr().set(fd, key, null, 0);
                            a.nextKey = next;
                            got = f.bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, a);
                        }
                        if (got == 0) {
                            assertEquals(i < 0 || i >= MAX[m] ? 0 : i + 1, next.getInt(0), "next key, seed " + seed);
                        }
                        break;
                    }
                    case 7: { // the primitive forms: an int key, a long value (per-CPU: one per CPU)
                        if (m < 0) {
                            continue;
                        }
                        int k = r.nextInt(7);
                        boolean write = r.nextBoolean();
                        UpdateFlag uf = UpdateFlag.values()[r.nextInt(3)];
                        long[] perCpu = {r.nextLong(), r.nextLong()};
                        long v = r.nextLong();
                        boolean pcpu = TYPES[m] == MapType.PERCPU_ARRAY;
                        expected = !write ? (k >= MAX[m] ? -2 : 0)
                                : frozen[m] ? -1 : k >= MAX[m] ? -7 : uf == UpdateFlag.NOEXIST ? -17 : 0;
                        if (write) {
                            got = typed(() -> {
                                if (pcpu) {
                                    handles[m].updatePerCpu(k, perCpu, uf);
                                } else {
                                    handles[m].updateLong(k, v, uf);
                                }
                                return 0;
                            });
                            if (expected == 0) {
                                byte[] stored = new byte[bufSize(m)];
                                for (int c = 0; c < (pcpu ? CPUS : 1); c++) {
                                    long w = pcpu ? perCpu[c] : v;
                                    for (int b = 0; b < VALUE_SIZES[m]; b++) {
                                        stored[c * 8 + b] = (byte) (w >>> (8 * b));
                                    }
                                }
                                model[m][k] = stored;
                            }
                        } else {
                            // an array has every index below max_entries: in range is found, beyond is absent
                            long[] out = new long[CPUS];
                            got = typed(() -> {
                                if (pcpu) {
                                    return handles[m].lookupPerCpu(k, out) ? 0 : -2;
                                }
                                out[0] = handles[m].lookupLong(k, v);
                                return k >= MAX[m] && out[0] == v ? -2 : 0;
                            });
                            for (int c = 0; got == 0 && c < (pcpu ? CPUS : 1); c++) {
                                assertEquals(number(model[m][k], c * 8, VALUE_SIZES[m]), out[c], "seed " + seed);
                            }
                        }
                        break;
                    }
                    default: { // garbage: any command number with any kind of attr
                        BpfAttr[] attrs = {new MapCreateAttr(), new MapElemAttr(fd), new MapBatchAttr(fd),
                            new ObjAttr("/sys/fs/bpf/x" + r.nextInt(3), fd), new GetIdAttr(r.nextInt(9)),
                            new InfoAttr(fd), null};
                        BpfAttr a = attrs[r.nextInt(attrs.length)];
                        int cmd = r.nextInt(45) - 2;
                        if (cmd == BpfCmd.MAP_CREATE.number() || cmd == BpfCmd.MAP_UPDATE_ELEM.number()
                                || cmd == BpfCmd.MAP_UPDATE_BATCH.number() || cmd == BpfCmd.MAP_FREEZE.number()) {
                            continue; // writes the model covers above
                        }
                        got = f.bpf.bpf(cmd, a);
                        expected = got; // any errno will do; the state check below is the property
                        if (got >= 3 && cmd != BpfCmd.OBJ_PIN.number()) {
                            f.bpf.close(got);
                        }
                        break;
                    }
                }
                assertEquals(Errno.nameOf(expected), Errno.nameOf(got), "seed " + seed);
                for (int k = 0; k < 3; k++) {
                    for (int i = 0; i < MAX[k]; i++) {
                        assertArrayEquals(model[k][i], f.lookup(fds[k], i, bufSize(k), null),
                                "map " + k + " key " + i + " after seed " + seed);
                    }
                }
            }
        }
    }

    /** Runs a typed-face call and turns its outcome into the syscall's return value. */
    private static int typed(java.util.function.IntSupplier call) {
        try {
            return call.getAsInt();
        } catch (BpfException e) {
            return e.errno().ret();
        }
    }

    /** A 4-byte key (index 0..6, beyond max for some maps), sometimes NULL or too short. */
    private static ByteBuffer key(SplittableRandom r) {
        int kind = r.nextInt(10);
        if (kind == 0) {
            return null;
        }
        ByteBuffer k = ByteBuffer.allocate(kind == 1 ? 3 : 4).order(ByteOrder.nativeOrder());
        return kind == 1 ? k : k.putInt(0, r.nextInt(7));
    }

    /** A NULL key, or one shorter than key_size: the kernel's copy_from_user fails (EFAULT). */
    private static boolean badKey(ByteBuffer key) {
        return key == null || key.capacity() < 4;
    }

    private static long idx(ByteBuffer key) {
        return key.capacity() < 4 ? -1 : Integer.toUnsignedLong(key.getInt(0));
    }

    /** The little-endian number in {@code len} bytes of {@code b} at {@code at}. */
    private static long number(byte[] b, int at, int len) {
        long n = 0;
        for (int i = 0; i < len; i++) {
            n |= (b[at + i] & 0xffL) << (8 * i);
        }
        return n;
    }

    /** What the map keeps of a written value: value_size bytes, or each CPU's whole padded slot. */
    private static byte[] storedValue(int m, byte[] v) {
        byte[] s = new byte[bufSize(m)];
        System.arraycopy(v, 0, s, 0, s.length);
        return s;
    }
}
