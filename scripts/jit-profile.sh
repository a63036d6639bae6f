#!/usr/bin/env bash
# Where a benchmark's time goes, instruction by instruction: perf's timer samples (this machine
# has no hardware counters, but cpu-clock works) laid over the machine code C2 made, so a stall
# shows as the instruction just after the load or the lock'd instruction that waits.
#
#   scripts/jit-profile.sh 'HashBench.typedLookupHit$' -p shape=k4v8 -p entries=100000
#   METHODS='org.bpfmaps.map.hash.*::*' scripts/jit-profile.sh 'HashBench.typedUpdate$'
#
# Runs the benchmark in this JVM (-f 0, so perf sees one process and the code stays put) with
# C2's code of METHODS printed (default: every method of the project, benchmarks included; JDK
# code inlined into them comes along), samples it with `perf record -e cpu-clock`, decodes the
# printed hex with objdump (scripts/c2code.py, as jit-asm.sh does), and prints each compiled
# method that got 1% of the samples or more, hottest instructions first, then its whole listing
# with a column of percentages. Needs perf (Debian: apt-get install linux-perf) and root or perf_event_paranoid <= 1.
# The figures of a -f 0 run are not the benchmark's: only the shares mean something.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ]; then
  echo "usage: $0 'BenchRegex' [jmh options]" >&2
  exit 2
fi
command -v perf >/dev/null || { echo "$0: needs perf (apt-get install linux-perf)" >&2; exit 2; }
jar=${BENCH_JAR:-bench/target/benchmarks.jar}
if [ ! -f "$jar" ]; then
  mvn -B -ntp -q package -DskipTests -pl bench -am
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cc=()
for m in ${METHODS:-org.bpfmaps.*::*}; do
  cc+=("-XX:CompileCommand=print,$m")
done
perf record -q -e cpu-clock -F 4999 -o "$work/perf.data" -- \
  java -Xms2g -Xmx2g -XX:+UseParallelGC -XX:+UnlockDiagnosticVMOptions "${cc[@]}" \
  -Djmh.ignoreLock=true -jar "$jar" -f 0 -wi 3 -w 1s -i 3 -r 1s "$@" > "$work/out.txt" 2>&1
grep -E ' avgt | thrpt ' "$work/out.txt" || true
perf script -i "$work/perf.data" -F ip 2>/dev/null > "$work/ips.txt"

python3 - "$work" <<'EOF'
import collections, sys
sys.path.insert(0, 'scripts')
import c2code
work = sys.argv[1]
ips = collections.Counter(int(l, 16) for l in open(work + '/ips.txt').read().split())
total = sum(ips.values()) or 1
blocks = c2code.compilations(open(work + '/out.txt').read())
# code freed by a deoptimisation may be reused by a later compilation: the last one printed owns it
owner = {}
for i, (_, start, code, _) in enumerate(blocks):
    if start is not None:
        for a in ips:
            if start <= a < start + len(code):
                owner[a] = i
for i, (head, start, code, notes) in enumerate(blocks):
    mine = {a: c for a, c in ips.items() if owner.get(a) == i}
    n = sum(mine.values())
    if start is None or n < total / 100:
        continue
    listing = []
    for a, line in c2code.disassemble(start, code):
        for note in notes.get(a, []):
            listing.append((0, '                       ' + note[:160]))
        c = mine.get(a, 0)
        listing.append((c, ('%6.2f%% ' % (100.0 * c / total) if c else '        ') + line))
    print('\n===== %s: %.1f%% of the samples' % (head, 100.0 * n / total))
    for c, text in sorted((x for x in listing if x[0] > 0), reverse=True)[:15]:
        print(text)
    print('-----')
    for _, text in listing:
        print(text)
EOF
