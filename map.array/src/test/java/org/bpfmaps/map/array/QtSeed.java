package org.bpfmaps.map.array;

/**
 * The seed of a QuickTheories run, printed whether the run passes or fails, so that any run can
 * be replayed: {@code mvn verify -pl map.array -Dtest=ArrayPropertyTest -DQT_SEED=N}. QuickTheories
 * prints its seed only on a failure; a run that passed on a build later found wrong is worth
 * replaying too. On a failure QuickTheories also prints the shrunk falsifying sequence.
 */
final class QtSeed {
    private QtSeed() {
    }

    /** {@code -DQT_SEED} when given, else a fresh one; printed with the test's name. */
    static long pick(String test) {
        long seed = Long.getLong("QT_SEED", System.nanoTime());
        System.out.println(test + ": QuickTheories seed " + seed + " (replay with -DQT_SEED=" + seed + ")");
        return seed;
    }
}
