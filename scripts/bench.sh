#!/usr/bin/env bash
# Runs the JMH benchmarks with fixed JVM flags: write costs swing about 3x between collectors on
# these machines, so the heap and the collector are pinned. Ratios are only meaningful between
# benchmarks of the same run.
#
#   scripts/bench.sh                 # every benchmark, full measurement (several minutes)
#   scripts/bench.sh ArrayBench      # a subset (JMH regex)
#   QUICK=1 scripts/bench.sh         # fewer, shorter iterations for a smoke run
#   FULL=1 scripts/bench.sh HashBench  # every parameter combination (the default takes HashBench's
#                                      # shape k4v8 alone; the full matrix is 4x as long, over an hour)
#   scripts/bench.sh 'HashBench|KernelBench.kernelHash'   # HASH with the kernel's bpf(2) baseline
#
# Any -p given on the command line replaces the default parameter subset, and any of -f, -wi, -w,
# -i, -r the default iteration counts. On a busy machine add
# `-bm sample` and compare the p0.50 lines: a mean counts the time the thread was preempted.
# BENCH_JAR=path runs another build of the benchmarks (a saved "before" jar, say).
#
# Builds bench/target/benchmarks.jar first if it is missing. KernelBench (the real bpf(2)) runs
# only where this process may call bpf(2) (root or CAP_BPF); elsewhere it is left out, said below.
set -euo pipefail
cd "$(dirname "$0")/.."

jar=${BENCH_JAR:-bench/target/benchmarks.jar}
if [ ! -f "$jar" ]; then
  mvn -B -ntp -q package -DskipTests -pl bench -am
fi

jvm_flags="-Xms2g -Xmx2g -XX:+UseParallelGC -XX:+AlwaysPreTouch"
defaults=(-f 2 -wi 5 -w 1s -i 10 -r 1s)
if [ -n "${QUICK:-}" ]; then
  defaults=(-f 1 -wi 2 -w 1s -i 3 -r 1s)
fi
# a count given on the command line replaces its default (JMH refuses an option given twice)
iterations=()
for ((k = 0; k < ${#defaults[@]}; k += 2)); do
  [[ " $* " == *" ${defaults[k]} "* ]] || iterations+=("${defaults[k]}" "${defaults[k + 1]}")
done

exclude=()
if [ "$(java -cp "$jar" org.bpfmaps.bench.Probe)" != "bpf-allowed" ]; then
  echo "KernelBench skipped: this process may not call bpf(2) (run as root for the kernel baseline)"
  exclude=(-e KernelBench)
fi

# HashBench's full matrix (2 sizes x 4 key/value shapes) is over an hour; by default one shape
params=()
if [ -z "${FULL:-}" ] && [[ " $* " != *" -p "* ]]; then
  params=(-p shape=k4v8)
fi

java -jar "$jar" -jvmArgs "$jvm_flags" -prof gc "${iterations[@]}" "${exclude[@]}" "${params[@]}" "$@"
