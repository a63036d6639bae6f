#!/usr/bin/env bash
# Runs the JMH benchmarks with fixed JVM flags: write costs swing about 3x between collectors on
# these machines, so the heap and the collector are pinned. Ratios are only meaningful between
# benchmarks of the same run.
#
#   scripts/bench.sh                 # every benchmark, full measurement (several minutes)
#   scripts/bench.sh ArrayBench      # a subset (JMH regex)
#   QUICK=1 scripts/bench.sh         # fewer, shorter iterations for a smoke run
#
# Builds bench/target/benchmarks.jar first if it is missing. KernelBench (the real bpf(2)) runs
# only where this process may call bpf(2) (root or CAP_BPF); elsewhere it is left out, said below.
set -euo pipefail
cd "$(dirname "$0")/.."

jar=bench/target/benchmarks.jar
if [ ! -f "$jar" ]; then
  mvn -B -ntp -q package -DskipTests -pl bench -am
fi

jvm_flags="-Xms2g -Xmx2g -XX:+UseParallelGC -XX:+AlwaysPreTouch"
iterations=(-f 2 -wi 5 -w 1s -i 10 -r 1s)
if [ -n "${QUICK:-}" ]; then
  iterations=(-f 1 -wi 2 -w 1s -i 3 -r 1s)
fi

exclude=()
if [ "$(java -cp "$jar" org.bpfmaps.bench.Probe)" != "bpf-allowed" ]; then
  echo "KernelBench skipped: this process may not call bpf(2) (run as root for the kernel baseline)"
  exclude=(-e KernelBench)
fi

java -jar "$jar" -jvmArgs "$jvm_flags" -prof gc "${iterations[@]}" "${exclude[@]}" "$@"
