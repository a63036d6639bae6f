#!/usr/bin/env bash
# Prints the machine code C2 made of one JMH benchmark's measurement loop, disassembled, to count
# what a hot path costs instruction by instruction (this machine has no hardware counters).
#
#   scripts/jit-asm.sh ArrayBench typedLookupPrimitive
#
# Why not -XX:+PrintAssembly alone: it needs a disassembler plugin (hsdis) that JDK 17 can load,
# and Debian's (libhsdis0-fcml) is built for the old interface, so the JVM prints hex. This asks
# the JVM for that hex of the benchmark's stub only, then decodes it with binutils' objdump
# (scripts/c2code.py).
# The last compilation printed is the one the measurement ran (earlier ones are OSR or tier-3).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 2 ]; then
  echo "usage: $0 BenchClass benchmarkMethod" >&2
  exit 2
fi
class=$1
method=$2
jar=${BENCH_JAR:-bench/target/benchmarks.jar}
if [ ! -f "$jar" ]; then
  mvn -B -ntp -q package -DskipTests -pl bench -am
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# one '*' only: CompileCommand refuses a pattern with an embedded one
stub="*${class}_${method}_jmhTest::${method}_avgt_jmhStub"
java -Djmh.ignoreLock=true -jar "$jar" -bm avgt -f 1 -wi 2 -w 1s -i 1 -r 1s \
  -jvmArgs "-Xms2g -Xmx2g -XX:+UseParallelGC -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=print,$stub" \
  "${class}.${method}\$" > "$out" 2>&1

python3 - "$out" <<'EOF'
import sys
sys.path.insert(0, 'scripts')
import c2code
found = c2code.compilations(open(sys.argv[1]).read())
if not found:
    sys.exit('no C2 compilation of the stub was printed; is the benchmark name right?')
head, start, code, notes = found[-1]
print(head)
for addr, line in c2code.disassemble(start, code):
    for n in notes.get(addr, []):
        print('                ', n)
    print(line)
EOF
