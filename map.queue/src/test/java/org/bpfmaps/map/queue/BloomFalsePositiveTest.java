package org.bpfmaps.map.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The false-positive rate of a filter filled to its max_entries, against the textbook
 * {@code (1 - e^(-k n / m))^k} for the bitset size m the kernel chooses. The filters use
 * BPF_F_ZERO_SEED and the values come from a seeded generator, so a run is reproducible; the
 * tolerance (20% of the expected rate, and at least 5 standard deviations of the measured
 * proportion) is wide enough for any well-mixed hash and narrow enough to catch a filter that sets
 * or tests the wrong number of bits or sizes its bitset wrongly.
 */
class BloomFalsePositiveTest {
    private static final int PROBES = 200_000;

    @ParameterizedTest(name = "max_entries {0}, k {1}")
    @CsvSource({"10000, 5", "10000, 1", "5000, 3", "3000, 7", "1000, 15"})
    void falsePositiveRateMatchesTheFormula(int n, int k) {
        try (QueueFixture f = new QueueFixture()) {
            int fd = f.create(MapType.BLOOM_FILTER, 8, n, BpfFlags.F_ZERO_SEED, k);
            SplittableRandom rnd = new SplittableRandom(42L * n + k);
            // members have the top bit clear, probes set: no probe was ever added
            for (int i = 0; i < n; i++) {
                assertEquals(0, f.push(fd, rnd.nextLong() >>> 1, BpfFlags.ANY));
            }
            SplittableRandom again = new SplittableRandom(42L * n + k);
            for (int i = 0; i < n; i++) {
                assertEquals(0, f.contains(fd, again.nextLong() >>> 1), "a member must always be found");
            }
            int positives = 0;
            for (int i = 0; i < PROBES; i++) {
                if (f.contains(fd, rnd.nextLong() | Long.MIN_VALUE) == 0) {
                    positives++;
                }
            }
            double m = BloomGeometry.of(n, k).mask() + 1;
            double expected = Math.pow(1 - Math.exp(-(double) k * n / m), k);
            double measured = (double) positives / PROBES;
            double sigma = Math.sqrt(expected * (1 - expected) / PROBES);
            double tolerance = Math.max(0.2 * expected, 5 * sigma);
            System.out.printf("bloom n=%d k=%d m=%.0f bits: false positives %.5f, formula %.5f%n", n, k, m,
                    measured, expected);
            assertTrue(Math.abs(measured - expected) <= tolerance,
                    () -> "false-positive rate " + measured + ", formula " + expected + " +- " + tolerance);
        }
    }
}
