package org.bpfmaps.bench;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.DoubleSupplier;
import java.util.function.IntToLongFunction;

/**
 * Huge pages against 4 KiB pages for the floors of {@link HashBench}, measured in one JVM with the
 * two variants interleaved in short blocks (issue 22). Why not only JMH's separate forks: on this
 * shared machine a benchmark's time moves 2x between forks a minute apart, which swamps the
 * 5-30% that huge pages can save; blocks of a fraction of a second, alternating A B B A, put a
 * slow spell on both sides, and the median of the per-pair ratios is the answer.
 *
 * <p>Two ways to look up: independent lookups in a random order (as {@link HashBench}, where the
 * core overlaps the misses of several lookups) and dependent ones (each key taken from the value
 * found before, a pointer chase: latency alone).
 *
 * <pre>java -cp bench/target/benchmarks.jar org.bpfmaps.bench.HugePageProbe [entries [pairs]]</pre>
 *
 * Holds JMH's lock ({@code /tmp/jmh.lock}) while it measures, so that it queues with JMH runs.
 */
public final class HugePageProbe {
    private HugePageProbe() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int entries = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        try (FileChannel ch = FileChannel.open(Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock held;
            while ((held = ch.tryLock()) == null) {
                Thread.sleep(2000);
            }
            try (FileLock lock = held) {
                run(entries, pairs);
            }
        }
    }

    private static void run(int entries, int pairs) {
        int[] order = HashBench.Caller.visitOrder(entries, 42);
        int[] keys = new int[entries];
        // next[k]: the key number visited after k, one cycle through all of them in the random order
        int[] next = new int[entries];
        for (int i = 0; i < entries; i++) {
            keys[i] = HashBench.Caller.scramble(order[i]);
            next[order[i]] = order[(i + 1) % entries];
        }
        long before = HugeBuffers.anonHugeKb();
        OneMissTable small = fill(new OneMissTable(entries + 16, false), entries);
        OneMissTable huge = fill(new OneMissTable(entries + 16, true), entries);
        HashBench.Floor chained = new HashBench.Floor().fill(entries);
        HashBench.Floor chainedHuge = new HashBench.HugeFloor().fill(entries);
        System.out.printf("entries %d: AnonHugePages %d kB before the huge tables, %d kB after%n",
                entries, before, HugeBuffers.anonHugeKb());
        IntToLongFunction smallGet = k -> small.get(k, -1);
        IntToLongFunction hugeGet = k -> huge.get(k, -1);
        compare("one-miss table, independent lookups", pairs, () -> block(keys, smallGet), () -> block(keys, hugeGet));
        compare("chained floor, independent lookups", pairs, () -> block(keys, chained::get), () -> block(keys, chainedHuge::get));
        compare("one-miss table, dependent lookups", pairs, () -> chase(next, smallGet), () -> chase(next, hugeGet));
        compare("chained floor, dependent lookups", pairs, () -> chase(next, chained::get), () -> chase(next, chainedHuge::get));
    }

    private static OneMissTable fill(OneMissTable t, int entries) {
        for (int k = 0; k < entries; k++) {
            t.put(HashBench.Caller.scramble(k), k);
        }
        return t;
    }

    /** Prints the median ns per lookup of each side and the median and quartiles of huge / 4 KiB. */
    private static void compare(String name, int pairs, DoubleSupplier small, DoubleSupplier huge) {
        for (int w = 0; w < 4; w++) { // warm-up: compiled and both tables in whatever cache they fit
            small.getAsDouble();
            huge.getAsDouble();
        }
        double[] a = new double[pairs];
        double[] b = new double[pairs];
        double[] r = new double[pairs];
        for (int p = 0; p < pairs; p++) {
            if ((p & 1) == 0) {
                a[p] = small.getAsDouble();
                b[p] = huge.getAsDouble();
            } else {
                b[p] = huge.getAsDouble();
                a[p] = small.getAsDouble();
            }
            r[p] = b[p] / a[p];
        }
        Arrays.sort(a);
        Arrays.sort(b);
        Arrays.sort(r);
        System.out.printf("%s: 4 KiB pages %.1f ns, huge pages %.1f ns (medians of %d blocks); "
                + "huge/4K per pair: median %.3f, quartiles %.3f-%.3f, range %.3f-%.3f%n",
                name, a[pairs / 2], b[pairs / 2], pairs, r[pairs / 2], r[pairs / 4], r[3 * pairs / 4], r[0], r[pairs - 1]);
    }

    private static long sink;

    /**
     * ns per lookup over every key once, each key found from the value of the one before (the key
     * number): one lookup's misses cannot overlap the next one's, so this is latency, TLB misses
     * and page walks included, where {@link #block} lets the core overlap several lookups.
     */
    private static double chase(int[] next, IntToLongFunction get) {
        int k = 0;
        long t0 = System.nanoTime();
        for (int n = 0; n < next.length; n++) {
            k = next[(int) get.applyAsLong(HashBench.Caller.scramble(k))];
        }
        long t = System.nanoTime() - t0;
        sink += k;
        return (double) t / next.length;
    }

    /** ns per lookup over every key once, in the random order. */
    private static double block(int[] keys, IntToLongFunction get) {
        long s = 0;
        long t0 = System.nanoTime();
        for (int key : keys) {
            s += get.applyAsLong(key);
        }
        long t = System.nanoTime() - t0;
        sink += s;
        return (double) t / keys.length;
    }
}
