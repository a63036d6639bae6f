package org.bpfmaps.core.api;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

/**
 * The settings of one instance.
 *
 * <p>Maps take memory of two kinds, which the JVM runs out of separately: the heap (Java objects:
 * nodes, element buffers, on-heap storage, and each map's bookkeeping) and direct memory
 * (off-heap buffers, bounded by {@code -XX:MaxDirectMemorySize}). Each has its budget; a map is
 * charged what it really takes of each ({@code MapProvider.footprint} plus the core's per-map
 * bookkeeping) and answers ENOMEM when either does not fit, as the kernel answers ENOMEM past
 * the memlock limit. Kept within the budgets, maps cannot exhaust the heap or direct memory.
 *
 * @param possibleCpus the number of possible CPUs, which sizes per-CPU values
 *     ({@code round_up(value_size, 8) * possibleCpus} bytes)
 * @param memoryBudget heap bytes that all maps of the instance may take
 * @param numaNodes how many NUMA nodes exist (a {@code numa_node} at or above it is EINVAL)
 * @param maxFds the highest number of fds open at once (more is EMFILE, as RLIMIT_NOFILE)
 * @param directMemoryBudget direct (off-heap) bytes that all maps of the instance may take
 */
public record BpfSettings(int possibleCpus, long memoryBudget, int numaNodes, int maxFds, long directMemoryBudget) {

    /** Framework or configuration property: the number of possible CPUs. */
    public static final String POSSIBLE_CPUS = "bpfmaps.possible.cpus";
    /**
     * Framework or configuration property: the memory budget, in bytes or with a k/m/g suffix:
     * the heap budget, and the direct budget too unless {@link #DIRECT_MEMORY_BUDGET} is set.
     */
    public static final String MEMORY_BUDGET = "bpfmaps.memory.budget";
    /** Framework or configuration property: the direct memory budget, in bytes or with a k/m/g suffix. */
    public static final String DIRECT_MEMORY_BUDGET = "bpfmaps.direct.memory.budget";

    public BpfSettings {
        if (possibleCpus < 1 || possibleCpus > 4096) {
            throw new IllegalArgumentException("possibleCpus " + possibleCpus + " is not in 1..4096");
        }
        if (memoryBudget < 0 || directMemoryBudget < 0) {
            throw new IllegalArgumentException("memoryBudget " + memoryBudget + " or directMemoryBudget "
                    + directMemoryBudget + " is negative");
        }
        if (numaNodes < 1 || maxFds < 16) {
            throw new IllegalArgumentException("numaNodes must be >= 1 and maxFds >= 16");
        }
    }

    /** Settings with {@code memoryBudget} as both the heap and the direct budget. */
    public BpfSettings(int possibleCpus, long memoryBudget, int numaNodes, int maxFds) {
        this(possibleCpus, memoryBudget, numaNodes, maxFds, memoryBudget);
    }

    /**
     * The JVM's processor count as possible CPUs, and budgets from what the JVM can give now:
     * {@link #defaultHeapBudget()} and {@link #defaultDirectBudget()}.
     */
    public static BpfSettings defaults() {
        return new BpfSettings(Runtime.getRuntime().availableProcessors(), defaultHeapBudget(), 1, 1 << 20,
                defaultDirectBudget());
    }

    /**
     * Half of the heap that is not in use now: {@code (max heap - used heap) / 2}. The rest of the
     * application and the framework keep what they use and as much again may come, and the
     * collector keeps room to work: a heap filled to the brim spends its time in back-to-back
     * full collections before it throws {@link OutOfMemoryError}.
     */
    public static long defaultHeapBudget() {
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        return Math.max(0, (rt.maxMemory() - used) / 2);
    }

    /**
     * Three quarters of the direct memory not in use now: {@code (limit - used) * 3 / 4}, where the
     * limit is {@code -XX:MaxDirectMemorySize}, or the maximum heap when it is not set (the JDK's
     * own default), and the used bytes are the JVM's "direct" buffer pool. The quarter left is for
     * the I/O buffers the JDK and the application allocate, and for buffers of freed maps that
     * wait for the collector to run their cleaners.
     */
    public static long defaultDirectBudget() {
        long limit = maxDirectMemory();
        long used = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if ("direct".equals(pool.getName())) {
                used = Math.max(0, pool.getMemoryUsed());
            }
        }
        return Math.max(0, (limit - used) / 4 * 3);
    }

    /**
     * The direct memory limit, as {@code jdk.internal.misc.VM.maxDirectMemory()} (not exported)
     * sets it: the VM option MaxDirectMemorySize, read through the HotSpot diagnostic MBean, or
     * the maximum heap when it is 0 (unset) or cannot be read.
     */
    static long maxDirectMemory() {
        long heap = Runtime.getRuntime().maxMemory();
        try {
            Object option = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=HotSpotDiagnostic"), "getVMOption",
                    new Object[] {"MaxDirectMemorySize"}, new String[] {String.class.getName()});
            long set = Long.parseLong(String.valueOf(((CompositeData) option).get("value")));
            return set > 0 ? set : heap;
        } catch (Exception | LinkageError e) {
            return heap;
        }
    }

    public BpfSettings withPossibleCpus(int cpus) {
        return new BpfSettings(cpus, memoryBudget, numaNodes, maxFds, directMemoryBudget);
    }

    /** These settings with {@code bytes} as both the heap and the direct budget. */
    public BpfSettings withMemoryBudget(long bytes) {
        return new BpfSettings(possibleCpus, bytes, numaNodes, maxFds, bytes);
    }

    /** These settings with {@code bytes} as the direct budget; the heap budget stays. */
    public BpfSettings withDirectMemoryBudget(long bytes) {
        return new BpfSettings(possibleCpus, memoryBudget, numaNodes, maxFds, bytes);
    }

    /**
     * The defaults overridden by {@link #POSSIBLE_CPUS}, {@link #MEMORY_BUDGET} and
     * {@link #DIRECT_MEMORY_BUDGET} where the properties hold them (framework properties or a
     * Config Admin configuration).
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
        Object direct = props.get(DIRECT_MEMORY_BUDGET);
        if (direct != null) {
            s = s.withDirectMemoryBudget(parseBytes(DIRECT_MEMORY_BUDGET, direct.toString()));
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
            long bytes = Math.multiplyExact(Long.parseLong(t), unit);
            if (bytes < 0) {
                throw new NumberFormatException();
            }
            return bytes;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(property + "=" + text + " is not a byte count (like 512m)");
        }
    }
}
