#!/usr/bin/env bash
# Prints the machine code C2 made of one JMH benchmark's measurement loop, disassembled, to count
# what a hot path costs instruction by instruction (this machine has no hardware counters).
#
#   scripts/jit-asm.sh ArrayBench typedLookupPrimitive
#
# Why not -XX:+PrintAssembly alone: it needs a disassembler plugin (hsdis) that JDK 17 can load,
# and Debian's (libhsdis0-fcml) is built for the old interface, so the JVM prints hex. This asks
# the JVM for that hex of the benchmark's stub only, then decodes it with binutils' objdump.
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
trap 'rm -f "$out" "$out.bin"' EXIT

# one '*' only: CompileCommand refuses a pattern with an embedded one
stub="*${class}_${method}_jmhTest::${method}_avgt_jmhStub"
java -Djmh.ignoreLock=true -jar "$jar" -bm avgt -f 1 -wi 2 -w 1s -i 1 -r 1s \
  -jvmArgs "-Xms2g -Xmx2g -XX:+UseParallelGC -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=print,$stub" \
  "${class}.${method}\$" > "$out" 2>&1

python3 - "$out" <<'EOF'
import re, subprocess, sys
text = open(sys.argv[1]).read()
methods = [m for m in text.split('Compiled method (c2)')[1:]]
if not methods:
    sys.exit('no C2 compilation of the stub was printed; is the benchmark name right?')
last = methods[-1]
start, code, notes = None, bytearray(), {}
for line in last.split('\n'):
    m = re.match(r'\s*0x([0-9a-f]+): (.*)', line)
    if not m:
        continue
    addr, rest = int(m.group(1), 16), m.group(2)
    if rest.startswith(';'):
        notes.setdefault(addr, []).append(rest.strip())
        continue
    hexes = ''.join(rest.replace('|', ' ').split())
    if not re.fullmatch(r'[0-9a-f]+', hexes):
        continue
    if start is None:
        start = addr
    code += bytes.fromhex(hexes)
with open(sys.argv[1] + '.bin', 'wb') as f:
    f.write(code)
dump = subprocess.run(['objdump', '-D', '-b', 'binary', '-mi386:x86-64', '-Mintel',
                       '--adjust-vma=%#x' % start, sys.argv[1] + '.bin'],
                      capture_output=True, text=True, check=True).stdout
print(last.split('\n')[0].strip())
for line in dump.split('\n'):
    m = re.match(r'\s*([0-9a-f]+):', line)
    if m:
        for n in notes.get(int(m.group(1), 16), []):
            print('                ', n)
        print(line)
EOF
