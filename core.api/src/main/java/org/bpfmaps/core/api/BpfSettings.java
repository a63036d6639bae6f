package org.bpfmaps.core.api;

import java.util.Locale;
import java.util.Map;

/**
 * The settings of one instance.
 *
 * @param possibleCpus the number of possible CPUs, which sizes per-CPU values
 *     ({@code round_up(value_size, 8) * possibleCpus} bytes)
 * @param memoryBudget bytes that all maps of the instance may take; a map that does not fit
 *     answers ENOMEM
 * @param numaNodes how many NUMA nodes exist (a {@code numa_node} at or above it is EINVAL)
 * @param maxFds the highest number of fds open at once (more is EMFILE, as RLIMIT_NOFILE)
 */
public record BpfSettings(int possibleCpus, long memoryBudget, int numaNodes, int maxFds) {

    /** Framework or configuration property: the number of possible CPUs. */
    public static final String POSSIBLE_CPUS = "bpfmaps.possible.cpus";
    /** Framework or configuration property: the memory budget, in bytes or with a k/m/g suffix. */
    public static final String MEMORY_BUDGET = "bpfmaps.memory.budget";

    public BpfSettings {
        if (possibleCpus < 1 || possibleCpus > 4096) {
            throw new IllegalArgumentException("possibleCpus " + possibleCpus + " is not in 1..4096");
        }
        if (memoryBudget < 0) {
            throw new IllegalArgumentException("memoryBudget " + memoryBudget + " is negative");
        }
        if (numaNodes < 1 || maxFds < 16) {
            throw new IllegalArgumentException("numaNodes must be >= 1 and maxFds >= 16");
        }
    }

    /**
     * The JVM's processor count as possible CPUs and three quarters of the JVM's maximum memory
     * (which is also the default limit of direct buffers) as the budget.
     */
    public static BpfSettings defaults() {
        return new BpfSettings(Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() / 4 * 3, 1, 1 << 20);
    }

    public BpfSettings withPossibleCpus(int cpus) {
        return new BpfSettings(cpus, memoryBudget, numaNodes, maxFds);
    }

    public BpfSettings withMemoryBudget(long bytes) {
        return new BpfSettings(possibleCpus, bytes, numaNodes, maxFds);
    }

    /**
     * The defaults overridden by {@link #POSSIBLE_CPUS} and {@link #MEMORY_BUDGET} where the
     * properties hold them (framework properties or a Config Admin configuration).
     *
     * @throws IllegalArgumentException naming the property whose value is not valid
     */
    public static BpfSettings from(Map<String, ?> props) {
        BpfSettings s = defaults();
        Object cpus = props.get(POSSIBLE_CPUS);
        if (cpus != null) {
            try {
                s = s.withPossibleCpus(Integer.parseInt(cpus.toString().trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(POSSIBLE_CPUS + "=" + cpus + " is not a number");
            }
        }
        Object budget = props.get(MEMORY_BUDGET);
        if (budget != null) {
            s = s.withMemoryBudget(parseBytes(MEMORY_BUDGET, budget.toString()));
        }
        return s;
    }

    static long parseBytes(String property, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g")) {
            unit = t.endsWith("k") ? 1L << 10 : t.endsWith("m") ? 1L << 20 : 1L << 30;
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(t), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(property + "=" + text + " is not a byte count (like 512m)");
        }
    }
}
