#!/usr/bin/env bash
# Measures crash-and-resume on a finished mini run: deletes the MAPD finetune and evaluation stages, starts
# `mapd reproduce` again, kills it with -9 right after the MAPD checkpoint at step 50, reruns it, and compares
# the final loss and MAPD results.json with those of the uninterrupted run.
# Usage (from the repository root): tools/kill_resume.sh WORK_DIR [PLAN]
# It kills only the run it started (by its process id), so other runs on a shared machine are safe; it must
# be the only run using WORK_DIR.
set -uo pipefail
if [[ $# -lt 1 ]]; then echo "usage: tools/kill_resume.sh WORK_DIR [PLAN]" >&2; exit 2; fi
work="$1"; plan="${2:-workflows/mini.json}"; ref="$(mktemp -d)"
cp "$work"/stages/evaluate-mapd-*/results.json "$ref/results.json" || exit 1
cp "$work"/stages/finetune-mapd-*/DONE.json "$ref/DONE.json" || exit 1
rm -rf "$work"/stages/finetune-mapd-* "$work"/stages/evaluate-mapd-*
# $! must be the JVM's own pid, so that killing it leaves no orphan behind: ./mapd execs java, and the explicit
# exec keeps $! the pid of ./mapd even if this line grows into a list (`a && b &` runs b in a subshell).
(exec ./mapd reproduce --plan "$plan" --work "$work" > "$ref/killed.log" 2>&1) &
pid=$!
# A running stage lives in its attempt folder (work/attempts/STAGE/attempt-N) until it is published.
until ls -d "$work"/attempts/finetune-mapd-*/attempt-*/checkpoints/step-0000050 > /dev/null 2>&1; do
  if ! kill -0 "$pid" 2> /dev/null; then
    echo "the run ended before the checkpoint at step 50; see $ref/killed.log" >&2
    exit 1
  fi
  sleep 0.5
done
# Refuse rather than kill the wrong thing, e.g. if ./mapd ever stops exec-ing java.
if [[ "$(ps -o comm= -p "$pid")" != java ]]; then
  echo "process $pid is not the run's JVM ($(ps -o comm= -p "$pid")); not killing it" >&2
  exit 1
fi
kill -9 "$pid"
wait "$pid" 2> /dev/null # reaped, so the rerun cannot overlap it
checkpoints=("$work"/attempts/finetune-mapd-*/attempt-*/checkpoints/step-*)
echo "killed $pid with checkpoints: ${checkpoints[*]##*/}"
./mapd reproduce --plan "$plan" --work "$work" > "$ref/rerun.log" 2>&1
grep -m1 "resuming from" "$ref/rerun.log"
echo "stages reused: $(grep -c ': reused ' "$ref/rerun.log")"
diff <(grep finalLoss "$ref/DONE.json") <(grep finalLoss "$work"/stages/finetune-mapd-*/DONE.json) && echo "same final loss"
cmp "$ref/results.json" "$work"/stages/evaluate-mapd-*/results.json && echo "MAPD results.json byte-identical"
