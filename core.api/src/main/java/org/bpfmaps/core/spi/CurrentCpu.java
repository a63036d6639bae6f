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
    /**
     * The bound CPU of each thread, -1 for none, and the thread's scopes by nesting depth: one
     * holder per thread, so that a lookup allocates nothing and a bind neither once the thread has
     * bound at that depth before (a program run on the data path binds once per message).
     */
    private static final ThreadLocal<Holder> BOUND = ThreadLocal.withInitial(Holder::new);

    private static final class Holder {
        int cpu = -1;
        int depth;
        Scope[] scopes = new Scope[2];
    }

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
        int cpu = BOUND.get().cpu;
        if (cpu < 0) {
            return (int) (Thread.currentThread().getId() % possibleCpus);
        }
        return cpu < possibleCpus ? cpu : cpu % possibleCpus;
    }

    /**
     * Makes the calling thread stand for {@code cpu} until the returned scope is closed, which
     * restores what was bound before (scopes nest). Close it on the thread that bound it, once,
     * before the scope it nests in (try-with-resources does): the thread reuses the scope object
     * of a depth for its next bind at that depth.
     *
     * @throws IllegalArgumentException when cpu is negative
     */
    public static Scope bind(int cpu) {
        if (cpu < 0) {
            throw new IllegalArgumentException("cpu " + cpu + ": CPUs are numbered from 0");
        }
        Holder h = BOUND.get();
        int d = h.depth;
        if (d == h.scopes.length) {
            h.scopes = java.util.Arrays.copyOf(h.scopes, d * 2);
        }
        Scope s = h.scopes[d];
        if (s == null) {
            s = h.scopes[d] = new Scope(h, d);
        }
        s.previous = h.cpu;
        h.cpu = cpu;
        h.depth = d + 1;
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
        Holder h = BOUND.get();
        int previous = h.cpu;
        h.cpu = cpu;
        return previous;
    }

    /** Ends an {@link #enter} on the thread that entered: restores {@code previous}, what it returned. */
    public static void exit(int previous) {
        BOUND.get().cpu = previous;
    }

    /** A binding of the current CPU; closing it restores the previous one. */
    public static final class Scope implements AutoCloseable {
        private final Holder holder;
        private final int depth;
        private int previous;

        private Scope(Holder holder, int depth) {
            this.holder = holder;
            this.depth = depth;
        }

        @Override
        public void close() {
            holder.cpu = previous;
            holder.depth = depth;
        }
    }
}
