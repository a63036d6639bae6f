#!/usr/bin/env bash
# The measurement protocol every speed goal is judged by: ratios of pairs of benchmarks, measured
# in rounds, reported as the median ratio over the rounds with its spread.
#
# Why: on these shared 2-core machines one run's ratio swings 2x (a ConcurrentHashMap baseline
# measured 38 ns in one run and 88 ns in the next), so a single run proves nothing. Each round runs
# every benchmark of every pair once (one fork, -wi 3 -i 5, the fixed JVM flags of bench.sh), the
# two of a pair back to back and in alternating order (bench first in odd rounds, baseline first in
# even ones), so that a slow spell of the host lands on both sides as often. A benchmark that is a
# side of several pairs runs once per round and jar, at its first pair; later pairs reuse its figure.
#
#   scripts/bench-ratio.sh                      # the headline pairs of every open goal (ARRAY, HASH, LPM, XDP), 3 rounds
#   ROUNDS=5 scripts/bench-ratio.sh             # more rounds
#   scripts/bench-ratio.sh 'HashBench.typedLookupHit/HashBench.chmLookupHit@entries=100000,shape=k4v8'
#   JARS='before=/tmp/before.jar after=bench/target/benchmarks.jar' scripts/bench-ratio.sh
#   MODE=p99 scripts/bench-ratio.sh 'SockmapProxyBench.roundTripSockmap/SockmapProxyBench.roundTripNioCopy@messageSize=4096'
#
# A pair is BENCH/BASELINE (Class.method, JMH's names under org.bpfmaps.bench), optionally followed
# by @k=v,k=v (the JMH parameters; a pair without them takes the class's first value of each).
# A side may be one thread's result in a JMH @Group, Class.group:method (JMH's secondary result):
# the group runs and that method's row is the score, e.g.
#   'XdpBench.xskPath:xskConsume/XdpBench.blockingQueue:queueConsume@frameSize=64'
# JARS names one or more builds of the benchmarks (NAME=PATH ...), measured in the same rounds, one
# after the other, their order alternating too: the way to show that a change made nothing slower.
# The default is the current build, bench/target/benchmarks.jar (built when missing).
#
# MODE says what each side's figure is: avgt (the default) is JMH's average time per op (-bm avgt);
# p99 runs each benchmark in sample mode (-bm sample) and takes its 99th percentile (JMH's p0.99
# row), so that latency pairs (a request/response round trip) are judged by their tail: the ratio
# per round is then bench p99 / baseline p99. Any JMH benchmark can be sampled, whatever its
# @BenchmarkMode.
#
# Prints the machine (CPU model, L3 size, cores), each round's ratio, and per pair and jar the
# median ratio, the spread (lowest and highest) and the median ns/op (p99 ns in MODE=p99) of both sides.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-3}
mode=${MODE:-avgt}
case "$mode" in
  avgt) bm=avgt row="" unit="ns" ;;
  p99) bm=sample row="p0.99" unit="p99 ns" ;;
  *)
    echo "bench-ratio.sh: MODE=$mode: want avgt (the default) or p99" >&2
    exit 2
    ;;
esac
if [ "$rounds" -lt 3 ]; then
  echo "bench-ratio.sh: ROUNDS=$rounds: at least 3 rounds make a median worth quoting" >&2
  exit 2
fi

if [ -z "${JARS:-}" ]; then
  [ -f bench/target/benchmarks.jar ] || mvn -B -ntp -q package -DskipTests -pl bench -am
  JARS="current=bench/target/benchmarks.jar"
fi
read -r -a jars <<<"$JARS"
for j in "${jars[@]}"; do
  path=${j#*=}
  if [ "$path" = "$j" ] || [ ! -f "$path" ]; then
    echo "bench-ratio.sh: JARS entry '$j': want NAME=PATH to an existing benchmarks jar" >&2
    exit 2
  fi
done

pairs=("$@")
if [ "${#pairs[@]}" -eq 0 ]; then
  # the headline ratios of the array, hash and LPM issues
  pairs=(
    'HashBench.typedLookupHit/HashBench.chmLookupHit@entries=1000000,shape=k4v8'
    'HashBench.typedLookupHit/HashBench.oneMissLookupHit@entries=1000000,shape=k4v8'
    'HashBench.typedUpdate/HashBench.chmUpdate@entries=1000000,shape=k4v8'
    'HashBench.typedInsertDelete/HashBench.chmInsertDelete@entries=1000000,shape=k4v8'
    'HashBench.typedLookupHit/HashBench.chmLookupHit@entries=100000,shape=k4v8'
    'HashBench.typedLookupHit/HashBench.oneMissLookupHit@entries=100000,shape=k4v8'
    'HashBench.typedUpdate/HashBench.chmUpdate@entries=100000,shape=k4v8'
    'HashBench.typedInsertDelete/HashBench.chmInsertDelete@entries=100000,shape=k4v8'
    'ArrayBench.typedLookupPrimitive/ArrayBench.baselineLongArrayRead'
    'ArrayBench.typedLookupByteBuffer/ArrayBench.baselineLongArrayRead'
    'LpmBench.lookupV4Lpm/LpmBench.lookupV4Unibit@prefixes=1000000'
    'LpmBench.lookupV4Lpm/LpmBench.lookupV4Unibit@prefixes=10000'
    'LpmBench.lookupV6Lpm/LpmBench.lookupV6Unibit'
    'LpmBench.updateDeleteV4Lpm/LpmBench.updateDeleteV4Unibit@prefixes=10000'
    'LpmBench.updateDeleteV4Lpm/LpmBench.updateDeleteV4Unibit@prefixes=1000000'
    'LpmBench.updateDeleteV6Lpm/LpmBench.updateDeleteV6Unibit'
    'XdpBench.xskPath:xskConsume/XdpBench.blockingQueue:queueConsume@frameSize=64'
    'XdpBench.xskPath:xskConsume/XdpBench.blockingQueue:queueConsume@frameSize=1500'
    'ArrayBench.baselineBufferLookupOrdered/ArrayBench.baselineLongArrayRead'
    'HashBench.typedLookupHit2t/HashBench.typedLookupHit@entries=1000000,shape=k4v8'
    'HashBench.chmLookupHit2t/HashBench.chmLookupHit@entries=1000000,shape=k4v8'
  )
fi
for p in "${pairs[@]}"; do
  names=${p%%@*}
  if [[ "$names" != */* ]] || [[ "${names%%/*}" != *.* ]] || [[ "${names#*/}" != *.* ]]; then
    echo "bench-ratio.sh: pair '$p': want Class.bench/Class.baseline[@k=v,...]" >&2
    exit 2
  fi
done

jvm_flags="-Xms2g -Xmx2g -XX:+UseParallelGC -XX:+AlwaysPreTouch"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results="$work/results.tsv" # round, pair, jar, side, ns/op

# One benchmark once: prints its score (ns/op, or its 99th percentile in ns in MODE=p99).
measure() { # jar, Class.method or Class.group:method, params ("" or k=v,k=v)
  local jar=$1 bench=$2 params=$3 csv="$work/one.csv" args=()
  local selector=${bench%%:*} # a group's method runs with its group
  if [ -n "$params" ]; then
    IFS=',' read -r -a kv <<<"$params"
    for x in "${kv[@]}"; do args+=(-p "$x"); done
  fi
  local waited=0
  # JMH runs one at a time on a machine (its lock): wait for another run to end, up to 30 minutes
  until java -jar "$jar" -jvmArgs "$jvm_flags" -f 1 -wi 3 -w 1s -i 5 -r 1s -tu ns -bm "$bm" \
    "${args[@]}" -rf csv -rff "$csv" "^org\.bpfmaps\.bench\.${selector//./\\.}\$" >"$work/one.log" 2>&1; do
    if grep -q "Unable to acquire the JMH lock" "$work/one.log" && [ "$waited" -lt 1800 ]; then
      sleep 5
      waited=$((waited + 5))
      continue
    fi
    echo "bench-ratio.sh: $bench failed; its JMH output:" >&2
    tail -n 30 "$work/one.log" >&2
    exit 1
  done
  python3 - "$csv" "org.bpfmaps.bench.$bench" "$row" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
if ":" in sys.argv[2]:  # one method of a @Group: its own row
    rows = [r for r in rows if r["Benchmark"] == sys.argv[2]]
label = sys.argv[3]
if label:
    # sample mode: the primary row, then one row per percentile, named bench:p0.99 (JMH 1.37;
    # older versions wrote bench·p0.99)
    rows = [r for r in rows if r["Benchmark"].endswith(":" + label) or r["Benchmark"].endswith("\u00b7" + label)]
    if len(rows) != 1:
        sys.exit("expected one %s row, got %d" % (label, len(rows)))
elif len(rows) != 1:
    sys.exit("expected one result row, got %d" % len(rows))
print(rows[0]["Score"])
EOF
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), L3 $(lscpu | sed -n 's/^L3 cache: *//p' | head -1), $(nproc) cores"
echo "rounds: $rounds; each benchmark -f 1 -wi 3 -i 5 (1 s each), -bm $bm${row:+ ($row)}, JVM: $jvm_flags"
# A benchmark that is a side of several pairs runs once per round and jar: its figure is reused.
declare -A seen
once() { # jar, bench, params
  local k="$1|$2|$3"
  if [ -z "${seen[$k]:-}" ]; then
    seen[$k]=$(measure "$1" "$2" "$3")
  fi
}
for ((r = 1; r <= rounds; r++)); do
  seen=()
  for p in "${pairs[@]}"; do
    names=${p%%@*}
    params=""
    [[ "$p" == *@* ]] && params=${p#*@}
    bench=${names%%/*}
    base=${names#*/}
    order=("${jars[@]}")
    if ((r % 2 == 0)); then # alternate the jars' order as well as the sides'
      order=()
      for ((k = ${#jars[@]} - 1; k >= 0; k--)); do order+=("${jars[k]}"); done
    fi
    for j in "${order[@]}"; do
      name=${j%%=*}
      path=${j#*=}
      if ((r % 2 == 1)); then
        once "$path" "$bench" "$params"
        once "$path" "$base" "$params"
      else
        once "$path" "$base" "$params"
        once "$path" "$bench" "$params"
      fi
      a=${seen["$path|$bench|$params"]}
      b=${seen["$path|$base|$params"]}
      printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$p" "$name" "$a" "$b" >>"$results"
      printf 'round %d  %-8s %s: %.2f / %.2f %s = %.3fx\n' "$r" "$name" "$p" "$a" "$b" "$unit" \
        "$(python3 -c "print($a / $b)")"
    done
  done
done

python3 - "$results" "$unit" <<'EOF'
import statistics, sys
unit = sys.argv[2]
from collections import OrderedDict
runs = OrderedDict()
for line in open(sys.argv[1]):
    r, pair, jar, a, b = line.rstrip("\n").split("\t")
    runs.setdefault((pair, jar), []).append((float(a), float(b)))
print()
print("| pair | jar | ratio per round | median | spread | bench %s (median) | baseline %s (median) |" % (unit, unit))
print("|---|---|---|---|---|---|---|")
for (pair, jar), xs in runs.items():
    ratios = [a / b for a, b in xs]
    print("| %s | %s | %s | **%.3fx** | %.3f-%.3f | %.2f | %.2f |" % (
        pair, jar, " ".join("%.3f" % x for x in ratios), statistics.median(ratios),
        min(ratios), max(ratios), statistics.median(a for a, _ in xs), statistics.median(b for _, b in xs)))
EOF
