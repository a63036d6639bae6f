#!/usr/bin/env bash
# Shows that baselining guards the exported API: a copy of core.api with a method removed from an
# exported interface, and its package version left alone, fails the build with
# bnd-baseline-maven-plugin's report; the same copy with the version it suggests passes.
#
# It uses the project's own configuration (root pom.xml, core.api/pom.xml, the in-project
# repository cnf/baseline-repo/), with one difference: the baseline is the current core.api,
# recorded here into the copy's cnf/baseline-repo/ under a throwaway version, so that the check
# does not depend on how far the current package versions are from the recorded baseline
# (bpfmaps.baseline.version), which a later change may have moved on legitimately.
# Run by run-tests.sh; about a minute. Builds only in a temporary directory; the throwaway
# baseline version that Maven caches in the local repository is removed at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

tmp=$(mktemp -d)
version="0.0.0-check-$$-$(date +%s)"
local_repo="${HOME}/.m2/repository"
cleanup() {
  rm -rf "$tmp" "$local_repo/org/bpfmaps/core.api/$version"
}
trap cleanup EXIT

fail() {
  echo "baseline-check: FAILED: $*" >&2
  exit 1
}

cp -r pom.xml bnd.bnd cnf core.api "$tmp/"
rm -rf "$tmp/core.api/target"
mvn_copy=(mvn -B -ntp -f "$tmp/core.api/pom.xml" -Dmaven.test.skip=true -Dbpfmaps.baseline.version="$version")

# 1. the current core.api, recorded as the baseline (deploy-file needs no project: run it where
#    there is no pom.xml)
"${mvn_copy[@]}" -q package || fail "the unchanged copy of core.api does not build"
jar=$(ls "$tmp"/core.api/target/core.api-*.jar | grep -v -- '-sources\|-tests' | head -n 1)
mkdir -p "$tmp/deploy"
(cd "$tmp/deploy" && mvn -B -ntp -q org.apache.maven.plugins:maven-deploy-plugin:3.1.2:deploy-file \
  -Dfile="$jar" -DgroupId=org.bpfmaps -DartifactId=core.api -Dversion="$version" -Dpackaging=jar \
  -DgeneratePom=true -DrepositoryId=bpfmaps-baseline -Durl="file://$tmp/cnf/baseline-repo") ||
  fail "could not record the throwaway baseline"

# 2. an incompatible change: a method removed from an exported interface, no version change
host="$tmp/core.api/src/main/java/org/bpfmaps/core/spi/ProviderHost.java"
info="$tmp/core.api/src/main/java/org/bpfmaps/core/spi/package-info.java"
grep -q 'static ProviderHost fromClassPath()' "$host" || fail "ProviderHost.fromClassPath() is gone; pick another method"
python3 - "$host" <<'EOF' || fail "could not remove ProviderHost.fromClassPath()"
import re, sys
p = sys.argv[1]
s = open(p).read()
t = re.sub(r'\n    /\*\*(?:(?!\*/).)*\*/\n(?:    @[^\n]*\n)*    static ProviderHost fromClassPath\(\) \{.*?\n    \}\n', '\n', s, count=1, flags=re.S)
assert t != s
open(p, 'w').write(t)
EOF
out="$tmp/removed.log"
if "${mvn_copy[@]}" verify >"$out" 2>&1; then
  cat "$out" >&2
  fail "the build passed with ProviderHost.fromClassPath() removed and org.bpfmaps.core.spi's version unchanged"
fi
grep -q 'Baseline problems detected' "$out" || { cat "$out" >&2; fail "the build failed, but not in the baseline"; }
line=$(grep -E '^\[ERROR\] \* org\.bpfmaps\.core\.spi +PACKAGE +MAJOR' "$out") ||
  { cat "$out" >&2; fail "no MAJOR mismatch reported for org.bpfmaps.core.spi"; }
echo "baseline-check: removing ProviderHost.fromClassPath() without a version change fails the build:"
sed 's/\x1b\[[0-9;]*m//g' "$out" | grep -E '^\[ERROR\] (Failed to execute goal biz|={10,}|  +Name|[ *] org\.bpfmaps\.core\.spi |  +(MAJOR|REMOVED) +(PACKAGE|INTERFACE|METHOD) )'

# 3. the version the plugin suggests makes it pass
suggested=$(echo "$line" | awk '{print $8}')
[[ "$suggested" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "no suggested version in: $line"
sed -i "s/^@Version(\"[^\"]*\")/@Version(\"$suggested\")/" "$info"
if ! "${mvn_copy[@]}" verify >"$tmp/bumped.log" 2>&1; then
  cat "$tmp/bumped.log" >&2
  fail "the build still fails with org.bpfmaps.core.spi at the suggested $suggested"
fi
echo "baseline-check: with org.bpfmaps.core.spi at the suggested $suggested it passes"
echo "baseline-check: ok"
