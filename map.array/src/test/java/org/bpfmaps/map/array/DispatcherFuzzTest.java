package org.bpfmaps.map.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.bpfmaps.core.api.BpfAttr;
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
 * Random bytes, sizes, flags and fds in every field of every attr, at every command number: each
 * call returns an fd, 0 or a kernel errno with a message, nothing throws, and every map the call
 * did not name keeps its contents.
 */
class DispatcherFuzzTest {
    private static final int MAPS = 3;

    @Test
    void randomAttrsNeverThrowAndLeaveOtherMapsAlone() {
        qt().withFixedSeed(QtSeed.pick("DispatcherFuzzTest")).withExamples(200)
                .forAll(lists().of(longs().all()).ofSizeBetween(1, 30)).checkAssert(this::replay);
    }

    private void replay(List<Long> seeds) {
        try (ArrayFixture f = new ArrayFixture(2)) {
            int[] fds = new int[MAPS];
            for (int m = 0; m < MAPS; m++) {
                fds[m] = f.create(m == 2 ? MapType.PERCPU_ARRAY : MapType.ARRAY, 4 + 4 * m, 4, 0);
            }
            for (long seed : seeds) {
                SplittableRandom r = new SplittableRandom(seed);
                int named = r.nextInt(MAPS + 2);
                int fd = named < MAPS ? fds[named] : r.nextInt(12) - 2;
                byte[][][] before = snapshot(f, fds);
                BpfAttr attr = randomAttr(r, fd);
                int cmd = r.nextInt(42) - 2;
                int ret = f.bpf.bpf(cmd, attr);
                if (ret < 0) {
                    assertNotNull(Errno.of(ret), "seed " + seed + ": " + ret + " is not a kernel errno");
                    if (attr != null) {
                        assertNotNull(attr.errorMessage(), "seed " + seed + ": a failure without a reason: command " + cmd
                                + " " + attr.getClass().getSimpleName() + " returned " + Errno.nameOf(ret));
                    }
                }
                byte[][][] after = snapshot(f, fds);
                for (int m = 0; m < MAPS; m++) {
                    if (m != named) {
                        for (int k = 0; k < 4; k++) {
                            assertArrayEquals(before[m][k], after[m][k],
                                    "seed " + seed + ": map " + m + " changed by a call naming fd " + fd);
                        }
                    }
                }
                if (ret >= 3 && ret != fds[0] && ret != fds[1] && ret != fds[2]) {
                    f.bpf.close(ret); // a map or fd the call made: keep the fd table small
                }
            }
        }
    }

    private static byte[][][] snapshot(ArrayFixture f, int[] fds) {
        byte[][][] s = new byte[MAPS][4][];
        for (int m = 0; m < MAPS; m++) {
            int size = m == 2 ? 16 * f.cpus : 4 + 4 * m;
            for (int k = 0; k < 4; k++) {
                s[m][k] = f.lookup(fds[m], k, size, null);
                assertTrue(s[m][k] != null);
            }
        }
        return s;
    }

    private static BpfAttr randomAttr(SplittableRandom r, int fd) {
        switch (r.nextInt(7)) {
            case 0: {
                MapCreateAttr a = new MapCreateAttr();
                a.mapType = r.nextInt(40) - 2;
                a.keySize = r.nextInt(10) - 1;
                a.valueSize = r.nextInt(3) == 0 ? r.nextInt() : r.nextInt(40);
                a.maxEntries = r.nextInt(3) == 0 ? r.nextInt() : r.nextInt(8);
                a.mapFlags = r.nextInt(3) == 0 ? r.nextInt() : 1 << r.nextInt(20);
                a.numaNode = r.nextInt(4) - 1;
                a.mapName = r.nextBoolean() ? null : "n" + r.nextInt(100);
                a.mapExtra = r.nextInt(4) == 0 ? r.nextLong() : 0;
                return a;
            }
            case 1:
            case 2: {
                MapElemAttr a = new MapElemAttr(fd);
                a.key = buf(r);
                a.value = buf(r);
                a.nextKey = buf(r);
                a.flags = r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(10);
                return a;
            }
            case 3: {
                MapBatchAttr a = new MapBatchAttr(fd);
                a.keys = buf(r);
                a.values = buf(r);
                a.inBatch = buf(r);
                a.outBatch = buf(r);
                a.count = r.nextInt(3) == 0 ? r.nextInt() : r.nextInt(6);
                a.elemFlags = r.nextInt(3);
                a.flags = r.nextInt(3);
                return a;
            }
            case 4: {
                ObjAttr a = new ObjAttr(r.nextInt(5) == 0 ? null : "/sys/fs/bpf/" + "ab.c/".substring(r.nextInt(5)), fd);
                a.fileFlags = r.nextInt(3) == 0 ? r.nextInt() : 8 * r.nextInt(3);
                return a;
            }
            case 5: {
                GetIdAttr a = new GetIdAttr(r.nextInt(3) == 0 ? r.nextInt() : r.nextInt(6));
                a.openFlags = r.nextInt(3) == 0 ? r.nextInt() : 8 * r.nextInt(3);
                return a;
            }
            default: {
                InfoAttr a = new InfoAttr(fd);
                a.infoLen = r.nextInt(3) == 0 ? r.nextInt() : r.nextInt(130);
                a.info = buf(r);
                return r.nextInt(20) == 0 ? null : a;
            }
        }
    }

    /** NULL, a read-only buffer, or random bytes of a random size at a random position. */
    private static ByteBuffer buf(SplittableRandom r) {
        int kind = r.nextInt(8);
        if (kind == 0) {
            return null;
        }
        byte[] b = new byte[r.nextInt(40)];
        r.nextBytes(b);
        ByteBuffer bb = ByteBuffer.wrap(b);
        if (b.length > 0 && kind == 1) {
            bb.position(r.nextInt(b.length));
        }
        return kind == 2 ? bb.asReadOnlyBuffer() : bb;
    }
}
