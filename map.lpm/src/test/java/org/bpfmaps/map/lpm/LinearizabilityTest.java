package org.bpfmaps.map.lpm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.MapDef;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck: update, delete, longest-prefix lookup and the first key of the walk, run from several
 * threads, must be explainable by some order of the same calls on a sequential model (a list of
 * prefixes searched whole, with max_entries and the update flags). The prefixes are chosen so
 * that they nest and branch: inserts make intermediate nodes, deletes remove them and promote
 * siblings, and three entries fill the trie (ENOSPC). The map is made straight from the provider,
 * outside the dispatcher, so that Lincheck sees only the data structure.
 */
class LinearizabilityTest {
    /** 1-byte data: {prefixlen, data}. 0/1 covers 0/2 and 64/2 (which branch), and 65/8 under 64/2. */
    static final int[][] PREFIXES = {{1, 0x00}, {2, 0x00}, {2, 0x40}, {1, 0x80}, {8, 0x41}, {0, 0x00}};
    /** Addresses looked up (/8). */
    static final int[] ADDRESSES = {0x00, 0x41, 0x7f, 0x80};
    static final int MAX_ENTRIES = 3;
    static final MapDef DEF = new MapDef(MapType.LPM_TRIE, 5, 8, MAX_ENTRIES, BpfFlags.F_NO_PREALLOC,
            BpfFlags.NUMA_NO_NODE, 0, "", 1, 8);

    static ByteBuffer key(int prefixlen, int data) {
        return ByteBuffer.allocate(5).order(ByteOrder.nativeOrder()).putInt(0, prefixlen).put(4, (byte) data);
    }

    /** The trie under test: answers as numbers, -errno for a failure. */
    @Param(name = "p", gen = IntGen.class, conf = "0:5")
    @Param(name = "v", gen = IntGen.class, conf = "1:3")
    @Param(name = "flags", gen = IntGen.class, conf = "0:2")
    @Param(name = "a", gen = IntGen.class, conf = "0:3")
    public static class Trie {
        private final LpmMapOps ops;

        public Trie() {
            ops = (LpmMapOps) new LpmProvider().alloc(DEF);
        }

        Trie(LpmMapOps ops) {
            this.ops = ops;
        }

        @Operation
        public int update(@Param(name = "p") int p, @Param(name = "v") int v, @Param(name = "flags") int flags) {
            ByteBuffer value = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, v);
            return ops.updateElem(key(PREFIXES[p][0], PREFIXES[p][1]), value, flags);
        }

        @Operation
        public int delete(@Param(name = "p") int p) {
            return ops.deleteElem(key(PREFIXES[p][0], PREFIXES[p][1]));
        }

        @Operation
        public long lookup(@Param(name = "a") int a) {
            ByteBuffer value = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            int r = ops.lookupElem(key(8, ADDRESSES[a]), value, 0);
            return r != 0 ? r : value.getLong(0);
        }

        /** The first key of the walk as prefixlen * 1000 + data, or -errno. */
        @Operation
        public int first() {
            ByteBuffer next = ByteBuffer.allocate(5).order(ByteOrder.nativeOrder());
            int r = ops.getNextKey(null, next);
            return r != 0 ? r : next.getInt(0) * 1000 + (next.get(4) & 0xff);
        }
    }

    /**
     * The same trie with a jump table from the first prefix: 2 bits, then 4 from the second, so
     * that lookups (of /8 keys) answer from the table while writers change its entries, and the
     * table is replaced by a larger one while threads run.
     */
    @Param(name = "p", gen = IntGen.class, conf = "0:5")
    @Param(name = "v", gen = IntGen.class, conf = "1:3")
    @Param(name = "flags", gen = IntGen.class, conf = "0:2")
    @Param(name = "a", gen = IntGen.class, conf = "0:3")
    public static class TableTrie extends Trie {
        public TableTrie() {
            super(new LpmMapOps(DEF, new int[] {2, 4}, new long[] {1, 2}));
        }
    }

    /** The sequential model. */
    public static class Model {
        private final List<long[]> stored = new ArrayList<>(); // {p, value}

        private long[] find(int p) {
            for (long[] s : stored) {
                if (s[0] == p) {
                    return s;
                }
            }
            return null;
        }

        public int update(int p, int v, int flags) {
            long[] s = find(p);
            if (s != null) {
                if (flags == BpfFlags.NOEXIST) {
                    return Errno.EEXIST.ret();
                }
                s[1] = v;
                return 0;
            }
            if (flags == BpfFlags.EXIST) {
                return Errno.ENOENT.ret();
            }
            if (stored.size() == MAX_ENTRIES) {
                return Errno.ENOSPC.ret();
            }
            stored.add(new long[] {p, v});
            return 0;
        }

        public int delete(int p) {
            return stored.remove(find(p)) ? 0 : Errno.ENOENT.ret();
        }

        private static boolean covers(int p, int address) {
            int bits = PREFIXES[p][0];
            int mask = (0xff00 >>> bits) & 0xff;
            return ((PREFIXES[p][1] ^ address) & mask) == 0;
        }

        public long lookup(int a) {
            long[] best = null;
            for (long[] s : stored) {
                int p = (int) s[0];
                if (covers(p, ADDRESSES[a]) && (best == null || PREFIXES[p][0] > PREFIXES[(int) best[0]][0])) {
                    best = s;
                }
            }
            return best == null ? Errno.ENOENT.ret() : best[1];
        }

        /** Postorder's first: a prefix before those covering it, the 0 branch before the 1 branch. */
        public int first() {
            Integer min = null;
            for (long[] s : stored) {
                int p = (int) s[0];
                if (min == null || before(p, min)) {
                    min = p;
                }
            }
            return min == null ? Errno.ENOENT.ret() : PREFIXES[min][0] * 1000 + PREFIXES[min][1];
        }

        private static boolean before(int x, int y) {
            int lx = PREFIXES[x][0];
            int ly = PREFIXES[y][0];
            int common = Math.min(lx, ly);
            int diff = (PREFIXES[x][1] ^ PREFIXES[y][1]) & ((0xff00 >>> common) & 0xff);
            if (diff == 0) {
                return lx > ly; // one covers the other: the more specific first
            }
            int bit = 7 - (31 - Integer.numberOfLeadingZeros(diff));
            return (PREFIXES[x][1] & (0x80 >>> bit)) == 0;
        }
    }

    /**
     * Lincheck's model checker does not follow accesses through byte-buffer view VarHandles, so the
     * key and value accessors are declared atomic: they touch only the caller's own buffers. Its
     * thread switches then fall at the trie's volatile links, where correctness is decided.
     */
    private static ModelCheckingOptions modelCheckingOptions() {
        return new ModelCheckingOptions()
                .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(LpmKey.class.getName(),
                        "org.bpfmaps.core.spi.Bytes").allMethods().treatAsAtomic())
                .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(LpmProvider.class.getName())
                        .allMethods().ignore())
                .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(name -> name.startsWith("java.nio."))
                        .allMethods().treatAsAtomic())
                .sequentialSpecification(Model.class);
    }

    /** Lincheck's stress mode: many random runs of the trie under test against the model. */
    private static void stress(Class<?> trie) {
        new StressOptions().sequentialSpecification(Model.class).threads(3).actorsPerThread(3)
                .actorsBefore(3).iterations(20).invocationsPerIteration(300).check(trie);
    }

    /** Lincheck's model checker: the interleavings of fewer operations, explored systematically. */
    private static void modelCheck(Class<?> trie) {
        modelCheckingOptions().threads(3).actorsPerThread(2).actorsBefore(3).actorsAfter(1)
                .iterations(30).invocationsPerIteration(30).check(trie);
    }

    @Test
    void stress() {
        stress(Trie.class);
    }

    @Test
    void modelChecking() {
        modelCheck(Trie.class);
    }

    @Test
    void stressWithTheJumpTable() {
        stress(TableTrie.class);
    }

    @Test
    void modelCheckingWithTheJumpTable() {
        modelCheck(TableTrie.class);
    }
}
