#!/usr/bin/env bash
# Fuzzes one parser for longer than the 5 s each fuzz test gets in `mvn test`, with Jazzer's bug detectors on.
#
#   tools/fuzz.sh SafetensorsFuzzTest [seconds, default 600]
#
# The fuzz test's class (any *FuzzTest under src/test/java) is also a standalone Jazzer target. It starts from
# the committed corpus (src/test/resources/<package>/<Class>Inputs/<method>/); inputs that add coverage go to
# target/fuzz-corpus/<Class>/ (not committed), a crashing input to target/fuzz-crashes/. To keep a crash as a
# regression test, copy it into the committed corpus folder under a name that says what it is: `mvn test`
# replays every file there.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: tools/fuzz.sh <FuzzTest class> [seconds]}
seconds=${2:-600}
src=$(find src/test/java -name "$name.java" | head -1)
[ -n "$src" ] || { echo "no $name.java under src/test/java" >&2; exit 2; }
class=$(echo "${src#src/test/java/}" | sed 's|\.java$||; s|/|.|g')
seeds=$(find "src/test/resources/$(dirname "${src#src/test/java/}")/${name}Inputs" -mindepth 1 -maxdepth 1 -type d | head -1)
build=${BUILD_DIR:-target}
mvn -B -o -q test-compile dependency:build-classpath -DbuildDir="$build" -Dmdep.includeScope=test \
  -Dmdep.outputFile="$build/test-classpath.txt" >&2
corpus="$build/fuzz-corpus/$name"
mkdir -p "$corpus" "$build/fuzz-crashes"
cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
exec java -Xmx1g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 \
  -cp "$build/test-classes:$build/classes:$(cat "$build/test-classpath.txt")" \
  com.code_intelligence.jazzer.Jazzer --target_class="$class" \
  -max_total_time="$seconds" -artifact_prefix="$build/fuzz-crashes/$name-" "$corpus"
