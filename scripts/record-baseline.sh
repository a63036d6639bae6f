#!/usr/bin/env bash
# Records the API baseline that bnd-baseline-maven-plugin compares the exported API bundles
# (core.api, conformance) with, in the in-project Maven repository cnf/baseline-repo/.
#
# How the recorded baseline was made. First, during issue 16, 0.0.1-baseline from 3658c51, the API
# before that issue: against it the plugin demanded org.bpfmaps.core.api and org.bpfmaps.core.spi
# 2.0.0 (default methods made abstract on @ProviderType interfaces) and got them. Then, once the
# issue's API was final, the baseline in force (the root pom's bpfmaps.baseline.version):
#   BASELINE_VERSION=0.1.0-baseline scripts/record-baseline.sh a35871b
# so that every later change is compared with the API as issue 16 left it (api 2.0.0, spi 2.0.0,
# standalone 1.0.0, conformance 1.x); against 0.0.1-baseline a further change to api or spi
# would have hidden behind the 2.0.0 that the issue's own changes needed. What it does:
# 1. exports that commit's tree (git archive) into a temporary directory;
# 2. sets the project version there to the baseline version, so that the jars' Bundle-Version says
#    what they are (a baseline below every real version, 0.1.0-SNAPSHOT included);
# 3. builds core.api and conformance there with `mvn package` (tests skipped: they ran on that
#    commit; nothing is installed into ~/.m2);
# 4. deploys each jar with a minimal pom (coordinates and the commit) into cnf/baseline-repo/ with
#    maven-deploy-plugin's deploy-file (a file:// URL; ~/.m2 is not touched).
#
# A baseline is recorded once and committed. Never re-record a version: Maven caches a release
# version in ~/.m2 for good, so a changed jar under the same version would be ignored on machines
# that already have it. To move the baseline (after a release), record a new version
# (BASELINE_VERSION=... scripts/record-baseline.sh COMMIT) and set bpfmaps.baseline.version in
# the root pom.xml to it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
commit=${1:?usage: scripts/record-baseline.sh COMMIT}
version=${BASELINE_VERSION:?set BASELINE_VERSION to a version never recorded before (see above)}
repo="$root/cnf/baseline-repo"
modules=(core.api conformance)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

git archive "$commit" | tar -x -C "$tmp"
# The project version is the root pom's first <version> (the parent declares it once; every
# module's <parent> repeats it).
old=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' "$tmp/pom.xml" | head -n 1)
[ -n "$old" ] || { echo "record-baseline: no project version in $commit:pom.xml" >&2; exit 1; }
find "$tmp" -name pom.xml -exec sed -i "s|<version>$old</version>|<version>$version</version>|" {} +

(cd "$tmp" && mvn -B -ntp -q package -Dmaven.test.skip=true -pl "$(IFS=,; echo "${modules[*]}")" -am)

full=$(git rev-parse "$commit")
for m in "${modules[@]}"; do
  jar="$tmp/$m/target/$m-$version.jar"
  [ -f "$jar" ] || { echo "record-baseline: $jar was not built" >&2; exit 1; }
  # A minimal pom: the baseline is only compared, never depended on, so it names no parent and no
  # dependencies (the pom inside the jar names a parent that is not recorded).
  mkdir -p "$tmp/deploy"
  pom="$tmp/deploy/$m.pom"
  cat >"$pom" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>org.bpfmaps</groupId>
  <artifactId>$m</artifactId>
  <version>$version</version>
  <packaging>jar</packaging>
  <description>API baseline of $m, built from commit $full by scripts/record-baseline.sh</description>
</project>
EOF
  # deploy-file needs no project: run it where there is no pom.xml
  (cd "$tmp/deploy" && mvn -B -ntp -q org.apache.maven.plugins:maven-deploy-plugin:3.1.2:deploy-file \
    -Dfile="$jar" -DpomFile="$pom" -DrepositoryId=bpfmaps-baseline -Durl="file://$repo")
  echo "recorded org.bpfmaps:$m:$version from $full, Bundle-Version $(unzip -p "$jar" META-INF/MANIFEST.MF |
    tr -d '\r' | sed -n 's/^Bundle-Version: //p')"
done
