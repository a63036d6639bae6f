package org.bpfmaps.core.spi;

/**
 * The CPU the calling thread stands for: the one source of "the current CPU" (the kernel's
 * {@code smp_processor_id()}) for every per-CPU helper and every per-CPU LRU list.
 *
 * <p>A program run (or, later, an RX queue) binds the CPU it runs on with {@link #bind} for the
 * length of the run; a thread that bound nothing stands for CPU {@code thread id % possible CPUs},
 * always the same one, which is what a program pinned to a CPU sees in the kernel. Providers read
 * it with {@link #get} and the map's {@link MapDef#possibleCpus()}.
 */
public final class CurrentCpu {
    /** The bound CPU of each thread, -1 for none: one holder per thread, so a lookup allocates nothing. */
    private static final ThreadLocal<int[]> BOUND = ThreadLocal.withInitial(() -> new int[] {-1});

    private CurrentCpu() {
    }

    /**
     * The current CPU of the calling thread for a map of {@code possibleCpus} CPUs: the bound one
     * (folded into the range when bound by a run of an instance with more CPUs), else the thread's
     * id modulo the CPUs.
     */
    public static int get(int possibleCpus) {
        if (possibleCpus <= 0) {
            throw new IllegalArgumentException("possibleCpus " + possibleCpus + ": an instance has at least 1 CPU");
        }
        int cpu = BOUND.get()[0];
        if (cpu < 0) {
            return (int) (Thread.currentThread().getId() % possibleCpus);
        }
        return cpu < possibleCpus ? cpu : cpu % possibleCpus;
    }

    /**
     * Makes the calling thread stand for {@code cpu} until the returned scope is closed, which
     * restores what was bound before (scopes nest). Close it on the thread that bound it.
     *
     * @throws IllegalArgumentException when cpu is negative
     */
    public static Scope bind(int cpu) {
        if (cpu < 0) {
            throw new IllegalArgumentException("cpu " + cpu + ": CPUs are numbered from 0");
        }
        int[] holder = BOUND.get();
        Scope s = new Scope(holder, holder[0]);
        holder[0] = cpu;
        return s;
    }

    /**
     * Makes the calling thread stand for {@code cpu} until {@link #exit} with the returned value,
     * which restores what was bound before: {@link #bind} without the scope object, for the data
     * path's per-frame runs, which must not allocate even before the JIT has compiled them.
     *
     * @return what to give {@link #exit}
     * @throws IllegalArgumentException when cpu is negative
     * @since 2.6
     */
    public static int enter(int cpu) {
        if (cpu < 0) {
            throw new IllegalArgumentException("cpu " + cpu + ": CPUs are numbered from 0");
        }
        int[] holder = BOUND.get();
        int previous = holder[0];
        holder[0] = cpu;
        return previous;
    }

    /** Ends an {@link #enter} on the thread that entered: restores {@code previous}, what it returned. */
    public static void exit(int previous) {
        BOUND.get()[0] = previous;
    }

    /** A binding of the current CPU; closing it restores the previous one. */
    public static final class Scope implements AutoCloseable {
        private final int[] holder;
        private final int previous;

        private Scope(int[] holder, int previous) {
            this.holder = holder;
            this.previous = previous;
        }

        @Override
        public void close() {
            holder[0] = previous;
        }
    }
}
