package org.bpfmaps.map.hash;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.MapDef;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck: update, lookup, delete and lookup_and_delete on HASH and PERCPU_HASH maps, run from
 * several threads, must be explainable by some order of the same calls on a sequential model (a
 * java.util.HashMap with max_entries). Three keys in a map of two, so the E2BIG of a full map is
 * part of what is checked. The maps are made straight from the provider, outside the dispatcher,
 * so that Lincheck sees only the data structure. Both Lincheck modes: stress (real threads) and
 * model checking (systematic interleavings at the shared-memory accesses Lincheck can see).
 */
class LinearizabilityTest {
    /** A map of 2 entries with 4-byte keys and 8-byte values, as HashProvider makes it. */
    static HashMapOps map(MapType type) {
        int cpus = 2;
        // seed 0: the model checker replays executions, and they must take the same paths
        MapDef def = new MapDef(type, 4, 8, 2, BpfFlags.F_ZERO_SEED, BpfFlags.NUMA_NO_NODE, 0, "", cpus,
                HashProvider.perCpu(type) ? 8 * cpus : 8);
        return (HashMapOps) new HashProvider().alloc(def);
    }

    /** The map under test, for Lincheck: answers as numbers, -errno for a failure. */
    @Param(name = "key", gen = IntGen.class, conf = "1:3")
    @Param(name = "value", gen = IntGen.class, conf = "1:4")
    @Param(name = "flags", gen = IntGen.class, conf = "0:2")
    public static class Hash {
        private final HashMapOps ops;
        private final int cpus;

        public Hash() {
            this(MapType.HASH);
        }

        Hash(MapType type) {
            ops = map(type);
            cpus = HashProvider.perCpu(type) ? 2 : 1;
        }

        private static ByteBuffer key(int k) {
            return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, k);
        }

        /** CPU c's value is {@code v * 10 + c}: a per-CPU value read half old, half new shows. */
        private ByteBuffer value(int v) {
            ByteBuffer b = ByteBuffer.allocate(8 * cpus).order(ByteOrder.nativeOrder());
            for (int c = 0; c < cpus; c++) {
                b.putLong(8 * c, v * 10L + c);
            }
            return b;
        }

        /** The value read back, -errno, or -1000 for a per-CPU value whose CPUs disagree. */
        private long read(ByteBuffer b, int r) {
            if (r != 0) {
                return r;
            }
            long v = b.getLong(0);
            for (int c = 1; c < cpus; c++) {
                if (b.getLong(8 * c) != v + c) {
                    return -1000;
                }
            }
            return v / 10;
        }

        @Operation
        public int update(@Param(name = "key") int k, @Param(name = "value") int v, @Param(name = "flags") int flags) {
            return ops.updateElem(key(k), value(v), flags);
        }

        @Operation
        public long lookup(@Param(name = "key") int k) {
            ByteBuffer b = ByteBuffer.allocate(8 * cpus).order(ByteOrder.nativeOrder());
            return read(b, ops.lookupElem(key(k), b, 0));
        }

        @Operation
        public int delete(@Param(name = "key") int k) {
            return ops.deleteElem(key(k));
        }

        @Operation
        public long lookupAndDelete(@Param(name = "key") int k) {
            ByteBuffer b = ByteBuffer.allocate(8 * cpus).order(ByteOrder.nativeOrder());
            return read(b, ops.lookupAndDeleteElem(key(k), b, 0));
        }
    }

    /** The same operations on a PERCPU_HASH map. */
    public static class PercpuHash extends Hash {
        public PercpuHash() {
            super(MapType.PERCPU_HASH);
        }
    }

    /** The sequential model: what one thread at a time would see. */
    public static class Model {
        private static final int MAX_ENTRIES = 2;
        private final Map<Integer, Long> map = new HashMap<>();

        public int update(int k, int v, int flags) {
            boolean present = map.containsKey(k);
            if (present && flags == BpfFlags.NOEXIST) {
                return Errno.EEXIST.ret();
            }
            if (!present && flags == BpfFlags.EXIST) {
                return Errno.ENOENT.ret();
            }
            if (!present && map.size() == MAX_ENTRIES) {
                return Errno.E2BIG.ret();
            }
            map.put(k, (long) v);
            return 0;
        }

        public long lookup(int k) {
            Long v = map.get(k);
            return v == null ? Errno.ENOENT.ret() : v;
        }

        public int delete(int k) {
            return map.remove(k) == null ? Errno.ENOENT.ret() : 0;
        }

        public long lookupAndDelete(int k) {
            Long v = map.remove(k);
            return v == null ? Errno.ENOENT.ret() : v;
        }
    }

    /**
     * Lincheck's model checker does not follow accesses through byte-buffer view VarHandles, so
     * the methods that make them are declared atomic, which each of them is: one access to a word
     * (KeyBytes, the bucket words), or a copy between the caller's buffer and an element that
     * readers validate afterwards. Its thread switches then fall between those accesses, at the
     * points where the data structure's correctness is decided.
     */
    private static ModelCheckingOptions modelChecking() {
        return new ModelCheckingOptions()
                .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(KeyBytes.class.getName(),
                        ElemLayout.class.getName(), "org.bpfmaps.core.spi.Bytes").allMethods().treatAsAtomic())
                .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(Buckets.class.getName())
                        .methods("head", "headWord", "setHead", "homeUsed", "setHomeUsed", "readBegin", "readValid", "tryLock",
                                "unlock")
                        .treatAsAtomic())
                // making the map, and the test's own heap buffers for keys and values: no one else sees them
                .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(HashProvider.class.getName())
                        .allMethods().ignore())
                .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(name -> name.startsWith("java.nio."))
                        .allMethods().treatAsAtomic())
                .sequentialSpecification(Model.class);
    }

    /** Model checking of the races below, many interleavings each, then of random scenarios. */
    private static void modelCheck(Class<?> target) {
        ModelCheckingOptions races = modelChecking().iterations(0).invocationsPerIteration(150);
        for (ExecutionScenario sc : scenarios(target)) {
            races.addCustomScenario(sc);
        }
        races.check(target);
        modelChecking().threads(3).actorsPerThread(2).actorsBefore(2).actorsAfter(1)
                .iterations(20).invocationsPerIteration(20).check(target);
    }

    /**
     * The races random scenarios rarely build, each explored interleaving by interleaving. With
     * the seed 0 and 2 buckets, key 2 is in bucket 0 and keys 1 and 3 share bucket 1.
     */
    private static List<ExecutionScenario> scenarios(Class<?> target) {
        return List.of(
                // the last free element taken, not yet linked: "full" must not show before the key
                scenario(target, List.of(op("update", 1, 1, 0)),
                        List.of(List.of(op("update", 2, 2, 0)), List.of(op("update", 3, 3, 0), op("lookup", 2)))),
                // a full map and a delete: who saw the key gone must find its room
                scenario(target, List.of(op("update", 2, 2, 0), op("update", 1, 1, 0)),
                        List.of(List.of(op("delete", 2)), List.of(op("lookup", 2), op("update", 3, 3, 1)))),
                // a reader on an element that is deleted and reused for a key of the other bucket
                scenario(target, List.of(op("update", 1, 1, 0), op("update", 3, 3, 0)),
                        List.of(List.of(op("delete", 3), op("update", 2, 2, 0)), List.of(op("lookup", 1)))),
                // a chain of two changing under readers: unlink, relink, replace in place
                scenario(target, List.of(op("update", 1, 1, 0), op("update", 3, 3, 0)),
                        List.of(List.of(op("lookupAndDelete", 3), op("update", 3, 4, 1)),
                                List.of(op("lookup", 1), op("lookup", 3)),
                                List.of(op("update", 1, 2, 2), op("delete", 1)))));
    }

    private record Op(String name, Object[] args) {
    }

    private static Op op(String name, Object... args) {
        return new Op(name, args);
    }

    private static ExecutionScenario scenario(Class<?> target, List<Op> init, List<List<Op>> threads) {
        List<List<Actor>> parallel = new ArrayList<>();
        for (List<Op> t : threads) {
            parallel.add(actors(target, t));
        }
        return new ExecutionScenario(actors(target, init), parallel, List.of(), null);
    }

    private static List<Actor> actors(Class<?> target, List<Op> ops) {
        List<Actor> actors = new ArrayList<>();
        for (Op op : ops) {
            Method m = Arrays.stream(target.getMethods()).filter(x -> x.getName().equals(op.name)).findFirst()
                    .orElseThrow();
            actors.add(new Actor(m, Arrays.asList(op.args)));
        }
        return actors;
    }

    private static StressOptions stress() {
        return new StressOptions().sequentialSpecification(Model.class).threads(3).actorsPerThread(3)
                .iterations(15).invocationsPerIteration(300);
    }

    @Test
    void hashStress() {
        stress().check(Hash.class);
    }

    @Test
    void hashModelChecking() {
        modelCheck(Hash.class);
    }

    @Test
    void percpuHashStress() {
        stress().check(PercpuHash.class);
    }

    @Test
    void percpuHashModelChecking() {
        modelCheck(PercpuHash.class);
    }
}
